import assert from "node:assert/strict";
import {
  bodyStream,
  discardObjectBody,
  httpMetaOf,
  type ObjectMeta,
} from "../../../src/backends/backend.ts";

Deno.test("httpMetaOf(): keeps the HTTP metadata only, dropping size, ETag, checksums and parts", () => {
  const meta: ObjectMeta = {
    key: "k",
    size: 3,
    etag: '"e"',
    lastModified: new Date(0),
    contentType: "text/plain",
    contentEncoding: "gzip",
    contentDisposition: "inline",
    contentLanguage: "en",
    cacheControl: "no-cache",
    expires: "Thu, 01 Jan 2037 00:00:00 GMT",
    userMetadata: { a: "1" },
    checksums: { CRC32: "AAAAAA==" },
    checksumType: "FULL_OBJECT",
    backendHeaders: { "x-amz-version-id": "v" },
    partsCount: 2,
    partSizes: [1, 2],
  };
  assert.deepEqual(httpMetaOf(meta), {
    contentType: "text/plain",
    contentEncoding: "gzip",
    contentDisposition: "inline",
    contentLanguage: "en",
    cacheControl: "no-cache",
    expires: "Thu, 01 Jan 2037 00:00:00 GMT",
    userMetadata: { a: "1" },
  });
  const plain: ObjectMeta = {
    key: "k",
    size: 0,
    etag: '"e"',
    lastModified: new Date(0),
    userMetadata: {},
  };
  const bare = httpMetaOf(plain);
  assert.deepEqual(Object.keys(bare), ["userMetadata"]); // absent fields stay absent, not undefined
});

Deno.test("bodyStream(): bytes become a one-chunk stream (none when empty); a stream is itself", async () => {
  const bytes = new TextEncoder().encode("abc");
  assert.equal(await new Response(bodyStream(bytes)).text(), "abc");
  const empty = bodyStream(new Uint8Array(0)).getReader();
  assert.equal((await empty.read()).done, true);
  const s = new Blob(["x"]).stream();
  assert.equal(bodyStream(s), s);
});

Deno.test("discardObjectBody(): cancels a stream; bytes need nothing", async () => {
  let cancelled = false;
  const s = new ReadableStream<Uint8Array>({ cancel: () => void (cancelled = true) });
  await discardObjectBody(s);
  assert.equal(cancelled, true);
  await discardObjectBody(new Uint8Array(3));
});
