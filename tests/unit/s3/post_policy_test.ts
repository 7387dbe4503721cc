import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  checkLength,
  checkPolicy,
  exemptField,
  parsePolicy,
  type PostPolicy,
} from "../../../src/s3/post_policy.ts";

const b64 = (doc: unknown) =>
  Buffer.from(typeof doc === "string" ? doc : JSON.stringify(doc), "utf8").toString("base64");
const EXPIRES = "2026-01-15T12:00:00.000Z";
const AT = Date.parse(EXPIRES);

function policy(conditions: unknown[]): PostPolicy {
  const p = parsePolicy(b64({ expiration: EXPIRES, conditions }));
  assert.ok(p.ok, p.ok ? "" : p.error.message);
  return p.value;
}

function refusal(doc: unknown): string {
  const p = parsePolicy(typeof doc === "string" && doc.startsWith("!") ? doc.slice(1) : b64(doc));
  assert.ok(!p.ok);
  assert.equal(p.error.kind, "InvalidPolicyDocument");
  return p.error.message;
}

Deno.test("parsePolicy() reads the expiration and each form of condition", () => {
  const p = policy([
    { bucket: "b", "x-amz-meta-a": "1" },
    ["eq", "$Key", "k"],
    ["StArTs-WiTh", "$CoNtEnT-TyPe", "image/"],
    ["content-length-range", 1, 10],
    ["content-length-range", "2", "20"],
  ]);
  assert.equal(p.expiration, AT);
  assert.deepEqual(p.conditions.map((c) => [c.kind, c.field, c.value]), [
    ["eq", "bucket", "b"],
    ["eq", "x-amz-meta-a", "1"],
    ["eq", "key", "k"],
    ["starts-with", "content-type", "image/"],
  ]);
  assert.deepEqual(p.lengthRange, { min: 2, max: 10 });
  assert.equal(p.conditions[3]!.text, '["StArTs-WiTh", "$CoNtEnT-TyPe", "image/"]');
});

Deno.test("parsePolicy() refuses documents S3 refuses", () => {
  assert.match(refusal("!not base64!"), /Base64/);
  assert.match(refusal("{nope"), /Invalid JSON/);
  assert.match(refusal([1]), /Invalid JSON/);
  assert.match(refusal({ conditions: [] }), /missing expiration/);
  assert.match(refusal({ EXPIRATION: EXPIRES, conditions: [] }), /missing expiration/);
  assert.match(refusal({ expiration: EXPIRES, CONDITIONS: [] }), /missing conditions/);
  assert.match(refusal({ expiration: "2026-01-15 12:00:00+00:00", conditions: [] }), /expiration/);
  assert.match(refusal({ expiration: EXPIRES, conditions: [{}] }), /Invalid condition/);
  assert.match(refusal({ expiration: EXPIRES, conditions: [{ a: 1 }] }), /must be a string/);
  assert.match(refusal({ expiration: EXPIRES, conditions: [["eq", "key", "k"]] }), /condition/);
  assert.match(refusal({ expiration: EXPIRES, conditions: [["in", "$key", "k"]] }), /condition/);
  assert.match(refusal({ expiration: EXPIRES, conditions: [5] }), /condition/);
  for (const range of [["content-length-range", 0], ["content-length-range", -1, 0]]) {
    assert.match(refusal({ expiration: EXPIRES, conditions: [range] }), /content-length-range/);
  }
});

const fields = (o: Record<string, string>) => new Map(Object.entries(o));

Deno.test("checkPolicy() checks expiry, each condition, then that every field is covered", () => {
  const p = policy([{ bucket: "b" }, ["starts-with", "$key", "up/"], {
    "x-amz-meta-a": "1",
  }]);
  const ok = fields({ bucket: "b", key: "up/x", "x-amz-meta-a": "1" });
  assert.equal(checkPolicy(p, { fields: ok, version: 4 }, AT), undefined);
  assert.equal(
    checkPolicy(p, { fields: ok, version: 4 }, AT + 1)?.message,
    "Invalid according to Policy: Policy expired.",
  );
  assert.equal(
    checkPolicy(p, { fields: fields({ bucket: "b", key: "down/x" }), version: 4 }, AT)?.message,
    'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "up/"]',
  );
  assert.equal(
    checkPolicy(p, { fields: fields({ bucket: "b", key: "up/x" }), version: 4 }, AT)?.message,
    'Invalid according to Policy: Policy Condition failed: ["eq", "$x-amz-meta-a", "1"]',
    "a condition on a field the form lacks holds only for the empty value",
  );
  const extra = fields({ bucket: "b", key: "up/x", "x-amz-meta-a": "1", acl: "public-read" });
  const denied = checkPolicy(p, { fields: extra, version: 4 }, AT);
  assert.equal(denied?.kind, "AccessDenied");
  assert.equal(denied?.message, "Invalid according to Policy: Extra input fields: acl");
  assert.equal(
    checkPolicy(policy([["starts-with", "$key", ""]]), { fields: ok, version: 4 }, AT)?.message,
    "Invalid according to Policy: Extra input fields: bucket, x-amz-meta-a",
    "the bucket needs a condition too",
  );
});

Deno.test("exemptField() leaves out the signature, policy, file, x-ignore-* and checksums", () => {
  for (const n of ["policy", "file", "x-ignore-submit", "x-amz-checksum-crc32"]) {
    assert.ok(exemptField(n, 4) && exemptField(n, 2), n);
  }
  assert.ok(exemptField("x-amz-signature", 4));
  assert.ok(!exemptField("x-amz-signature", 2));
  assert.ok(exemptField("signature", 2) && exemptField("awsaccesskeyid", 2));
  assert.ok(!exemptField("signature", 4) && !exemptField("awsaccesskeyid", 4));
  for (const n of ["key", "x-amz-credential", "x-amz-security-token", "acl", "bucket"]) {
    assert.ok(!exemptField(n, 4), n);
  }
});

Deno.test("checkLength() bounds the file by content-length-range", () => {
  const p = policy([["content-length-range", 2, 4]]);
  assert.equal(checkLength(p, 1)?.kind, "EntityTooSmall");
  assert.equal(checkLength(p, 2), undefined);
  assert.equal(checkLength(p, 4), undefined);
  assert.equal(checkLength(p, 5)?.kind, "EntityTooLarge");
  assert.equal(checkLength(policy([]), 1e12), undefined);
});
