import assert from "node:assert/strict";
import {
  conditionHeaders,
  metaFrom,
  metaHeaders,
  rangeHeader,
  writeConditionHeaders,
} from "../../../../src/backends/s3/headers.ts";

Deno.test("metaHeaders() writes the set fields and user metadata only", () => {
  assert.deepEqual(metaHeaders({ contentType: "x/y", userMetadata: { k: "v" } }), {
    "content-type": "x/y",
    "x-amz-meta-k": "v",
  });
});

Deno.test("metaFrom() reads an answer's metadata, size from Content-Range, checksums and passed headers", () => {
  const meta = metaFrom(
    "k",
    new Headers({
      "content-length": "3",
      "content-range": "bytes 0-2/10",
      etag: '"e"',
      "last-modified": "Tue, 02 Jan 2024 03:04:05 GMT",
      "x-amz-meta-a": "b",
      "x-amz-checksum-crc32": "AAAAAA==",
      "x-amz-mp-parts-count": "2",
      "cache-control": "no-cache",
    }),
  );
  assert.equal(meta.size, 10);
  assert.equal(meta.etag, '"e"');
  assert.equal(meta.lastModified.getTime(), Date.UTC(2024, 0, 2, 3, 4, 5));
  assert.deepEqual(meta.userMetadata, { a: "b" });
  assert.deepEqual(meta.checksums, { CRC32: "AAAAAA==" });
  assert.equal(meta.partsCount, 2);
  assert.equal(meta.cacheControl, "no-cache");
});

Deno.test("conditionHeaders() drops If-Match: * and a date beside its ETag twin", () => {
  const since = new Date(Date.UTC(2024, 0, 1));
  assert.deepEqual(conditionHeaders({ ifMatch: "*", ifUnmodifiedSince: since }), {});
  assert.deepEqual(conditionHeaders({ ifNoneMatch: '"e"', ifModifiedSince: since }), {
    "if-none-match": '"e"',
  });
  assert.deepEqual(conditionHeaders({ ifModifiedSince: since }), {
    "if-modified-since": "Mon, 01 Jan 2024 00:00:00 GMT",
  });
  assert.deepEqual(conditionHeaders(undefined), {});
});

Deno.test("rangeHeader() writes suffix, bounded and open ranges", () => {
  assert.equal(rangeHeader({ kind: "suffix", length: 5 }), "bytes=-5");
  assert.equal(rangeHeader({ kind: "from", start: 1, end: 2 }), "bytes=1-2");
  assert.equal(rangeHeader({ kind: "from", start: 7 }), "bytes=7-");
});

Deno.test("writeConditionHeaders() sends If-Match (even *) and If-None-Match as given", () => {
  assert.deepEqual(writeConditionHeaders({ ifMatch: "*" }), { "if-match": "*" });
  assert.deepEqual(writeConditionHeaders({ ifNoneMatch: "*" }), { "if-none-match": "*" });
  assert.deepEqual(writeConditionHeaders({ ifMatch: '"a", "b"' }), { "if-match": '"a", "b"' });
  assert.deepEqual(writeConditionHeaders(undefined), {});
});

Deno.test("metaFrom() reads each answer's Last-Modified, the same text again as a Date of its own", () => {
  const read = (text?: string) =>
    metaFrom("k", new Headers(text === undefined ? {} : { "last-modified": text })).lastModified;
  const a = read("Mon, 07 Dec 2026 22:00:00 GMT");
  const b = read("Mon, 07 Dec 2026 22:00:00 GMT");
  assert.equal(a.getTime(), Date.UTC(2026, 11, 7, 22));
  assert.notEqual(a, b, "a Date of its own per answer");
  assert.equal(b.getTime(), a.getTime());
  assert.equal(read("Tue, 08 Dec 2026 01:02:03 GMT").getTime(), Date.UTC(2026, 11, 8, 1, 2, 3));
  assert.equal(read().getTime(), 0);
  assert.ok(Number.isNaN(read("not a date").getTime()));
  assert.equal(read("Mon, 07 Dec 2026 22:00:00 GMT").getTime(), Date.UTC(2026, 11, 7, 22));
});
