import assert from "node:assert/strict";
import { compileConditions, conditionsHold } from "../../../src/iam/conditions.ts";
import { canonicalKey, type ContextKeys, KEY_TYPES, UNRESOLVED } from "../../../src/iam/keys.ts";
import { Problems } from "../../../src/iam/problems.ts";

function compiled(block: unknown) {
  const problems = new Problems();
  const cs = compileConditions(block, "Condition", problems);
  assert.deepEqual(problems.list, []);
  return cs;
}

function keysOf(values: Record<string, string | string[] | typeof UNRESOLVED>): ContextKeys {
  return new Map(
    Object.entries(values).map((
      [k, v],
    ) => [canonicalKey(k), v === UNRESOLVED ? UNRESOLVED : [v].flat()]),
  );
}

function holds(block: unknown, values: Record<string, string | string[] | typeof UNRESOLVED>) {
  return conditionsHold(compiled(block), keysOf(values));
}

// One row per key of the issue: an operator and value that fit it, a request value it matches, one it does not.
const KEY_ROWS: readonly [string, string, string, string, string][] = [
  ["aws:SourceIp", "IpAddress", "10.0.0.0/8", "10.1.2.3", "192.0.2.1"],
  ["aws:SecureTransport", "Bool", "true", "true", "false"],
  [
    "aws:CurrentTime",
    "DateGreaterThan",
    "2026-01-01T00:00:00Z",
    "2026-06-01T00:00:00Z",
    "2025-01-01T00:00:00Z",
  ],
  ["aws:EpochTime", "DateLessThan", "2026-01-01T00:00:00Z", "1700000000", "1900000000"],
  ["aws:UserAgent", "StringLike", "aws-cli/*", "aws-cli/2.15", "curl/8"],
  [
    "aws:Referer",
    "StringEquals",
    "https://app.example.com/",
    "https://app.example.com/",
    "https://evil.example/",
  ],
  ["aws:username", "StringEquals", "alice", "alice", "bob"],
  ["aws:userid", "StringLike", "ci:*", "ci:build-7", "AKIAEXAMPLE"],
  ["aws:PrincipalType", "StringEquals", "AssumedRole", "AssumedRole", "User"],
  [
    "aws:TokenIssueTime",
    "DateLessThan",
    "2026-03-01T00:00:00Z",
    "2026-02-01T00:00:00Z",
    "2026-04-01T00:00:00Z",
  ],
  ["s3:prefix", "StringLike", "home/*", "home/alice/", "etc/"],
  ["s3:delimiter", "StringEquals", "/", "/", "|"],
  ["s3:max-keys", "NumericLessThanEquals", "100", "100", "1000"],
  ["s3:signatureversion", "StringEquals", "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256", "AWS"],
  ["s3:authType", "StringEquals", "REST-HEADER", "REST-HEADER", "REST-QUERY-STRING"],
  ["s3:signatureAge", "NumericLessThan", "600000", "1000", "700000"],
  ["s3:x-amz-content-sha256", "StringNotEquals", "UNSIGNED-PAYLOAD", "abc123", "UNSIGNED-PAYLOAD"],
  ["jwt:sub", "StringEquals", "u-1", "u-1", "u-2"],
  ["jwt:aud", "ForAnyValue:StringEquals", "gateway", "gateway", "other"],
  ["jwt:team", "StringEqualsIgnoreCase", "Data", "DATA", "ops"],
];

Deno.test("every condition key of the issue: one request value matches, another does not", () => {
  const covered = new Set(KEY_ROWS.map((r) => r[0]));
  for (const key of Object.keys(KEY_TYPES)) assert.ok(covered.has(key), `no row for ${key}`);
  for (const [key, op, value, yes, no] of KEY_ROWS) {
    const block = { [op]: { [key]: value } };
    assert.equal(holds(block, { [key]: yes }), true, `${key} ${op} ${value} on ${yes}`);
    assert.equal(holds(block, { [key]: no }), false, `${key} ${op} ${value} on ${no}`);
  }
});

