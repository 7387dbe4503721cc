import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  azureMetaName,
  blobHeaders,
  metaFromHeaders,
  s3MetaName,
} from "../../../../src/backends/az/metadata.ts";

Deno.test("metadata names that are not C# identifiers round-trip through bgx_ hex", () => {
  for (const name of ["color", "two-words", "bgcolor", "with.dot", "ünï", "_x", "9lives"]) {
    const az = azureMetaName(name);
    assert.match(az, /^[a-z_][a-z0-9_]*$/, name);
    assert.equal(s3MetaName(az), name);
  }
  assert.equal(azureMetaName("color"), "color");
  assert.equal(s3MetaName("bgi_etag"), undefined, "internal fields are not user metadata");
});

Deno.test("blobHeaders() and metaFromHeaders() carry S3 metadata, Expires and the multipart ETag", () => {
  const h = blobHeaders(
    {
      contentType: "text/plain",
      expires: "Thu, 01 Dec 2030 16:00:00 GMT",
      userMetadata: { "two-words": "a b" },
    },
    { etag: "abc-2", checksums: { CRC32: "AAAAAA==" } },
  );
  const response = new Headers({
    "content-type": h["x-ms-blob-content-type"]!,
    "content-length": "7",
    "content-md5": Buffer.from("00112233445566778899aabbccddeeff", "hex").toString("base64"),
    etag: '"0x8D"',
    "last-modified": "Sat, 28 Nov 2026 06:00:00 GMT",
  });
  for (const [k, v] of Object.entries(h)) if (k.startsWith("x-ms-meta-")) response.set(k, v);
  const meta = metaFromHeaders("k", response);
  assert.equal(meta.etag, '"abc-2"', "the stored multipart ETag wins");
  assert.equal(meta.expires, "Thu, 01 Dec 2030 16:00:00 GMT");
  assert.deepEqual(meta.userMetadata, { "two-words": "a b" });
  assert.deepEqual(meta.checksums, { CRC32: "AAAAAA==" });
  response.delete("x-ms-meta-bgi_etag");
  assert.equal(metaFromHeaders("k", response).etag, '"00112233445566778899aabbccddeeff"');
  response.delete("content-md5");
  assert.equal(metaFromHeaders("k", response).etag, '"0x8D"');
});
