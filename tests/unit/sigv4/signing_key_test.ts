import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import {
  createSigningKeyCache,
  deriveSigningKey,
  EMPTY_SHA256,
  hmacHex,
  sha256Hex,
  sha256HexOfByteString,
} from "../../../src/sigv4/signing_key.ts";

Deno.test("hmacHex() with cached pad states equals node:crypto's HMAC-SHA256, for every key length", () => {
  for (const len of [0, 1, 31, 32, 63, 64, 65, 100]) {
    const key = crypto.getRandomValues(new Uint8Array(len));
    for (
      const data of ["", "a", "AWS4-HMAC-SHA256\n20261128T000000Z\nscope\nhash", "ü€\u{1F600}"]
    ) {
      const want = createHmac("sha256", key).update(data, "utf8").digest("hex");
      assert.equal(hmacHex(key, data), want, `${len} ${data}`);
      assert.equal(hmacHex(key, data), want, "again, from the cached states");
    }
  }
});

Deno.test("deriveSigningKey() gives the AWS documentation's example key", () => {
  const key = deriveSigningKey(
    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    "20120215",
    "us-east-1",
    "iam",
  );
  assert.equal(
    key.toString("hex"),
    "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d",
  );
});

Deno.test("sha256Hex() agrees with node:crypto for short and long text and for bytes", () => {
  const node = (d: string | Uint8Array) => createHash("sha256").update(d).digest("hex");
  for (const text of ["", "abc", "ü€\u{1F600}", "x".repeat(4096), "y".repeat(5000)]) {
    assert.equal(sha256Hex(text), node(text), `${text.length} chars`);
  }
  const bytes = new Uint8Array([0, 1, 255]);
  assert.equal(sha256Hex(bytes), node(bytes));
  assert.equal(EMPTY_SHA256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
});

Deno.test("sha256HexOfByteString() hashes one-byte chars as bytes, wider text as UTF-8", () => {
  assert.equal(sha256HexOfByteString("abc"), sha256Hex("abc"));
  assert.equal(sha256HexOfByteString("\xe9"), sha256Hex(new Uint8Array([0xe9])));
  assert.equal(sha256HexOfByteString("\u20ac"), sha256Hex(new TextEncoder().encode("\u20ac")));
});

Deno.test("createSigningKeyCache() derives a key once and evicts the oldest past its bound", () => {
  const cache = createSigningKeyCache(2);
  const a = cache.get("secret", "20260101", "us-east-1", "s3");
  assert.deepEqual(a, deriveSigningKey("secret", "20260101", "us-east-1", "s3"));
  assert.equal(cache.get("secret", "20260101", "us-east-1", "s3"), a, "the same object, cached");
  const b = cache.get("secret", "20260102", "us-east-1", "s3");
  assert.notDeepEqual(b, a);
  cache.get("other", "20260101", "us-east-1", "s3");
  assert.notEqual(cache.get("secret", "20260101", "us-east-1", "s3"), a, "a was evicted");
  assert.equal(cache.get("other", "20260101", "us-east-1", "s3").length, 32);
});

Deno.test("createSigningKeyCache() keys on every part: another region or service is another key", () => {
  const cache = createSigningKeyCache();
  const s3 = cache.get("k", "20260101", "us-east-1", "s3");
  assert.notDeepEqual(cache.get("k", "20260101", "eu-west-1", "s3"), s3);
  assert.notDeepEqual(cache.get("k", "20260101", "us-east-1", "sts"), s3);
  assert.equal(hmacHex(s3, "x"), createHmac("sha256", s3).update("x").digest("hex"));
});

Deno.test("createSigningKeyCache() in turn over keys that differ in one part each: each its own", () => {
  // The last key asked for is answered first: ask again, and for neighbours.
  const cache = createSigningKeyCache();
  const asks: [string, string, string, string][] = [
    ["k", "20260101", "us-east-1", "s3"],
    ["k", "20260101", "us-east-1", "s3"],
    ["j", "20260101", "us-east-1", "s3"],
    ["k", "20260102", "us-east-1", "s3"],
    ["k", "20260101", "eu-west-1", "s3"],
    ["k", "20260101", "us-east-1", "sts"],
    ["k", "20260101", "us-east-1", "s3"],
  ];
  for (const parts of [...asks, ...asks.toReversed(), ...asks]) {
    assert.deepEqual(cache.get(...parts), deriveSigningKey(...parts), parts.join(" "));
  }
});
