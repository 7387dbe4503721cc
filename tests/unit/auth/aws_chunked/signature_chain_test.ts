/** The chunk signature chain, against signatures computed here with node:crypto. */
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { signatureChain } from "../../../../src/auth/aws_chunked/signature_chain.ts";
import { ProxyStreamError } from "../../../../src/errors.ts";

const KEY = new Uint8Array(32).fill(3);
const DATE = "20260101T000000Z";
const SCOPE = "20260101/us-east-1/s3/aws4_request";
const SEED = "a".repeat(64);
const sha = (d: string) => createHash("sha256").update(d).digest("hex");
const sign = (sts: string) => createHmac("sha256", KEY).update(sts).digest("hex");
const chunkSig = (prev: string, data: string) =>
  sign(`AWS4-HMAC-SHA256-PAYLOAD\n${DATE}\n${SCOPE}\n${prev}\n${sha("")}\n${sha(data)}`);

const chain = () =>
  signatureChain({ signingKey: KEY, amzDate: DATE, scope: SCOPE, seedSignature: SEED });

const mismatch = (what: string) => (e: unknown) =>
  e instanceof ProxyStreamError && e.proxy.kind === "SignatureDoesNotMatch" &&
  e.proxy.message.includes(what);

Deno.test("signatureChain() accepts each chunk signed over the previous signature, seed first", () => {
  const c = chain();
  const one = chunkSig(SEED, "abc");
  const two = chunkSig(one, "");
  c.verifyChunk(one, sha("abc"));
  c.verifyChunk(two, sha(""));
  const canonical = sha("x-amz-checksum-crc32:AAAAAA==\n");
  c.verifyTrailer(
    canonical,
    sign(`AWS4-HMAC-SHA256-TRAILER\n${DATE}\n${SCOPE}\n${two}\n${canonical}`),
  );
});

Deno.test("signatureChain() refuses a chunk signed out of order (over the seed twice)", () => {
  const c = chain();
  c.verifyChunk(chunkSig(SEED, "abc"), sha("abc"));
  assert.throws(() => c.verifyChunk(chunkSig(SEED, "def"), sha("def")), mismatch("chunk"));
});

Deno.test("signatureChain() refuses a chunk whose data hash differs from what was signed", () => {
  assert.throws(() => chain().verifyChunk(chunkSig(SEED, "abc"), sha("abd")), mismatch("chunk"));
});

Deno.test("signatureChain() refuses a trailer signature not over the last chunk's", () => {
  const c = chain();
  const one = chunkSig(SEED, "");
  c.verifyChunk(one, sha(""));
  const canonical = sha("x:1\n");
  const overSeed = sign(`AWS4-HMAC-SHA256-TRAILER\n${DATE}\n${SCOPE}\n${SEED}\n${canonical}`);
  assert.throws(() => c.verifyTrailer(canonical, overSeed), mismatch("trailer"));
});
