import assert from "node:assert/strict";
import { fixedClock, systemClock } from "../../src/clock.ts";

Deno.test("systemClock reads the real time", () => {
  const before = Date.now();
  const now = systemClock.now();
  assert.ok(now >= before && now <= Date.now());
});

Deno.test("fixedClock() stays where it is put until set again", () => {
  const c = fixedClock(1000);
  assert.equal(c.now(), 1000);
  assert.equal(c.now(), 1000);
  c.set(5000);
  assert.equal(c.now(), 5000);
  assert.equal(fixedClock(0).now(), 0, "each clock has its own time");
});