// One row per operator: policy value, a matching request value, a non-matching one.
const OPERATOR_ROWS: readonly [string, string, string, string][] = [
  ["StringEquals", "abc", "abc", "ABC"],
  ["StringNotEquals", "abc", "ABC", "abc"],
  ["StringEqualsIgnoreCase", "abc", "ABC", "abd"],
  ["StringNotEqualsIgnoreCase", "abc", "abd", "ABC"],
  ["StringLike", "a*c?", "abbcd", "abbc"],
  ["StringNotLike", "a*c", "abd", "abbc"],
  ["NumericEquals", "10", "10.0", "11"],
  ["NumericNotEquals", "10", "11", "10"],
  ["NumericLessThan", "10", "9", "10"],
  ["NumericLessThanEquals", "10", "10", "11"],
  ["NumericGreaterThan", "10", "11", "10"],
  ["NumericGreaterThanEquals", "10", "10", "9"],
  ["DateEquals", "2026-01-01T00:00:00Z", "1767225600", "2026-01-02T00:00:00Z"],
  ["DateNotEquals", "2026-01-01T00:00:00Z", "2026-01-02", "2026-01-01"],
  ["DateLessThan", "2026-01-01", "2025-12-31T23:59:59Z", "2026-01-01T00:00:00Z"],
  ["DateLessThanEquals", "2026-01-01", "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z"],
  ["DateGreaterThan", "2026-01-01", "2026-01-01T00:00:01Z", "2026-01-01T00:00:00Z"],
  ["DateGreaterThanEquals", "2026-01-01", "2026-01-01T00:00:00+00:00", "2025-12-31T23:59:59Z"],
  ["Bool", "false", "FALSE", "true"],
  ["IpAddress", "2001:db8::/32", "2001:db8::7", "2001:db9::7"],
  ["NotIpAddress", "192.0.2.0/24", "198.51.100.1", "192.0.2.200"],
];

Deno.test("every operator, its IfExists form and both qualifiers: a positive and a negative case", () => {
  for (const [op, value, yes, no] of OPERATOR_ROWS) {
    for (const name of [op, `${op}IfExists`, `ForAnyValue:${op}`, `ForAllValues:${op}`]) {
      const block = { [name]: { "jwt:x": value } };
      assert.equal(holds(block, { "jwt:x": yes }), true, `${name} ${value} on ${yes}`);
      assert.equal(holds(block, { "jwt:x": no }), false, `${name} ${value} on ${no}`);
    }
  }
});

Deno.test("a missing key: false, true when negated, with IfExists or under ForAllValues; false under ForAnyValue", () => {
  assert.equal(holds({ StringEquals: { "jwt:x": "a" } }, {}), false);
  assert.equal(holds({ StringNotEquals: { "jwt:x": "a" } }, {}), true);
  assert.equal(holds({ StringEqualsIfExists: { "jwt:x": "a" } }, {}), true);
  assert.equal(holds({ NotIpAddressIfExists: { "aws:SourceIp": "10.0.0.0/8" } }, {}), true);
  assert.equal(holds({ "ForAllValues:StringEquals": { "jwt:x": "a" } }, {}), true);
  assert.equal(holds({ "ForAnyValue:StringEquals": { "jwt:x": "a" } }, {}), false);
  assert.equal(holds({ "ForAnyValue:StringNotEquals": { "jwt:x": "a" } }, {}), false);
});

Deno.test("Null: true holds when the key is absent, false when it is present", () => {
  assert.equal(holds({ Null: { "jwt:x": "true" } }, {}), true);
  assert.equal(holds({ Null: { "jwt:x": "true" } }, { "jwt:x": "v" }), false);
  assert.equal(holds({ Null: { "jwt:x": false } }, { "jwt:x": "v" }), true);
  assert.equal(holds({ Null: { "jwt:x": "false" } }, {}), false);
});

Deno.test("several values OR, negated ones NOR; several keys and operators AND", () => {
  assert.equal(holds({ StringEquals: { "jwt:x": ["a", "b"] } }, { "jwt:x": "b" }), true);
  assert.equal(holds({ StringNotEquals: { "jwt:x": ["a", "b"] } }, { "jwt:x": "b" }), false);
  assert.equal(holds({ StringNotEquals: { "jwt:x": ["a", "b"] } }, { "jwt:x": "c" }), true);
  const two = {
    StringEquals: { "jwt:x": "a", "jwt:y": "b" },
    Bool: { "aws:SecureTransport": true },
  };
  assert.equal(holds(two, { "jwt:x": "a", "jwt:y": "b", "aws:SecureTransport": "true" }), true);
  assert.equal(holds(two, { "jwt:x": "a", "jwt:y": "c", "aws:SecureTransport": "true" }), false);
  assert.equal(holds(two, { "jwt:x": "a", "jwt:y": "b", "aws:SecureTransport": "false" }), false);
});

