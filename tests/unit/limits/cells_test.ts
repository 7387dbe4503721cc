import assert from "node:assert/strict";
import { addOn, admitOn, gcraStep, reserveOn } from "../../../src/limits/cells.ts";
import { MapTable } from "../../../src/limits/local_store.ts";

const rate = (key: string, perSecond: number, burst: number) => ({
  key,
  perUnitMs: 1000 / perSecond,
  burst,
  cost: 1,
});

Deno.test("gcraStep() allows the burst at once, then one per interval", () => {
  let tat = 0;
  const r = { perUnitMs: 200, burst: 5, cost: 1 }; // 5/s, burst 5
  for (let i = 0; i < 5; i++) {
    const s = gcraStep(tat, 10_000, r);
    assert.equal(s.waitMs, 0, `request ${i}`);
    tat = s.tat;
  }
  const over = gcraStep(tat, 10_000, r);
  assert.equal(over.waitMs, 200);
  assert.equal(gcraStep(tat, 10_200, r).waitMs, 0, "one interval later one more fits");
});

Deno.test("gcraStep() counts a refused request, its debt capped at one more burst", () => {
  const r = { perUnitMs: 100, burst: 2, cost: 1 };
  let tat = 0;
  for (let i = 0; i < 100; i++) tat = gcraStep(tat, 1000, r).tat; // a flood
  assert.equal(tat, 1000 + 2 * 200, "capped at now + two bursts");
  assert.ok(gcraStep(tat, 1000, r).waitMs > 0);
  assert.ok(gcraStep(tat, 1200, r).waitMs > 0, "the flood still owes after one burst's time");
  assert.equal(gcraStep(tat, 1300, r).waitMs, 0);
});

Deno.test("admitOn() steps every rate, refuses on the first over, counts quotas only when admitted", () => {
  const t = new MapTable();
  const q = { key: "q", limit: 2, estimate: 1, count: 1, endsMs: 5000 };
  assert.deepEqual(admitOn(t, [rate("a", 1, 1), rate("b", 1, 5)], [q], 0), {
    ok: true,
    used: [1],
  });
  const second = admitOn(t, [rate("a", 1, 1), rate("b", 1, 5)], [q], 0);
  assert.deepEqual(second, { ok: false, by: "rate", index: 0, retryAfterMs: 1000 });
  assert.equal(t.get("q", 0), 1, "a request refused by a rate is not counted by a quota");
  assert.ok(t.get("b", 0) > 1000, "…but counts toward every rate, also the one not over");
  assert.deepEqual(admitOn(t, [], [q], 2000), { ok: true, used: [2] }, "with the counts");
  assert.deepEqual(admitOn(t, [], [q], 3000), {
    ok: false,
    by: "quota",
    index: 0,
    retryAfterMs: 2000,
  });
  assert.equal(t.get("q", 3000), 2);
  assert.equal(t.get("q", 5000), 0, "the window's end expires the counter");
});

Deno.test("admitOn() refuses an estimate that would cross a quota, not one that reaches it", () => {
  const t = new MapTable();
  const bytes = (estimate: number) => ({ key: "b", limit: 100, estimate, count: 0, endsMs: 9e9 });
  addOn(t, [{ key: "b", amount: 60, endsMs: 9e9 }], 0);
  assert.deepEqual(admitOn(t, [], [bytes(40)], 0), { ok: true, used: [60] });
  assert.equal(admitOn(t, [], [bytes(41)], 0).ok, false);
  assert.equal(t.get("b", 0), 60, "a check does not count bytes");
  addOn(t, [{ key: "b", amount: -20, endsMs: 9e9 }], 0);
  assert.equal(t.get("b", 0), 40, "a negative add gives back (a download cancelled)");
});

Deno.test("reserveOn() answers the wait for bytes beyond the burst, and is never refused", () => {
  const t = new MapTable();
  const r = { key: "o", perUnitMs: 1, burst: 100, cost: 100 }; // 1000 B/s
  assert.equal(reserveOn(t, r, 0), 0);
  assert.equal(reserveOn(t, r, 0), 100);
  assert.equal(reserveOn(t, r, 0), 200);
  assert.equal(reserveOn(t, r, 300), 0);
});
