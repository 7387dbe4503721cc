import assert from "node:assert/strict";
import type { Backend, StoreLocation } from "../../../../src/backends/backend.ts";
import { createMemoryBackend } from "../../../../src/backends/memory.ts";
import { copyObject, copySource, uploadPartCopy } from "../../../../src/s3/ops/copy_object.ts";
import {
  type ContextOptions,
  errorOf,
  identityWith,
  NOW,
  okResponse,
  otherBucket,
  s3Context,
  seed,
  storedText,
} from "./_context.ts";

const ABC_ETAG = '"900150983cd24fb0d6963f7d28e17f72"';
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';

function copy(source: string | null, options: ContextOptions = {}) {
  return s3Context({
    op: "CopyObject",
    method: "PUT",
    key: "dst",
    ...options,
    headers: {
      ...(source !== null ? { "x-amz-copy-source": source } : {}),
      ...Object.fromEntries(new Headers(options.headers)),
    },
  });
}

Deno.test("copySource() reads bucket and key, with or without a leading slash, decoded once", () => {
  for (const raw of ["bkt/a%20b/c%2Bd", "/bkt/a%20b/c%2Bd", "bkt/a%20b/c%2Bd?versionId=null"]) {
    const r = copySource(copy(raw));
    assert.ok(r.ok, raw);
    assert.equal(r.value.bucket.config.name, "bkt");
    assert.equal(r.value.key, "a b/c+d", raw);
  }
});

Deno.test("copySource() refuses a source without bucket or key as InvalidArgument", () => {
  for (const raw of ["", "bkt", "bkt/", "/key-only", "/"]) {
    const r = copySource(copy(raw));
    assert.ok(!r.ok, raw);
    assert.equal(r.error.kind, "InvalidArgument", raw);
    assert.equal(
      r.error.message,
      "Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
    );
  }
});

Deno.test("copySource() refuses a malformed percent-encoding as InvalidArgument", () => {
  const r = copySource(copy("bkt/%E0%A4%A"));
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "InvalidArgument");
  assert.equal(r.error.message, "Invalid copy source encoding");
});

Deno.test("copySource() refuses a source version as NotImplemented", () => {
  const r = copySource(copy("bkt/k?versionId=3HL4kqtJ"));
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "NotImplemented");
});

Deno.test("copySource() answers BucketNotFound for an unknown source bucket", () => {
  const r = copySource(copy("nope/k"));
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "BucketNotFound");
  assert.equal(r.error.message, "The specified bucket does not exist");
});

Deno.test("copySource() needs get_object on the source key", () => {
  const identity = identityWith([{ bucket: "bkt", prefixes: ["mine/"], actions: ["get_object"] }]);
  assert.equal(copySource(copy("bkt/mine/k", { identity })).ok, true);
  const r = copySource(copy("bkt/theirs/k", { identity }));
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "AccessDenied");
});

