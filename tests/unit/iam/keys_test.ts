import assert from "node:assert/strict";
import {
  canonicalKey,
  isSafeValue,
  KEY_TYPES,
  knownKey,
  UNRESOLVED,
  variableValue,
} from "../../../src/iam/keys.ts";

Deno.test("knownKey() reads every key of the issue, case-insensitively, and jwt claims as written", () => {
  for (const [name, type] of Object.entries(KEY_TYPES)) {
    assert.deepEqual(knownKey(name.toUpperCase()), { key: name.toLowerCase(), type });
  }
  assert.deepEqual(knownKey("JWT:groups"), { key: "jwt:groups", type: "string" });
  assert.deepEqual(knownKey("aws:SourceIP"), { key: "aws:sourceip", type: "ip" });
});

Deno.test("knownKey() refuses unknown keys and malformed claims", () => {
  for (const bad of ["aws:MultiFactorAuthPresent", "s3:nope", "sourceip", "jwt:", "jwt:a b"]) {
    assert.ok("problem" in knownKey(bad), bad);
  }
  assert.throws(() => canonicalKey("aws:nope"), TypeError);
});

Deno.test("isSafeValue() refuses what could widen a pattern or climb a path", () => {
  for (const ok of ["alice", "a.b", "a..b", "team/x", "x@y"]) assert.ok(isSafeValue(ok), ok);
  for (const bad of ["", "*", "a?", "$", "..", "a/../b", "../x"]) assert.ok(!isSafeValue(bad), bad);
});

Deno.test("variableValue() is the one safe value, else UNRESOLVED", () => {
  const keys = new Map<string, readonly string[] | typeof UNRESOLVED>([
    ["jwt:sub", ["u1"]],
    ["jwt:aud", ["a", "b"]],
    ["jwt:bad", ["*"]],
    ["jwt:gone", UNRESOLVED],
  ]);
  assert.equal(variableValue(keys, "jwt:sub"), "u1");
  for (const k of ["jwt:aud", "jwt:bad", "jwt:gone", "jwt:absent"]) {
    assert.equal(variableValue(keys, k), UNRESOLVED, k);
  }
});
