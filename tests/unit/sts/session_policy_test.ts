import assert from "node:assert/strict";
import {
  createSessionPolicyCache,
  MAX_SESSION_POLICY_CHARS,
  parseSessionPolicy,
} from "../../../src/sts/session_policy.ts";

const READ = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::data/*" }],
});

Deno.test("parseSessionPolicy() compiles a session policy", () => {
  const r = parseSessionPolicy(READ, new Set(["data"]));
  assert.ok(r.ok);
  assert.equal(r.value.kind, "session");
  assert.equal(r.value.name, "session");
});

Deno.test("parseSessionPolicy() refuses more than 2,048 characters, bad JSON and bad documents", () => {
  const long = parseSessionPolicy(READ.padEnd(MAX_SESSION_POLICY_CHARS + 1, " "));
  assert.ok(!long.ok && long.error.code === "ValidationError");
  assert.ok(parseSessionPolicy(READ.padEnd(MAX_SESSION_POLICY_CHARS, " ")).ok, "2,048 is allowed");
  const json = parseSessionPolicy("{");
  assert.ok(!json.ok && json.error.code === "MalformedPolicyDocument");
  const bad = parseSessionPolicy(READ.replace("s3:GetObject", "s3:GetObjekt"));
  assert.ok(!bad.ok);
  assert.match(bad.error.message, /^Policy Statement\[0\]\.Action: unknown action/);
  const principal = parseSessionPolicy(READ.replace('"Effect"', '"Principal":"*","Effect"'));
  assert.ok(!principal.ok && /only a bucket policy names principals/.test(principal.error.message));
  const bucket = parseSessionPolicy(READ.replace(":::data", ":::nope"), new Set(["data"]));
  assert.ok(!bucket.ok && /not a configured bucket/.test(bucket.error.message));
});

Deno.test("createSessionPolicyCache() compiles a text once and forgets the oldest past its limit", () => {
  const compile = createSessionPolicyCache(2);
  const a = compile(READ);
  assert.equal(compile(READ), a, "cached");
  const other = (n: number) => READ.replace("data/*", `data/${n}/*`);
  const first = compile(other(1));
  compile(READ); // READ is now the most recent
  compile(other(2)); // past the limit: forgets other(1), the oldest
  assert.equal(compile(READ), a);
  assert.notEqual(compile(other(1)), first, "compiled again");
});
