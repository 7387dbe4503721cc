import assert from "node:assert/strict";
import { ANONYMOUS } from "../../../../src/auth/identity.ts";
import type { Backend } from "../../../../src/backends/backend.ts";
import { MIN_PART_SIZE } from "../../../../src/backends/etag.ts";
import { getObject, headObject } from "../../../../src/s3/ops/get_object.ts";
import { errorOf, okResponse, s3Context, seed, streamOf } from "./_context.ts";

const LAST_MODIFIED = "Thu, 15 Jan 2026 12:00:00 GMT";

Deno.test("getObject() answers 200 with the object's headers and bytes", async () => {
  const ctx = s3Context({ key: "k" });
  const meta = await seed(ctx.backend, "k", "hello", {
    userMetadata: { color: "blue" },
    cacheControl: "no-cache",
  });
  const res = okResponse(await getObject(ctx));
  assert.equal(res.status, 200);
  assert.equal(await res.text(), "hello");
  assert.deepEqual(Object.fromEntries(res.headers), {
    "accept-ranges": "bytes",
    "cache-control": "no-cache",
    "content-length": "5",
    "content-type": "binary/octet-stream",
    etag: meta.etag,
    "last-modified": LAST_MODIFIED,
    "x-amz-meta-color": "blue",
  });
});

Deno.test("getObject() answers 206 for a Range", async () => {
  const ctx = s3Context({ key: "k", headers: { range: "bytes=1-3" } });
  await seed(ctx.backend, "k", "abcdef");
  const res = okResponse(await getObject(ctx));
  assert.equal(res.status, 206);
  assert.equal(res.headers.get("content-range"), "bytes 1-3/6");
  assert.equal(res.headers.get("content-length"), "3");
  assert.equal(await res.text(), "bcd");
});

Deno.test("getObject() answers 206 for a suffix Range longer than the object", async () => {
  const ctx = s3Context({ key: "k", headers: { range: "bytes=-100" } });
  await seed(ctx.backend, "k", "abcdef");
  const res = okResponse(await getObject(ctx));
  assert.equal(res.status, 206);
  assert.equal(res.headers.get("content-range"), "bytes 0-5/6");
  assert.equal(await res.text(), "abcdef");
});

Deno.test("getObject() serves the whole object for a Range it does not understand", async () => {
  for (const range of ["bytes=0-1,3-4", "items=0-1", "bytes=5-1"]) {
    const ctx = s3Context({ key: "k", headers: { range } });
    await seed(ctx.backend, "k", "abcdef");
    const res = okResponse(await getObject(ctx));
    assert.equal(res.status, 200, range);
    assert.equal(res.headers.get("content-range"), null, range);
    assert.equal(await res.text(), "abcdef", range);
  }
});

Deno.test("getObject() answers InvalidRange for a Range starting at the object's size", async () => {
  const ctx = s3Context({ key: "k", headers: { range: "bytes=6-" } });
  await seed(ctx.backend, "k", "abcdef");
  errorOf(await getObject(ctx), "InvalidRange");
});

Deno.test("getObject() answers NoSuchKey for a missing key", async () => {
  errorOf(await getObject(s3Context({ key: "absent" })), "NoSuchKey");
});

Deno.test("getObject() refuses a versionId other than null with NotImplemented", async () => {
  const ctx = s3Context({ key: "k", query: { versionId: "v1" } });
  await seed(ctx.backend, "k", "x");
  errorOf(await getObject(ctx), "NotImplemented");
  const nullVersion = s3Context({ key: "k", query: { versionId: "null" }, backend: ctx.backend });
  assert.equal(okResponse(await getObject(nullVersion)).status, 200);
});

Deno.test("getObject() applies all six response-* overrides", async () => {
  const ctx = s3Context({
    key: "k",
    query: {
      "response-content-type": "text/csv",
      "response-content-language": "fr",
      "response-expires": "Wed, 21 Oct 2030 07:28:00 GMT",
      "response-cache-control": "max-age=60",
      "response-content-disposition": 'attachment; filename="a.csv"',
      "response-content-encoding": "gzip",
    },
  });
  await seed(ctx.backend, "k", "x", { contentType: "text/plain" });
  const res = okResponse(await getObject(ctx));
  await res.body?.cancel();
  assert.equal(res.headers.get("content-type"), "text/csv");
  assert.equal(res.headers.get("content-language"), "fr");
  assert.equal(res.headers.get("expires"), "Wed, 21 Oct 2030 07:28:00 GMT");
  assert.equal(res.headers.get("cache-control"), "max-age=60");
  assert.equal(res.headers.get("content-disposition"), 'attachment; filename="a.csv"');
  assert.equal(res.headers.get("content-encoding"), "gzip");
});

