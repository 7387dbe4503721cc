import assert from "node:assert/strict";
import { createMetrics } from "../../../src/admin/metrics.ts";
import { commitAll, drainAll, refuseOrKeep, sumAnswers } from "../../../src/workers/rounds.ts";
import type { Reply } from "../../../src/workers/slot.ts";
import { emptySnapshot } from "../../../src/workers/sum_metrics.ts";
import { manualTimers, servingSlot } from "./_fakes.ts";

const prepared = (seq: number, error?: string): Reply =>
  error === undefined ? { kind: "prepared", seq } : { kind: "prepared", seq, error };

Deno.test("refuseOrKeep(): every live worker prepared: keep (nothing is sent)", () => {
  const a = servingSlot(1);
  const b = servingSlot(2);
  assert.equal(refuseOrKeep([a.slot, b.slot], [prepared(1), prepared(2)]), undefined);
  assert.deepEqual([a.sent, b.sent], [[], []]);
});

Deno.test("refuseOrKeep(): one refusal aborts what the others prepared and gives its message", () => {
  const a = servingSlot(1);
  const b = servingSlot(2);
  const c = servingSlot(3);
  const why = refuseOrKeep([a.slot, b.slot, c.slot], [
    prepared(1),
    prepared(2, "reload refused; keeping the old config: bad yaml"),
    undefined,
  ]);
  assert.equal(why, "reload refused; keeping the old config: bad yaml");
  assert.deepEqual(a.sent, [{ kind: "abort", seq: 1 }]);
  assert.deepEqual([b.sent, c.sent], [[], []]);
});

Deno.test("refuseOrKeep(): a worker that did not answer, or no worker at all, refuses", () => {
  const a = servingSlot(1);
  const b = servingSlot(2);
  const silent = "reload refused; keeping the old config: a worker did not answer";
  assert.equal(refuseOrKeep([a.slot, b.slot], [prepared(5), undefined]), silent);
  assert.deepEqual(a.sent, [{ kind: "abort", seq: 5 }]);
  assert.equal(refuseOrKeep([], []), silent);
});

Deno.test("commitAll(): each live worker commits its own prepare and is on the new config", () => {
  const a = servingSlot(1);
  const b = servingSlot(2);
  commitAll([a.slot, b.slot], [prepared(7), prepared(8)], 4);
  assert.deepEqual(a.sent, [{ kind: "commit", seq: 7 }]);
  assert.deepEqual(b.sent, [{ kind: "commit", seq: 8 }]);
  assert.deepEqual([a.slot.configSeq, b.slot.configSeq], [4, 4]);
});

Deno.test("sumAnswers(): sums the answers with the retired counts; a silent worker counts what it said last", () => {
  const m = (jwks: number) => {
    const r = createMetrics();
    for (let i = 0; i < jwks; i++) r.jwksFetch("ok");
    return r.snapshot();
  };
  const a = servingSlot(1);
  const b = servingSlot(2);
  const c = servingSlot(3);
  b.slot.last = m(10);
  const out = sumAnswers([a.slot, b.slot, c.slot], [
    { kind: "metrics", seq: 1, snapshot: m(1), inFlight: 2 },
    undefined,
    { kind: "metrics", seq: 3, snapshot: m(3), inFlight: 5 },
  ], m(100));
  const jwks = out.snapshot.counters.jwks.find((s) => s.labels["outcome"] === "ok")?.value;
  assert.equal(jwks, 114);
  assert.equal(out.inFlight, 7);
  assert.equal(a.slot.last?.counters.jwks[0]?.value, 1); // kept for when it falls silent
  assert.deepEqual(sumAnswers([], [], emptySnapshot()), { snapshot: emptySnapshot(), inFlight: 0 });
});

Deno.test("drainAll(): cancels restarts, asks each worker to drain, ends them all once drained", async () => {
  const timers = manualTimers();
  const a = servingSlot(1);
  const b = servingSlot(2);
  const dead = servingSlot(3);
  dead.slot.handle = undefined;
  dead.slot.state = "waiting";
  let restarted = false;
  dead.slot.timer = timers.setTimeout(() => void (restarted = true), 100);
  const draining = drainAll([a.slot, b.slot, dead.slot], timers, 30_000);
  assert.deepEqual(a.sent, [{ kind: "drain" }]);
  assert.deepEqual(b.sent, [{ kind: "drain" }]);
  a.slot.onDrained!();
  b.slot.onDrained!();
  await draining;
  timers.advance(1000);
  assert.equal(restarted, false);
  assert.deepEqual([a.terminated(), b.terminated()], [1, 1]);
  for (const s of [a.slot, b.slot, dead.slot]) {
    assert.equal(s.state, "stopped");
    assert.equal(s.handle, undefined);
  }
  assert.equal(timers.pending().length, 0);
});

Deno.test("drainAll(): a worker that never drains is ended after timeoutMs", async () => {
  const timers = manualTimers();
  const a = servingSlot(1);
  const draining = drainAll([a.slot], timers, 500);
  let done = false;
  void draining.then(() => void (done = true));
  await Promise.resolve();
  assert.equal(done, false);
  timers.advance(500);
  await draining;
  assert.equal(a.terminated(), 1);
  assert.equal(a.slot.state, "stopped");
});