Deno.test("multi-valued keys: ForAllValues needs every value in the set, ForAnyValue one", () => {
  const all = { "ForAllValues:StringEquals": { "jwt:groups": ["a", "b"] } };
  assert.equal(holds(all, { "jwt:groups": ["a", "b"] }), true);
  assert.equal(holds(all, { "jwt:groups": ["a", "c"] }), false);
  const any = { "ForAnyValue:StringEquals": { "jwt:groups": ["a"] } };
  assert.equal(holds(any, { "jwt:groups": ["c", "a"] }), true);
  assert.equal(holds(any, { "jwt:groups": ["c", "d"] }), false);
  const none = { "ForAllValues:StringNotEquals": { "jwt:groups": ["a"] } };
  assert.equal(holds(none, { "jwt:groups": ["b", "c"] }), true);
  assert.equal(holds(none, { "jwt:groups": ["b", "a"] }), false);
});

Deno.test("an unresolvable key or variable is UNRESOLVED, whatever the operator", () => {
  assert.equal(holds({ StringEquals: { "jwt:x": "a" } }, { "jwt:x": UNRESOLVED }), UNRESOLVED);
  assert.equal(holds({ Null: { "jwt:x": "true" } }, { "jwt:x": UNRESOLVED }), UNRESOLVED);
  const variable = { StringEquals: { "s3:prefix": "home/${aws:username}/" } };
  assert.equal(holds(variable, { "s3:prefix": "home/al/", "aws:username": "al" }), true);
  assert.equal(holds(variable, { "s3:prefix": "home/al/", "aws:username": "bo" }), false);
  assert.equal(holds(variable, { "s3:prefix": "home/al/" }), UNRESOLVED);
  assert.equal(holds(variable, { "s3:prefix": "home/*/", "aws:username": "*" }), UNRESOLVED);
  // A false condition beside an unresolved one decides: the statement does not apply at all.
  assert.equal(
    holds({ ...variable, Bool: { "aws:SecureTransport": "true" } }, {
      "s3:prefix": "x",
      "aws:SecureTransport": "false",
    }),
    false,
  );
});

Deno.test("compileConditions() reports unknown operators and keys, and bad values, at their paths", () => {
  const problems = new Problems();
  compileConditions(
    {
      StringEqualz: { "jwt:x": "a" },
      StringEquals: { "aws:nope": "a", "jwt:y": [] },
      NumericLessThan: { "s3:max-keys": "ten" },
      IpAddress: { "aws:SourceIp": ["10.0.0.0/8", "10.0.0.0/99"] },
      DateLessThan: { "aws:CurrentTime": "yesterday" },
      Bool: { "aws:SecureTransport": "yes" },
      "ForAnyValue:Null": { "jwt:x": "true" },
      Null: { "jwt:z": { a: 1 } },
      StringLike: { "jwt:w": "${aws:nope}" },
    },
    "Condition",
    problems,
  );
  const paths = problems.list.map((p) => p.path);
  assert.deepEqual(paths, [
    "Condition.StringEqualz",
    "Condition.StringEquals.aws:nope",
    "Condition.StringEquals.jwt:y",
    "Condition.NumericLessThan.s3:max-keys",
    "Condition.IpAddress.aws:SourceIp[1]",
    "Condition.DateLessThan.aws:CurrentTime",
    "Condition.Bool.aws:SecureTransport",
    "Condition.ForAnyValue:Null",
    "Condition.Null.jwt:z",
    "Condition.StringLike.jwt:w",
  ]);
  assert.match(problems.list[0]!.message, /unknown condition operator 'StringEqualz'/);
  assert.match(problems.list[1]!.message, /unknown condition key 'aws:nope'/);
  const notMapping = new Problems();
  compileConditions(["x"], "Condition", notMapping);
  assert.equal(notMapping.list.length, 1);
});