Deno.test("getObject() refuses response-* overrides from an anonymous caller", async () => {
  const ctx = s3Context({
    key: "k",
    identity: ANONYMOUS,
    query: { "response-cache-control": "no-store" },
  });
  await seed(ctx.backend, "k", "x");
  const e = errorOf(await getObject(ctx), "InvalidRequest");
  assert.equal(
    e.message,
    "Request specific response headers cannot be used for anonymous GET requests.",
  );
});

async function withChecksum(backend: Backend): Promise<void> {
  const put = await backend.put("k", streamOf("abc"), {
    meta: { userMetadata: {} },
    contentLength: 3,
    checksums: { CRC32: "NSRBwg==" },
  });
  assert.ok(put.ok);
}

Deno.test("getObject() sends stored checksums only with x-amz-checksum-mode: ENABLED", async () => {
  const ctx = s3Context({ key: "k", headers: { "x-amz-checksum-mode": "enabled" } });
  await withChecksum(ctx.backend);
  const res = okResponse(await getObject(ctx));
  await res.body?.cancel();
  assert.equal(res.headers.get("x-amz-checksum-crc32"), "NSRBwg==");
  assert.equal(res.headers.get("x-amz-checksum-type"), "FULL_OBJECT");

  const plain = okResponse(await getObject(s3Context({ key: "k", backend: ctx.backend })));
  await plain.body?.cancel();
  assert.equal(plain.headers.get("x-amz-checksum-crc32"), null);
});

Deno.test("getObject() sends no whole-object checksum with a Range", async () => {
  const ctx = s3Context({
    key: "k",
    headers: { "x-amz-checksum-mode": "ENABLED", range: "bytes=0-0" },
  });
  await withChecksum(ctx.backend);
  const res = okResponse(await getObject(ctx));
  await res.body?.cancel();
  assert.equal(res.status, 206);
  assert.equal(res.headers.get("x-amz-checksum-crc32"), null);
  assert.equal(res.headers.get("x-amz-checksum-type"), null);
});

Deno.test("getObject() answers NotModified carrying the validators for a matching If-None-Match", async () => {
  const ctx = s3Context({ key: "k" });
  const meta = await seed(ctx.backend, "k", "x");
  const e = errorOf(
    await getObject(
      s3Context({ key: "k", backend: ctx.backend, headers: { "if-none-match": meta.etag } }),
    ),
    "NotModified",
  );
  assert.deepEqual(e.headers, { etag: meta.etag, "last-modified": LAST_MODIFIED });
});

Deno.test("getObject() refuses partNumber together with Range as InvalidRequest", async () => {
  const ctx = s3Context({ key: "k", query: { partNumber: "1" }, headers: { range: "bytes=0-0" } });
  await seed(ctx.backend, "k", "x");
  const e = errorOf(await getObject(ctx), "InvalidRequest");
  assert.equal(e.message, "Cannot specify both Range header and partNumber query parameter");
});

Deno.test("getObject() checks partNumber's form before the Range conflict", async () => {
  const ctx = s3Context({ key: "k", query: { partNumber: "0" }, headers: { range: "bytes=0-0" } });
  await seed(ctx.backend, "k", "x");
  errorOf(await getObject(ctx), "InvalidArgument");
});

Deno.test("getObject() refuses a versionId before looking at partNumber", async () => {
  const ctx = s3Context({ key: "k", query: { partNumber: "abc", versionId: "v" } });
  errorOf(await getObject(ctx), "NotImplemented");
});

async function twoPartObject(backend: Backend): Promise<void> {
  const id = await backend.createMultipartUpload("mp", { meta: { userMetadata: {} } });
  assert.ok(id.ok);
  const one = await backend.uploadPart({ key: "mp", uploadId: id.value }, {
    partNumber: 1,
    body: streamOf(new Uint8Array(MIN_PART_SIZE)),
  });
  const two = await backend.uploadPart({ key: "mp", uploadId: id.value }, {
    partNumber: 2,
    body: streamOf("tail"),
  });
  assert.ok(one.ok && two.ok);
  const done = await backend.completeMultipartUpload({ key: "mp", uploadId: id.value }, [
    { partNumber: 1, etag: one.value.etag },
    { partNumber: 2, etag: two.value.etag },
  ]);
  assert.ok(done.ok);
}

