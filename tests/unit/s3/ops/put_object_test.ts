import assert from "node:assert/strict";
import type { Backend } from "../../../../src/backends/backend.ts";
import { createMemoryBackend } from "../../../../src/backends/memory.ts";
import { ok } from "../../../../src/result.ts";
import { putObject } from "../../../../src/s3/ops/put_object.ts";
import {
  type ContextOptions,
  errorOf,
  NOW,
  okResponse,
  s3Context,
  seed,
  storedText,
  streamOf,
} from "./_context.ts";

const ABC_MD5 = "kAFQmDzST7DWlj99KOF/cg==";
const ABC_CRC32 = "NSRBwg==";
const ABC_ETAG = '"900150983cd24fb0d6963f7d28e17f72"';

function put(options: ContextOptions = {}) {
  return s3Context({ op: "PutObject", method: "PUT", key: "k", body: "abc", ...options });
}

Deno.test("putObject() answers 200 with the ETag and no body", async () => {
  const ctx = put();
  const res = okResponse(await putObject(ctx));
  assert.equal(res.status, 200);
  assert.equal(res.body, null);
  assert.deepEqual(Object.fromEntries(res.headers), { etag: ABC_ETAG });
  assert.equal(await storedText(ctx.backend, "k"), "abc");
});

Deno.test("putObject() stores the HTTP metadata without aws-chunked", async () => {
  const ctx = put({
    headers: {
      "content-type": "text/plain",
      "content-encoding": "aws-chunked",
      "content-disposition": "inline",
      "x-amz-meta-Owner": "me",
    },
  });
  okResponse(await putObject(ctx));
  const head = await ctx.backend.head("k");
  assert.ok(head.ok);
  assert.equal(head.value.contentType, "text/plain");
  assert.equal(head.value.contentEncoding, undefined);
  assert.equal(head.value.contentDisposition, "inline");
  assert.deepEqual({ ...head.value.userMetadata }, { owner: "me" });
});

Deno.test("putObject() echoes a verified x-amz-checksum-* header", async () => {
  const ctx = put({ headers: { "x-amz-checksum-crc32": ABC_CRC32, "content-md5": ABC_MD5 } });
  const res = okResponse(await putObject(ctx));
  assert.equal(res.headers.get("x-amz-checksum-crc32"), ABC_CRC32);
  assert.equal(res.headers.get("etag"), ABC_ETAG);
  const head = await ctx.backend.head("k");
  assert.ok(head.ok);
  assert.deepEqual(head.value.checksums, { CRC32: ABC_CRC32 });
});

Deno.test("putObject() answers BadDigest for a checksum the bytes do not have, storing nothing", async () => {
  const ctx = put({ headers: { "x-amz-checksum-crc32c": ABC_CRC32 } });
  errorOf(await putObject(ctx), "BadDigest");
  assert.equal(await storedText(ctx.backend, "k"), undefined);
});

Deno.test("putObject() refuses a malformed checksum header as InvalidRequest", async () => {
  const e = errorOf(
    await putObject(put({ headers: { "x-amz-checksum-sha256": "AAAA" } })),
    "InvalidRequest",
  );
  assert.equal(e.message, "Value for x-amz-checksum-sha256 header is invalid.");
});

Deno.test("putObject() refuses a malformed Content-MD5 as InvalidDigest", async () => {
  errorOf(await putObject(put({ headers: { "content-md5": "not-base64" } })), "InvalidDigest");
});

Deno.test("putObject() refuses a declared length over max_body_bytes as EntityTooLarge", async () => {
  const ctx = put({ body: new Uint8Array(1025) });
  const e = errorOf(await putObject(ctx), "EntityTooLarge");
  assert.equal(e.message, "Your proposed upload exceeds the maximum allowed size of 1024 bytes");
  assert.equal(await storedText(ctx.backend, "k"), undefined);
});

Deno.test("putObject() cuts a body of unknown length at max_body_bytes with EntityTooLarge", async () => {
  const ctx = put({ body: streamOf(new Uint8Array(1025)) });
  errorOf(await putObject(ctx), "EntityTooLarge");
  assert.equal(await storedText(ctx.backend, "k"), undefined);
});

Deno.test("putObject() accepts a body of exactly max_body_bytes", async () => {
  const ctx = put({ body: new Uint8Array(1024) });
  assert.equal(okResponse(await putObject(ctx)).status, 200);
});

Deno.test("putObject() answers IncompleteBody when the body is shorter than declared", async () => {
  errorOf(await putObject(put({ body: "abc", contentLength: 4 })), "IncompleteBody");
});

Deno.test("putObject() with If-None-Match: * over an existing object is PreconditionFailed", async () => {
  const ctx = put({ headers: { "if-none-match": "*" } });
  await seed(ctx.backend, "k", "old");
  errorOf(await putObject(ctx), "PreconditionFailed");
  assert.equal(await storedText(ctx.backend, "k"), "old");
});

Deno.test("putObject() with If-None-Match other than * is NotImplemented", async () => {
  errorOf(await putObject(put({ headers: { "if-none-match": '"abc"' } })), "NotImplemented");
});

Deno.test("putObject() with If-Match on a missing key is NoSuchKey; a matching one overwrites", async () => {
  errorOf(await putObject(put({ headers: { "if-match": ABC_ETAG } })), "NoSuchKey");
  const ctx = put({ headers: { "if-match": ABC_ETAG }, body: "new" });
  await seed(ctx.backend, "k", "abc");
  okResponse(await putObject(ctx));
  assert.equal(await storedText(ctx.backend, "k"), "new");
});

Deno.test("putObject() passes the store's response headers and forwards write headers", async () => {
  const inner = createMemoryBackend({ clock: { now: () => NOW } });
  let forwarded: unknown;
  const backend: Backend = {
    ...inner,
    put: async (key, body, o) => {
      forwarded = o.forward;
      const r = await inner.put(key, body, o);
      return r.ok
        ? ok({ ...r.value, backendHeaders: { "x-amz-server-side-encryption": "AES256" } })
        : r;
    },
  };
  const ctx = put({
    backend,
    headers: { "x-amz-storage-class": "GLACIER", "x-amz-acl": "public-read" },
  });
  const res = okResponse(await putObject(ctx));
  assert.equal(res.headers.get("x-amz-server-side-encryption"), "AES256");
  assert.deepEqual(forwarded, { "x-amz-storage-class": "GLACIER" });
});

Deno.test("putObject() with no body stores an empty object", async () => {
  const ctx = put({ body: null });
  const res = okResponse(await putObject(ctx));
  assert.equal(res.headers.get("etag"), '"d41d8cd98f00b204e9800998ecf8427e"');
  assert.equal(await storedText(ctx.backend, "k"), "");
});
