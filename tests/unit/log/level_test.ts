import assert from "node:assert/strict";
import { accessLevel, enabled, isLogLevel } from "../../../src/log/level.ts";

Deno.test("accessLevel() and enabled(): info prints all, warn 4xx/5xx, error 5xx", () => {
  const printed = (threshold: "info" | "warn" | "error") =>
    [200, 304, 403, 404, 500, 503].filter((status) => enabled(threshold, accessLevel({ status })));
  assert.deepEqual(printed("info"), [200, 304, 403, 404, 500, 503]);
  assert.deepEqual(printed("warn"), [403, 404, 500, 503]);
  assert.deepEqual(printed("error"), [500, 503]);
  assert.ok(isLogLevel("warn"));
  assert.ok(!isLogLevel("debug"));
});
