import assert from "node:assert/strict";
import {
  createRecentRing,
  lastHour,
  RECENT_MINUTES,
  type RecentRequest,
  sumSlots,
  topByBytes,
} from "../../../src/admin/recent.ts";

const T0 = Date.UTC(2026, 11, 7, 12, 0, 0);
const MIN = 60_000;
const req = (o: Partial<RecentRequest> = {}): RecentRequest => ({
  status: 200,
  bytesIn: 0,
  bytesOut: 0,
  principal: "anonymous",
  bucket: "b",
  ...o,
});

Deno.test("the ring counts requests, errors and bytes per minute, by principal and bucket", () => {
  const ring = createRecentRing();
  ring.add(req({ bytesOut: 10 }), T0);
  ring.add(req({ status: 404 }), T0 + 59_999);
  ring.add(req({ status: 503, principal: "access_key:a", bytesIn: 5, bucket: "c" }), T0 + MIN);
  const slots = ring.slots(T0 + MIN);
  assert.deepEqual(slots.map((s) => [s.requests, s.clientErrors, s.serverErrors]), [
    [2, 1, 0],
    [1, 0, 1],
  ]);
  assert.deepEqual(slots[0]!.principals, { anonymous: { in: 0, out: 10 } });
  assert.deepEqual(slots[1]!.buckets, { c: { in: 5, out: 0 } });
  assert.equal(slots[0]!.minute, T0 / MIN);
});

Deno.test("the ring is bounded: a minute an hour later reuses its slot, and the hour's edge drops out", () => {
  const ring = createRecentRing();
  for (let m = 0; m < 3 * RECENT_MINUTES; m++) ring.add(req({ bytesOut: 1 }), T0 + m * MIN);
  const now = T0 + (3 * RECENT_MINUTES - 1) * MIN;
  const slots = ring.slots(now);
  assert.equal(slots.length, RECENT_MINUTES);
  assert.ok(slots.every((s) => s.requests === 1), "each slot holds its own minute only");
  assert.equal(ring.slots(now + RECENT_MINUTES * MIN).length, 0, "an hour of silence empties it");
  assert.equal(ring.slots(now + 10 * MIN).length, RECENT_MINUTES - 10);
});

Deno.test("slots are copies, and sumSlots() adds them minute by minute", () => {
  const a = createRecentRing(), b = createRecentRing();
  a.add(req({ bytesOut: 3, principal: "role:ci" }), T0);
  b.add(req({ bytesOut: 4, principal: "role:ci" }), T0);
  b.add(req({ status: 500 }), T0 + MIN);
  const sa = a.slots(T0 + MIN);
  const sum = sumSlots([sa, b.slots(T0 + MIN)]);
  assert.deepEqual(sum.map((s) => s.requests), [2, 1]);
  assert.deepEqual(sum[0]!.principals, { "role:ci": { in: 0, out: 7 } });
  assert.deepEqual(sa[0]!.principals, { "role:ci": { in: 0, out: 3 } }, "inputs untouched");
  assert.deepEqual(structuredClone(sa), sa);
  const many = Array.from({ length: 200 }, (_, m) => [{ ...sa[0]!, minute: m }]);
  assert.equal(sumSlots(many).length, RECENT_MINUTES, "a sum keeps only the latest hour");
  assert.deepEqual(lastHour(sum, T0 + 2 * RECENT_MINUTES * MIN), []);
});

Deno.test("topByBytes() ranks names by bytes in and out over the slots", () => {
  const ring = createRecentRing();
  ring.add(req({ principal: "x", bytesIn: 5 }), T0);
  ring.add(req({ principal: "y", bytesOut: 50 }), T0);
  ring.add(req({ principal: "x", bytesOut: 10 }), T0 + MIN);
  ring.add(req({ principal: "z", bytesOut: 1 }), T0 + MIN);
  const top = topByBytes(ring.slots(T0 + MIN), (s) => s.principals, 2);
  assert.deepEqual(top, [{ name: "y", in: 0, out: 50 }, { name: "x", in: 5, out: 10 }]);
});
