import assert from "node:assert/strict";
import type { Backend } from "../../../../src/backends/backend.ts";
import { createMemoryBackend } from "../../../../src/backends/memory.ts";
import { proxyError } from "../../../../src/errors.ts";
import { err } from "../../../../src/result.ts";
import { encodeToken, listObjectsV1, listObjectsV2 } from "../../../../src/s3/ops/list_objects.ts";
import { type ContextOptions, errorOf, okResponse, s3Context, seed } from "./_context.ts";

const OPEN = '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">';
const A_ETAG = "&quot;0cc175b9c0f1b6a831c399e269772661&quot;";
const CONTENTS_A = `<Contents><Key>a</Key><LastModified>2026-01-15T12:00:00.000Z</LastModified>` +
  `<ETag>${A_ETAG}</ETag><Size>1</Size><StorageClass>STANDARD</StorageClass></Contents>`;

async function withKeys(keys: readonly string[], options: ContextOptions = {}) {
  const ctx = s3Context({ op: "ListObjectsV2", ...options });
  for (const k of keys) await seed(ctx.backend, k, "a");
  return ctx;
}

function list(backend: Backend, query: Record<string, string>) {
  return s3Context({ op: "ListObjectsV2", backend, query });
}

/** The text of every `<name>` element, in order. */
function elements(xml: string, name: string): string[] {
  return [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, "g"))].map((m) => m[1]!);
}

/** A backend that fails every listing. */
function failingList(): Backend {
  return {
    ...createMemoryBackend(),
    list: () => Promise.resolve(err(proxyError("BackendError", "store down"))),
  };
}

Deno.test("listObjectsV2() renders a page exactly", async () => {
  const ctx = await withKeys(["a"], { query: { "list-type": "2" } });
  const res = okResponse(await listObjectsV2(ctx));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/xml");
  assert.equal(
    await res.text(),
    OPEN + "<Name>bkt</Name><Prefix></Prefix><MaxKeys>1000</MaxKeys><KeyCount>1</KeyCount>" +
      "<IsTruncated>false</IsTruncated>" + CONTENTS_A + "</ListBucketResult>",
  );
});

Deno.test("listObjectsV2() with fetch-owner=true names the configured owner in each entry", async () => {
  const ctx = await withKeys(["a"], { query: { "fetch-owner": "true" } });
  const xml = await okResponse(await listObjectsV2(ctx)).text();
  assert.equal(
    elements(xml, "ID").concat(elements(xml, "DisplayName")).join(","),
    "owner-id,owner-name",
  );
  assert.ok(xml.includes("<Size>1</Size><Owner><ID>owner-id</ID>"));
});

Deno.test("listObjectsV2() counts keys and common prefixes in KeyCount", async () => {
  const ctx = await withKeys(["a", "d/1", "d/2", "e/1"]);
  const xml = await okResponse(await listObjectsV2(list(ctx.backend, { delimiter: "/" }))).text();
  assert.deepEqual(elements(xml, "KeyCount"), ["3"]);
  assert.deepEqual(elements(xml, "Prefix"), ["", "d/", "e/"]);
  assert.deepEqual(elements(xml, "Delimiter"), ["/"]);
});

Deno.test("listObjectsV2() gives a NextContinuationToken that resumes after the last key", async () => {
  const ctx = await withKeys(["a", "b", "c"]);
  const first = await okResponse(await listObjectsV2(list(ctx.backend, { "max-keys": "2" })))
    .text();
  assert.deepEqual(elements(first, "IsTruncated"), ["true"]);
  assert.deepEqual(elements(first, "NextContinuationToken"), [encodeToken("b")]);
  const token = encodeToken("b");
  const second = await okResponse(
    await listObjectsV2(list(ctx.backend, { "continuation-token": token, "start-after": "a" })),
  ).text();
  assert.deepEqual(elements(second, "Key"), ["c"]);
  assert.deepEqual(elements(second, "ContinuationToken"), [token]);
  assert.deepEqual(elements(second, "StartAfter"), ["a"]);
  assert.deepEqual(elements(second, "NextContinuationToken"), []);
});