Deno.test("copyObject() answers CopyObjectResult with the copy's ETag and date", async () => {
  const ctx = copy("bkt/src");
  await seed(ctx.backend, "src", "abc");
  const res = okResponse(await copyObject(ctx));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/xml");
  assert.equal(
    await res.text(),
    XML_HEAD + '<CopyObjectResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      `<LastModified>2026-01-15T12:00:00.000Z</LastModified><ETag>${
        ABC_ETAG.replace(/"/g, "&quot;")
      }</ETag></CopyObjectResult>`,
  );
  assert.equal(await storedText(ctx.backend, "dst"), "abc");
});

Deno.test("copyObject() refuses an unknown metadata directive as InvalidArgument", async () => {
  const ctx = copy("bkt/src", { headers: { "x-amz-metadata-directive": "MERGE" } });
  await seed(ctx.backend, "src", "abc");
  const e = errorOf(await copyObject(ctx), "InvalidArgument");
  assert.equal(e.message, "Unknown metadata directive.");
});

Deno.test("copyObject() takes the directive in any case", async () => {
  const ctx = copy("bkt/src", {
    headers: { "x-amz-metadata-directive": "replace", "content-type": "text/new" },
  });
  await seed(ctx.backend, "src", "abc", { contentType: "text/old" });
  okResponse(await copyObject(ctx));
  const head = await ctx.backend.head("dst");
  assert.ok(head.ok);
  assert.equal(head.value.contentType, "text/new");
});

Deno.test("copyObject() onto itself is InvalidRequest with COPY, allowed with REPLACE", async () => {
  const self = copy("bkt/k", { key: "k" });
  await seed(self.backend, "k", "abc", { contentType: "text/old" });
  errorOf(await copyObject(self), "InvalidRequest");
  const replace = copy("bkt/k", {
    key: "k",
    backend: self.backend,
    headers: { "x-amz-metadata-directive": "REPLACE", "content-type": "text/new" },
  });
  okResponse(await copyObject(replace));
  const head = await self.backend.head("k");
  assert.ok(head.ok);
  assert.equal(head.value.contentType, "text/new");
});

Deno.test("copyObject() answers NoSuchKey for a missing source", async () => {
  errorOf(await copyObject(copy("bkt/absent")), "NoSuchKey");
});

Deno.test("copyObject() turns a copy-source If-None-Match match into 412, never 304", async () => {
  const ctx = copy("bkt/src", { headers: { "x-amz-copy-source-if-none-match": ABC_ETAG } });
  await seed(ctx.backend, "src", "abc");
  const e = errorOf(await copyObject(ctx), "PreconditionFailed");
  assert.equal(e.message, "At least one of the pre-conditions you specified did not hold");
  assert.equal(await storedText(ctx.backend, "dst"), undefined);
});

Deno.test("copyObject() refuses a copy-source If-Match mismatch with 412", async () => {
  const ctx = copy("bkt/src", { headers: { "x-amz-copy-source-if-match": '"other"' } });
  await seed(ctx.backend, "src", "abc");
  errorOf(await copyObject(ctx), "PreconditionFailed");
});

Deno.test("copyObject() applies the destination's If-None-Match: *", async () => {
  const ctx = copy("bkt/src", { headers: { "if-none-match": "*" } });
  await seed(ctx.backend, "src", "abc");
  await seed(ctx.backend, "dst", "old");
  errorOf(await copyObject(ctx), "PreconditionFailed");
  assert.equal(await storedText(ctx.backend, "dst"), "old");
});

Deno.test("copyObject() between backends streams the bytes and keeps metadata and checksums", async () => {
  const source = otherBucket("src-bkt");
  const put = await source.backend.put(
    "s",
    new Blob(["abc"]).stream(),
    {
      meta: { userMetadata: { a: "1" }, contentType: "text/plain" },
      contentLength: 3,
      checksums: { CRC32: "NSRBwg==" },
    },
  );
  assert.ok(put.ok);
  const ctx = copy("src-bkt/s", { others: { "src-bkt": source } });
  okResponse(await copyObject(ctx));
  const head = await ctx.backend.head("dst");
  assert.ok(head.ok);
  assert.equal(head.value.contentType, "text/plain");
  assert.deepEqual({ ...head.value.userMetadata }, { a: "1" });
  assert.deepEqual(head.value.checksums, { CRC32: "NSRBwg==" });
  assert.equal(await storedText(ctx.backend, "dst"), "abc");
});

Deno.test("copyObject() between backends checks the source conditions on what it read", async () => {
  const source = otherBucket("src-bkt");
  await seed(source.backend, "s", "abc");
  const ctx = copy("src-bkt/s", {
    others: { "src-bkt": source },
    headers: { "x-amz-copy-source-if-unmodified-since": "Wed, 14 Jan 2026 00:00:00 GMT" },
  });
  errorOf(await copyObject(ctx), "PreconditionFailed");
  assert.equal(await storedText(ctx.backend, "dst"), undefined);
});

Deno.test("copyObject() between two buckets of one store uses the store's copyFrom", async () => {
  const located = (bucket: string, inner: Backend): Backend => ({
    ...inner,
    locate: (key): StoreLocation => ({ store: "store-1", bucket, key }),
  });
  const source = otherBucket(
    "src-bkt",
    located("b1", createMemoryBackend({ clock: { now: () => NOW } })),
  );
  await seed(source.backend, "s", "abc");
  const calls: [StoreLocation, string][] = [];
  const dest: Backend = {
    ...located("b2", createMemoryBackend({ clock: { now: () => NOW } })),
    copyFrom: (from, dst) => {
      calls.push([from, dst]);
      return Promise.resolve({
        ok: true,
        value: { key: dst, size: 3, etag: ABC_ETAG, lastModified: new Date(NOW), userMetadata: {} },
      });
    },
  };
  const ctx = copy("src-bkt/s", { backend: dest, others: { "src-bkt": source } });
  okResponse(await copyObject(ctx));
  assert.deepEqual(calls, [[{ store: "store-1", bucket: "b1", key: "s" }, "dst"]]);
});

function partCopy(options: ContextOptions & { uploadId?: string; partNumber?: string } = {}) {
  return copy("bkt/src", {
    op: "UploadPartCopy",
    ...options,
    query: { uploadId: options.uploadId ?? "", partNumber: options.partNumber ?? "1" },
  });
}

async function startUpload(backend: Backend): Promise<string> {
  await seed(backend, "src", "abcdef");
  const id = await backend.createMultipartUpload("dst", { meta: { userMetadata: {} } });
  assert.ok(id.ok);
  return id.value;
}

Deno.test("uploadPartCopy() answers CopyPartResult with the part's ETag and the clock's time", async () => {
  const ctx = partCopy();
  const uploadId = await startUpload(ctx.backend);
  const res = okResponse(
    await uploadPartCopy(
      partCopy({
        backend: ctx.backend,
        uploadId,
        headers: { "x-amz-copy-source-range": "bytes=1-3" },
      }),
    ),
  );
  const bcdEtag = '"' + "d4b7c284882ca9e208bb65e8abd5f4c8" + '"';
  assert.equal(
    await res.text(),
    XML_HEAD + '<CopyPartResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      `<LastModified>2026-01-15T12:00:00.000Z</LastModified><ETag>${
        bcdEtag.replace(/"/g, "&quot;")
      }</ETag></CopyPartResult>`,
  );
  const parts = await ctx.backend.listParts({ key: "dst", uploadId }, { maxParts: 10 });
  assert.ok(parts.ok);
  assert.deepEqual(parts.value.parts.map((p) => [p.partNumber, p.size, p.etag]), [[1, 3, bcdEtag]]);
});

Deno.test("uploadPartCopy() requires an uploadId and a part number in 1..10000 first", async () => {
  const noId = errorOf(await uploadPartCopy(partCopy()), "InvalidArgument");
  assert.equal(noId.message, "uploadId is required");
  for (const partNumber of ["0", "10001", "1.5", "", "-1"]) {
    const e = errorOf(
      await uploadPartCopy(partCopy({ uploadId: "u", partNumber })),
      "InvalidArgument",
    );
    assert.equal(
      e.message,
      "Part number must be an integer between 1 and 10000, inclusive",
      partNumber,
    );
  }
});

Deno.test("uploadPartCopy() refuses a range that is not bytes=first-last as InvalidArgument", async () => {
  const ctx = partCopy();
  const uploadId = await startUpload(ctx.backend);
  for (const range of ["bytes=1-", "bytes=-2", "bytes=3-1", "items=0-1", "bytes=0-1,2-3"]) {
    const e = errorOf(
      await uploadPartCopy(
        partCopy({ backend: ctx.backend, uploadId, headers: { "x-amz-copy-source-range": range } }),
      ),
      "InvalidArgument",
    );
    assert.equal(
      e.message,
      "The x-amz-copy-source-range value must be of the form bytes=first-last",
      range,
    );
  }
});

Deno.test("uploadPartCopy() takes a range ending at the last byte and refuses one past it", async () => {
  const ctx = partCopy();
  const uploadId = await startUpload(ctx.backend);
  const last = partCopy({
    backend: ctx.backend,
    uploadId,
    headers: { "x-amz-copy-source-range": "bytes=0-5" },
  });
  await okResponse(await uploadPartCopy(last)).body?.cancel();
  const past = partCopy({
    backend: ctx.backend,
    uploadId,
    headers: { "x-amz-copy-source-range": "bytes=0-6" },
  });
  const e = errorOf(await uploadPartCopy(past), "InvalidRange");
  assert.equal(
    e.message,
    "The x-amz-copy-source-range value ends at byte 6, beyond the source object of size 6",
  );
});

Deno.test("uploadPartCopy() answers NoSuchUpload for an unknown upload", async () => {
  const ctx = partCopy({ uploadId: "0".repeat(48) });
  await seed(ctx.backend, "src", "abcdef");
  errorOf(await uploadPartCopy(ctx), "NoSuchUpload");
});

Deno.test("uploadPartCopy() turns copy-source preconditions into 412 and makes no part", async () => {
  const ctx = partCopy();
  const uploadId = await startUpload(ctx.backend);
  const r = await uploadPartCopy(partCopy({
    backend: ctx.backend,
    uploadId,
    headers: { "x-amz-copy-source-if-modified-since": "Fri, 16 Jan 2026 00:00:00 GMT" },
  }));
  errorOf(r, "PreconditionFailed");
  const parts = await ctx.backend.listParts({ key: "dst", uploadId }, { maxParts: 10 });
  assert.ok(parts.ok);
  assert.equal(parts.value.parts.length, 0);
});

Deno.test("uploadPartCopy() authorizes the source as a read", async () => {
  const identity = identityWith([{ bucket: "bkt", prefixes: ["dst"], actions: ["upload_part"] }]);
  const ctx = partCopy({ identity, uploadId: "u" });
  errorOf(await uploadPartCopy(ctx), "AccessDenied");
});
