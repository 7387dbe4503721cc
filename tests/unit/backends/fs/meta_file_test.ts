import assert from "node:assert/strict";
import {
  describes,
  httpPart,
  lastModifiedOf,
  type MetaFile,
  metaFileOf,
  toMeta,
} from "../../../../src/backends/fs/meta_file.ts";

const st = (o: Partial<Deno.FileInfo> = {}): Deno.FileInfo =>
  ({ size: 5, mtime: new Date(1_700_000_000_123), ino: 42, isFile: true, ...o }) as Deno.FileInfo;

const m = (): MetaFile =>
  metaFileOf("k", st(), {
    meta: { contentType: "text/csv", userMetadata: { a: "1" } },
    etag: '"e"',
    extra: { checksums: { CRC32: "AAAAAA==" }, checksumType: "COMPOSITE", partSizes: [2, 3] },
  });

Deno.test("metaFileOf(): the HTTP metadata, the ETag and what else describes the bytes, with the file's stat", () => {
  assert.deepEqual(m(), {
    contentType: "text/csv",
    userMetadata: { a: "1" },
    checksums: { CRC32: "AAAAAA==" },
    checksumType: "COMPOSITE",
    partSizes: [2, 3],
    key: "k",
    etag: '"e"',
    size: 5,
    mtimeMs: 1_700_000_000_123,
    ino: 42,
  });
  const plain = metaFileOf("k", st({ ino: null, mtime: null }), {
    meta: { userMetadata: {} },
    etag: '"e"',
  });
  assert.equal(plain.ino, null);
  assert.equal(plain.mtimeMs, 0);
  assert.equal("checksums" in plain, false);
});

Deno.test("describes(): only the same key, size, mtime and inode", () => {
  const meta = m();
  assert.equal(describes(meta, "k", st()), true);
  assert.equal(describes(meta, "other", st()), false);
  assert.equal(describes(meta, "k", st({ size: 6 })), false);
  assert.equal(describes(meta, "k", st({ mtime: new Date(1_700_000_000_124) })), false);
  assert.equal(describes(meta, "k", st({ ino: 43 })), false);
});

Deno.test("httpPart(): the sidecar without checksums and part sizes", () => {
  const h = httpPart(m());
  assert.equal("checksums" in h, false);
  assert.equal("checksumType" in h, false);
  assert.equal("partSizes" in h, false);
  assert.equal(h.contentType, "text/csv");
});

Deno.test("lastModifiedOf(): the mtime to the second", () => {
  assert.equal(lastModifiedOf(st()).getTime(), 1_700_000_000_000);
  assert.equal(lastModifiedOf(st({ mtime: null })).getTime(), 0);
});

Deno.test("toMeta(): the object's meta; parts counted, a Content-Type guessed when none is stored", () => {
  const meta = toMeta("k", m(), st({ size: 9 }));
  assert.equal(meta.size, 9); // the file's, not the sidecar's
  assert.equal(meta.partsCount, 2);
  assert.deepEqual(meta.partSizes, [2, 3]);
  assert.equal(meta.lastModified.getTime(), 1_700_000_000_000);
  const byHand = metaFileOf("x/photo.png", st(), { meta: { userMetadata: {} }, etag: '"e"' });
  assert.equal(toMeta("x/photo.png", byHand, st()).contentType, "image/png");
  assert.equal("contentType" in toMeta("x/data", byHand, st()), false);
});
