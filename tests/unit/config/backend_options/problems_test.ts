import assert from "node:assert/strict";
import {
  requestTimeoutMs,
  unknownKeyProblems,
} from "../../../../src/config/backend_options/problems.ts";

Deno.test("unknownKeyProblems() names each key not listed, in the options' order", () => {
  assert.deepEqual(unknownKeyProblems({ b: 1, a: 2, c: 3 }, ["a"], "m"), [
    { path: "b", message: "m" },
    { path: "c", message: "m" },
  ]);
  assert.deepEqual(unknownKeyProblems({ a: 1 }, ["a", "z"], "m"), []);
});

Deno.test("unknownKeyProblems() sees keys of a null-prototype object, not inherited names", () => {
  const o: Record<string, unknown> = Object.create(null);
  o["constructor"] = 1;
  assert.deepEqual(unknownKeyProblems(o, [], "m"), [{ path: "constructor", message: "m" }]);
  assert.deepEqual(unknownKeyProblems(Object.create(null), [], "m"), []);
});

Deno.test("requestTimeoutMs() is request_timeout_secs in ms, 60 s when absent or not a number", () => {
  assert.equal(requestTimeoutMs({ request_timeout_secs: 5 }), 5000);
  assert.equal(requestTimeoutMs({ request_timeout_secs: 0.5 }), 500);
  assert.equal(requestTimeoutMs({}), 60_000);
  assert.equal(requestTimeoutMs({ request_timeout_secs: "5" }), 60_000);
});