Deno.test("listObjectsV2() starts after start-after when no token is given", async () => {
  const ctx = await withKeys(["a", "b", "c"]);
  const xml = await okResponse(await listObjectsV2(list(ctx.backend, { "start-after": "a" })))
    .text();
  assert.deepEqual(elements(xml, "Key"), ["b", "c"]);
});

Deno.test("listObjectsV2() refuses a continuation token it did not issue", async () => {
  for (const token of ["!!", "a+b", "_w"]) {
    const e = errorOf(
      await listObjectsV2(s3Context({ query: { "continuation-token": token } })),
      "InvalidArgument",
    );
    assert.equal(e.message, "The continuation token provided is incorrect", token);
  }
});

Deno.test("listObjectsV2() with max-keys=0 answers an empty page without asking the store", async () => {
  const ctx = s3Context({ backend: failingList(), query: { "max-keys": "0" } });
  const xml = await okResponse(await listObjectsV2(ctx)).text();
  assert.deepEqual(elements(xml, "MaxKeys"), ["0"]);
  assert.deepEqual(elements(xml, "KeyCount"), ["0"]);
  assert.deepEqual(elements(xml, "IsTruncated"), ["false"]);
});

Deno.test("listObjectsV2() caps max-keys at 1000 and refuses negative or non-integer values", async () => {
  const capped = await okResponse(await listObjectsV2(s3Context({ query: { "max-keys": "5000" } })))
    .text();
  assert.deepEqual(elements(capped, "MaxKeys"), ["1000"]);
  for (const v of ["-1", "1e3", "ten"]) {
    errorOf(await listObjectsV2(s3Context({ query: { "max-keys": v } })), "InvalidArgument");
  }
});

Deno.test("listObjectsV2() refuses an encoding-type other than url", async () => {
  const e = errorOf(
    await listObjectsV2(s3Context({ query: { "encoding-type": "base64" } })),
    "InvalidArgument",
  );
  assert.equal(e.message, "Invalid Encoding Method specified in Request");
});

Deno.test("listObjectsV2() passes a store's failure on", async () => {
  errorOf(await listObjectsV2(s3Context({ backend: failingList() })), "BackendError");
});

Deno.test("listObjectsV1() renders Marker and no NextMarker without a delimiter", async () => {
  const ctx = await withKeys(["a", "b", "c"]);
  const xml = await okResponse(
    await listObjectsV1(list(ctx.backend, { marker: "a", "max-keys": "1" })),
  ).text();
  assert.ok(
    xml.startsWith(
      OPEN + "<Name>bkt</Name><Prefix></Prefix><Marker>a</Marker><MaxKeys>1</MaxKeys>" +
        "<IsTruncated>true</IsTruncated><Contents><Key>b</Key>",
    ),
    xml,
  );
  assert.deepEqual(elements(xml, "NextMarker"), []);
});

Deno.test("listObjectsV1() gives NextMarker with a delimiter: the last key or prefix", async () => {
  const ctx = await withKeys(["a", "d/1", "e"]);
  const xml = await okResponse(
    await listObjectsV1(list(ctx.backend, { delimiter: "/", "max-keys": "2" })),
  ).text();
  assert.deepEqual(elements(xml, "NextMarker"), ["d/"]);
  assert.deepEqual(elements(xml, "Marker"), [""]);
});

Deno.test("listObjectsV1() ignores continuation-token (a V2 parameter)", async () => {
  const ctx = await withKeys(["a"]);
  const xml = await okResponse(
    await listObjectsV1(list(ctx.backend, { "continuation-token": "!!" })),
  ).text();
  assert.deepEqual(elements(xml, "Key"), ["a"]);
});

Deno.test("listObjectsV1() validates max-keys and encoding-type as V2 does", async () => {
  errorOf(await listObjectsV1(s3Context({ query: { "max-keys": "-5" } })), "InvalidArgument");
  errorOf(await listObjectsV1(s3Context({ query: { "encoding-type": "x" } })), "InvalidArgument");
});

Deno.test("listObjectsV1() url-encodes the marker when encoding-type=url", async () => {
  const xml = await okResponse(
    await listObjectsV1(
      s3Context({ query: { marker: "a b", "encoding-type": "url" } }),
    ),
  ).text();
  assert.deepEqual(elements(xml, "Marker"), ["a%20b"]);
  assert.deepEqual(elements(xml, "EncodingType"), ["url"]);
});
