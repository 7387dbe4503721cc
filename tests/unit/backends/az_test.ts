import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createHmac } from "node:crypto";
import { isAzInternal } from "../../../src/backends/az/az.ts";
import { blockId, blocksOf } from "../../../src/backends/az/blocks.ts";
import {
  azureMetaName,
  blobHeaders,
  metaFromHeaders,
  s3MetaName,
} from "../../../src/backends/az/metadata.ts";
import { sharedKeyAuthorization, stringToSign } from "../../../src/backends/az/shared_key.ts";

Deno.test("stringToSign() lists the verb, standard headers, x-ms- headers and the resource", () => {
  const url = new URL(
    "http://127.0.0.1:10000/devstoreaccount1/c/a%20b.txt?comp=block&blockid=QUJD%3D&Zeta=2&zeta=1",
  );
  const headers = {
    "content-length": "5",
    "content-type": "text/plain",
    "if-match": '"0x1"',
    "x-ms-version": "2021-12-02",
    "x-ms-date": "Sat, 28 Nov 2026 06:00:00 GMT",
    "x-ms-meta-Color": "  blue   sky ",
    "user-agent": "ignored",
  };
  assert.equal(
    stringToSign("devstoreaccount1", { method: "put", url, headers }),
    [
      "PUT",
      "", // Content-Encoding
      "", // Content-Language
      "5",
      "", // Content-MD5
      "text/plain",
      "", // Date (x-ms-date is used)
      "", // If-Modified-Since
      '"0x1"',
      "", // If-None-Match
      "", // If-Unmodified-Since
      "", // Range
      "x-ms-date:Sat, 28 Nov 2026 06:00:00 GMT",
      "x-ms-meta-Color:blue sky",
      "x-ms-version:2021-12-02",
      "/devstoreaccount1/devstoreaccount1/c/a%20b.txt",
      "blockid:QUJD=",
      "comp:block",
      "zeta:1,2",
    ].join("\n"),
  );
});

Deno.test("stringToSign() signs a zero Content-Length as empty", () => {
  const url = new URL("https://acct.blob.core.windows.net/c/k");
  const s = stringToSign("acct", { method: "GET", url, headers: { "content-length": "0" } });
  assert.equal(s.split("\n")[3], "");
  assert.ok(s.endsWith("\n/acct/c/k"));
});

Deno.test("sharedKeyAuthorization() is HMAC-SHA256 of the string under the decoded key", () => {
  const key = Buffer.from("0123456789abcdef0123456789abcdef").toString("base64");
  const req = {
    method: "GET",
    url: new URL("https://acct.blob.core.windows.net/c/k"),
    headers: {},
  };
  const want = createHmac("sha256", Buffer.from(key, "base64")).update(stringToSign("acct", req))
    .digest("base64");
  assert.equal(
    sharedKeyAuthorization({ accountName: "acct", accountKey: key }, req),
    `SharedKey acct:${want}`,
  );
});

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

Deno.test("blockId() has one length for every block number", () => {
  const id = "0".repeat(48);
  assert.equal(blockId(id, 1).length, blockId(id, 50000).length);
  assert.equal(Buffer.from(blockId(id, 7), "base64").toString(), `${id}-00007`);
});

Deno.test("blocksOf() cuts a known length into streamed slices and an unknown one into buffers", async () => {
  const bytes = new Uint8Array(25).map((_, i) => i);
  const source = () =>
    new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 25; i += 7) c.enqueue(bytes.slice(i, i + 7));
        c.close();
      },
    });
  const collect = async (length: number | undefined) => {
    const out: number[][] = [];
    for await (const b of blocksOf(source(), length, { blockSize: 10, bufferSize: 8 })) {
      const data = b.kind === "bytes"
        ? b.bytes
        : new Uint8Array(await new Response(b.stream).arrayBuffer());
      if (b.kind === "stream") assert.equal(data.length, b.length);
      out.push([...data]);
    }
    return out;
  };
  const known = await collect(25);
  assert.deepEqual(known.map((b) => b.length), [10, 10, 5]);
  assert.deepEqual(known.flat(), [...bytes]);
  const unknown = await collect(undefined);
  assert.deepEqual(unknown.map((b) => b.length), [8, 8, 8, 1]);
  assert.deepEqual(unknown.flat(), [...bytes]);
});

Deno.test("isAzInternal() sees .bucketgate/ through slashes, dot segments, backslashes and trailing dots", () => {
  for (
    const name of [
      ".bucketgate",
      ".bucketgate/",
      ".bucketgate/uploads/x/upload",
      "/.bucketgate/uploads/",
      "//.bucketgate/x",
      "./.bucketgate/x",
      "a/../.bucketgate/x",
      "v2/../.bucketgate/x",
      ".bucketgate./x",
      ".bucketgate\\uploads\\x",
      "\\.bucketgate/x",
      ".../.bucketgate/x",
    ]
  ) {
    assert.ok(isAzInternal(name), name);
  }
  for (
    const name of [".Bucketgate/x", ".BUCKETGATE/x", "v2/.bucketgate/x", ".bucketgatex", "x", ""]
  ) {
    assert.ok(!isAzInternal(name), name);
  }
});
