import assert from "node:assert/strict";
import { OPERATOR_NAMES, parseOperator, readDate, readNumber } from "../../../src/iam/operators.ts";

Deno.test("parseOperator() reads qualifiers, IfExists and negation", () => {
  const op = parseOperator("ForAllValues:StringNotLikeIfExists");
  assert.ok(!("problem" in op));
  assert.deepEqual(
    { q: op.qualifier, ifExists: op.ifExists, negated: op.negated, isNull: op.isNull },
    { q: "ForAllValues", ifExists: true, negated: true, isNull: false },
  );
  const nul = parseOperator("Null");
  assert.ok(!("problem" in nul) && nul.isNull && !nul.ifExists);
  assert.ok(OPERATOR_NAMES.length >= 21);
});

Deno.test("parseOperator() refuses unknown operators, NullIfExists and a qualified Null", () => {
  for (
    const bad of [
      "StringEqual",
      "stringequals",
      "NullIfExists",
      "ForAnyValue:Null",
      "ArnLike",
      "ForSome:StringLike",
    ]
  ) {
    assert.ok("problem" in parseOperator(bad), bad);
  }
});

Deno.test("readNumber() and readDate() read what policies write, and nothing else", () => {
  assert.equal(readNumber("1.5e3"), 1500);
  assert.equal(readNumber("-7"), -7);
  assert.equal(readNumber("ten"), undefined);
  assert.equal(readNumber(""), undefined);
  assert.equal(readDate("1767225600"), Date.UTC(2026, 0, 1));
  assert.equal(readDate("2026-01-01"), Date.UTC(2026, 0, 1));
  assert.equal(readDate("2026-01-01T01:00:00+01:00"), Date.UTC(2026, 0, 1));
  assert.equal(readDate("2026-01-01T00:00"), undefined, "a time needs its zone");
  assert.equal(readDate("tomorrow"), undefined);
});
