import assert from "node:assert/strict";
import { decodeListed, listPage } from "../../../../src/backends/s3/listing.ts";
import { parseXml } from "../../../../src/backends/s3/xml.ts";
import { statusOf } from "../../../../src/errors.ts";
import { fakeStore } from "./_fake_store.ts";
import { resettingBody } from "../http/_bodies.ts";

const LISTING = `<?xml version="1.0"?><ListBucketResult><EncodingType>url</EncodingType>
<IsTruncated>true</IsTruncated>
<Contents><Key>a%2Bb+c</Key><Size>3</Size><ETag>"e"</ETag><LastModified>2024-01-02T03:04:05.000Z</LastModified></Contents>
<CommonPrefixes><Prefix>d%2F</Prefix></CommonPrefixes></ListBucketResult>`;

Deno.test("list() whose ListObjectsV2 body resets mid-read is a BackendError (503), not a throw", async () => {
  const { backend } = fakeStore(() => ({ status: 200, body: resettingBody("<ListBucketResult>") }));
  const r = await backend.list({ prefix: "", maxKeys: 10 });
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "BackendError");
  assert.equal(statusOf(r.error), 503);
});

Deno.test("list() asks for ListObjectsV2 with URL-encoded keys and resumes after a common prefix", async () => {
  const { backend, seen } = fakeStore(() => ({ status: 200, body: LISTING }));
  const r = await backend.list({ prefix: "p/", maxKeys: 5, delimiter: "/", startAfter: "p/d/" });
  assert.ok(r.ok);
  const url = seen[0]!.url;
  assert.equal(url.pathname, "/bkt");
  assert.equal(url.searchParams.get("list-type"), "2");
  assert.equal(url.searchParams.get("encoding-type"), "url");
  assert.equal(url.searchParams.get("start-after"), "p/d/\u{10FFFF}");
});

Deno.test("listPage() decodes keys of an encoded listing and resumes after the greatest name", () => {
  const page = listPage(parseXml(LISTING)!);
  assert.deepEqual(page.objects.map((o) => [o.key, o.size, o.etag]), [["a+b c", 3, '"e"']]);
  assert.equal(page.objects[0]!.lastModified.toISOString(), "2024-01-02T03:04:05.000Z");
  assert.deepEqual(page.commonPrefixes, ["d/"]);
  assert.equal(page.nextStartAfter, "d/");
});

Deno.test("decodeListed() decodes only an encoded listing, and keeps a malformed escape", () => {
  assert.equal(decodeListed("c+d%20e", true), "c d e");
  assert.equal(decodeListed("c+d", false), "c+d");
  assert.equal(decodeListed("c%d", true), "c%d");
  assert.equal(decodeListed(undefined, true), "");
});
