import assert from "node:assert/strict";
import { createMetrics } from "../../../src/admin/metrics.ts";
import { ask, bury, newSlot, realTimers, restartDelay } from "../../../src/workers/slot.ts";
import { manualTimers, servingSlot } from "./_fakes.ts";

Deno.test("newSlot(): stopped, no worker, nothing waiting", () => {
  const s = newSlot(3);
  assert.equal(s.id, 3);
  assert.equal(s.state, "stopped");
  assert.equal(s.handle, undefined);
  assert.equal(s.generation, 0);
  assert.equal(s.waiting.size, 0);
});

Deno.test("bury(): ends the worker, bumps the generation, answers the waiting with undefined, hands back its metrics", () => {
  const { slot, terminated } = servingSlot(1);
  const last = createMetrics().snapshot();
  slot.last = last;
  const answers: unknown[] = [];
  slot.waiting.set(1, (r) => answers.push(r));
  slot.waiting.set(2, (r) => answers.push(r));
  assert.equal(bury(slot), last);
  assert.equal(terminated(), 1);
  assert.equal(slot.handle, undefined);
  assert.equal(slot.generation, 1);
  assert.deepEqual(answers, [undefined, undefined]);
  assert.equal(slot.waiting.size, 0);
  assert.equal(slot.last, undefined);
  assert.equal(bury(slot), undefined); // nothing left: no second terminate
  assert.equal(terminated(), 1);
});

Deno.test("restartDelay(): doubles per quick death up to maxMs; a healthy run starts over", () => {
  const s = newSlot(1);
  const backoff = { firstMs: 100, maxMs: 1000, healthyMs: 5000 };
  const delays = [1, 2, 3, 4, 5, 6].map(() => restartDelay(s, 10, backoff));
  assert.deepEqual(delays, [100, 200, 400, 800, 1000, 1000]);
  s.startedAt = 1000;
  assert.equal(restartDelay(s, 6000, backoff), 100); // served 5 s: the back-off starts over
  s.startedAt = 6100; // restarted, and dies again soon
  assert.equal(restartDelay(s, 6200, backoff), 200);
});

Deno.test("restartDelay(): defaults 100 ms first, 30 s at most, 30 s healthy", () => {
  const s = newSlot(1);
  assert.equal(restartDelay(s, 0, undefined), 100);
  s.quickDeaths = 20;
  assert.equal(restartDelay(s, 29_999, undefined), 30_000);
  assert.equal(restartDelay(s, 30_000, undefined), 100);
});

Deno.test("ask(): posts the request with the next seq and resolves with the worker's reply", async () => {
  const { slot, sent } = servingSlot(1);
  const timers = manualTimers();
  let seq = 40;
  const reply = ask(slot, (s) => ({ kind: "metrics", seq: s }), {
    timers,
    timeoutMs: 1000,
    nextSeq: () => ++seq,
  });
  assert.deepEqual(sent, [{ kind: "metrics", seq: 41 }]);
  const answer = { kind: "prepared", seq: 41 } as const;
  slot.waiting.get(41)!(answer);
  assert.equal(await reply, answer);
  assert.equal(timers.pending().length, 0); // its timeout was cleared
});

Deno.test("ask(): undefined after timeoutMs with no reply, and at once for a worker not serving", async () => {
  const { slot } = servingSlot(1);
  const timers = manualTimers();
  const o = { timers, timeoutMs: 500, nextSeq: () => 7 };
  const reply = ask(slot, (s) => ({ kind: "metrics", seq: s }), o);
  timers.advance(499);
  assert.equal(slot.waiting.size, 1);
  timers.advance(1);
  assert.equal(await reply, undefined);
  assert.equal(slot.waiting.size, 0);
  let asked = 0;
  const starting = servingSlot(2);
  starting.slot.state = "starting";
  const none = await ask(starting.slot, (s) => ({ kind: "metrics", seq: s }), {
    ...o,
    nextSeq: () => ++asked,
  });
  assert.equal(none, undefined);
  assert.equal(asked, 0); // no seq is used for a request never sent
  assert.deepEqual(starting.sent, []);
});

Deno.test("realTimers: the process's clock and timers", async () => {
  const before = Date.now();
  assert.ok(Math.abs(realTimers.now() - before) < 1000);
  let fired = false;
  const h = realTimers.setTimeout(() => void (fired = true), 1);
  const cleared = realTimers.setTimeout(() => assert.fail("cleared timer ran"), 1);
  realTimers.clearTimeout(cleared);
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(fired, true);
  realTimers.clearTimeout(h);
});
