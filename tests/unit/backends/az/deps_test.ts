import assert from "node:assert/strict";
import { systemClock } from "../../../../src/clock.ts";
import { resolveDeps } from "../../../../src/backends/az/deps.ts";
import { realSleep } from "../../../../src/backends/http/retry.ts";
import { DEFAULT_SIZES } from "../../../../src/backends/az/sizes.ts";

Deno.test("resolveDeps() defaults to the system clock, a real timer and the default sizes", () => {
  const d = resolveDeps({});
  assert.equal(d.clock, systemClock);
  assert.equal(d.sleep, realSleep);
  assert.equal(d.sizes, DEFAULT_SIZES);
});