Deno.test("getObject() by partNumber names the parts count of a multipart object", async () => {
  const ctx = s3Context({ key: "mp", query: { partNumber: "2" } });
  await twoPartObject(ctx.backend);
  const res = okResponse(await getObject(ctx));
  assert.equal(res.status, 206);
  assert.equal(res.headers.get("x-amz-mp-parts-count"), "2");
  assert.equal(
    res.headers.get("content-range"),
    `bytes ${MIN_PART_SIZE}-${MIN_PART_SIZE + 3}/${MIN_PART_SIZE + 4}`,
  );
  assert.equal(await res.text(), "tail");
});

Deno.test("getObject() without partNumber sends no parts count", async () => {
  const ctx = s3Context({ key: "mp", headers: { range: "bytes=0-0" } });
  await twoPartObject(ctx.backend);
  const res = okResponse(await getObject(ctx));
  await res.body?.cancel();
  assert.equal(res.headers.get("x-amz-mp-parts-count"), null);
});

Deno.test("headObject() answers 200 with the GET headers and no body", async () => {
  const ctx = s3Context({ key: "k", method: "HEAD", op: "HeadObject" });
  const meta = await seed(ctx.backend, "k", "hello", { contentType: "text/plain" });
  const res = okResponse(await headObject(ctx));
  assert.equal(res.status, 200);
  assert.equal(res.body, null);
  assert.equal(res.headers.get("content-length"), "5");
  assert.equal(res.headers.get("content-type"), "text/plain");
  assert.equal(res.headers.get("etag"), meta.etag);
});

Deno.test("headObject() answers 206 with Content-Range for a Range", async () => {
  const ctx = s3Context({ key: "k", headers: { range: "bytes=2-" } });
  await seed(ctx.backend, "k", "abcdef");
  const res = okResponse(await headObject(ctx));
  assert.equal(res.status, 206);
  assert.equal(res.body, null);
  assert.equal(res.headers.get("content-range"), "bytes 2-5/6");
  assert.equal(res.headers.get("content-length"), "4");
});

Deno.test("headObject() answers InvalidRange for an unsatisfiable Range", async () => {
  const ctx = s3Context({ key: "k", headers: { range: "bytes=10-20" } });
  await seed(ctx.backend, "k", "abcdef");
  errorOf(await headObject(ctx), "InvalidRange");
});

Deno.test("headObject() evaluates conditions before the Range", async () => {
  const ctx = s3Context({ key: "k", headers: { range: "bytes=10-20", "if-match": '"other"' } });
  const meta = await seed(ctx.backend, "k", "abcdef");
  const e = errorOf(await headObject(ctx), "PreconditionFailed");
  assert.deepEqual(e.headers, { etag: meta.etag, "last-modified": LAST_MODIFIED });
});

Deno.test("headObject() answers NoSuchKey for a missing key", async () => {
  errorOf(await headObject(s3Context({ key: "absent" })), "NoSuchKey");
});

Deno.test("headObject() by partNumber answers 206 without a body and with the parts count", async () => {
  const ctx = s3Context({ key: "mp", query: { partNumber: "1" } });
  await twoPartObject(ctx.backend);
  const res = okResponse(await headObject(ctx));
  assert.equal(res.status, 206);
  assert.equal(res.body, null);
  assert.equal(res.headers.get("content-length"), String(MIN_PART_SIZE));
  assert.equal(res.headers.get("x-amz-mp-parts-count"), "2");
});

Deno.test("headObject() by partNumber beyond the last part is InvalidPartNumber", async () => {
  const ctx = s3Context({ key: "mp", query: { partNumber: "3" } });
  await twoPartObject(ctx.backend);
  errorOf(await headObject(ctx), "InvalidPartNumber");
});

Deno.test("headObject() refuses response-* overrides from an anonymous caller", async () => {
  const ctx = s3Context({
    key: "k",
    identity: ANONYMOUS,
    query: { "response-content-type": "text/html" },
  });
  await seed(ctx.backend, "k", "x");
  errorOf(await headObject(ctx), "InvalidRequest");
});
