import assert from "node:assert/strict";
import { createMetrics } from "../../../src/admin/metrics.ts";
import { statusOf, TOP_ROWS } from "../../../src/admin/status.ts";
import { fixedClock } from "../../../src/clock.ts";
import type { AccessLogEntry } from "../../../src/log/entry.ts";

const T0 = Date.UTC(2026, 11, 7, 12, 0, 0);
const entry = (o: Partial<AccessLogEntry>): AccessLogEntry => ({
  time: "2026-12-07T12:00:00.000Z",
  requestId: "R",
  method: "GET",
  status: 200,
  totalMs: 1,
  operation: "GetObject",
  bucket: "b",
  ...o,
});

function traffic() {
  const clock = fixedClock(T0);
  const m = createMetrics(clock);
  const observe = m.observer(["b", "c"], { keys: ["alice"], roles: [] });
  observe(entry({ authMode: "access_key", principal: "alice", bytesOut: 100 }));
  observe(entry({ status: 404 }));
  clock.set(T0 + 60_000);
  observe(entry({ bucket: "c", bytesIn: 7, status: 503, operation: "PutObject" }));
  return { m, clock };
}

Deno.test("statusOf(): totals and principals are the sums of the /metrics series", () => {
  const { m, clock } = traffic();
  const s = statusOf({
    snapshot: m.snapshot(),
    inFlight: 3,
    workers: 1,
    health: [{ name: "c", ready: false }, { name: "b", ready: true }],
    quotas: [],
    nowMs: clock.now(),
  });
  assert.deepEqual(s.totals, {
    requests: 3,
    clientErrors: 1,
    serverErrors: 1,
    bytesIn: 7,
    bytesOut: 100,
  });
  assert.deepEqual(s.principals, [
    { kind: "access_key", principal: "alice", requests: 1, bytesIn: 0, bytesOut: 100 },
    { kind: "anonymous", principal: "anonymous", requests: 2, bytesIn: 7, bytesOut: 0 },
  ]);
  assert.equal(s.ready, false);
  assert.deepEqual(s.buckets.map((b) => b.name), ["b", "c"]);
  assert.equal(s.inFlight, 3);
  assert.equal(s.generatedAt, "2026-12-07T12:01:00.000Z");
  assert.deepEqual(JSON.parse(JSON.stringify(s)), s, "plain JSON");
});

Deno.test("statusOf(): the last hour's minutes, rates over 5 minutes, and the top tables", () => {
  const { m, clock } = traffic();
  const input = { snapshot: m.snapshot(), inFlight: 0, workers: 2, health: [], quotas: [] };
  const s = statusOf({ ...input, nowMs: clock.now() });
  assert.equal(s.lastHour.minutes.length, 2);
  assert.equal(s.lastHour.rates.requests, 3 / 300);
  assert.equal(s.lastHour.rates.errors, 2 / 300);
  assert.deepEqual(s.lastHour.topPrincipals, [
    { name: "access_key:alice", in: 0, out: 100 },
    { name: "anonymous", in: 7, out: 0 },
  ]);
  assert.deepEqual(s.lastHour.topBuckets.map((t) => t.name), ["b", "c"]);
  assert.ok(TOP_ROWS >= 5);
  const later = statusOf({ ...input, nowMs: T0 + 2 * 3_600_000 });
  assert.deepEqual(later.lastHour.minutes, [], "an hour on, the window is empty");
  assert.equal(later.totals.requests, 3, "totals stay: they are counters");
});
