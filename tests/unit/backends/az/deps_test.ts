import assert from "node:assert/strict";
import { systemClock } from "../../../../src/clock.ts";
import { realSleep, resolveDeps } from "../../../../src/backends/az/deps.ts";
import { DEFAULT_SIZES } from "../../../../src/backends/az/sizes.ts";

Deno.test("resolveDeps() defaults to the system clock, a real timer and the default sizes", () => {
  const d = resolveDeps({});
  assert.equal(d.clock, systemClock);
  assert.equal(d.sleep, realSleep);
  assert.equal(d.sizes, DEFAULT_SIZES);
});

Deno.test("realSleep() waits, and ends at once when its signal aborts", async () => {
  let t = performance.now();
  await realSleep(20);
  assert.ok(performance.now() - t >= 15);
  const ctl = new AbortController();
  t = performance.now();
  const waiting = realSleep(10_000, ctl.signal);
  ctl.abort();
  await waiting;
  assert.ok(performance.now() - t < 1000);
  await realSleep(10_000, AbortSignal.abort());
});
