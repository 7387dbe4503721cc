import assert from "node:assert/strict";
import type { ListUploadsOptions } from "../../../src/backends/backend.ts";
import { createMemoryBackend } from "../../../src/backends/memory.ts";
import { mergedUploads } from "../../../src/s3/merged_uploads.ts";

/** A memory backend under `prefix` with an upload of each key (one key twice: `twice`). */
async function source(prefix: string, keys: string[]) {
  const backend = createMemoryBackend();
  for (const k of keys) {
    const r = await backend.createMultipartUpload(k, { meta: { userMetadata: {} } });
    assert.ok(r.ok);
  }
  return { prefix, backend };
}

async function sources() {
  return [
    await source("data-x/", ["one"]),
    await source("data/", ["a", "sub/b", "sub/b", "sub/c"]),
    await source("empty/", []),
    await source("logs/", ["2026/01"]),
  ];
}

const ALL = ["data-x/one", "data/a", "data/sub/b", "data/sub/b", "data/sub/c", "logs/2026/01"];

/** The keys and common prefixes of one page, in order, with its next markers. */
async function pageOf(o: ListUploadsOptions, from?: Awaited<ReturnType<typeof sources>>) {
  const r = await mergedUploads(from ?? await sources(), o);
  assert.ok(r.ok);
  return r.value;
}

Deno.test("mergedUploads() lists across the sources in key order, under their prefixes", async () => {
  const p = await pageOf({ prefix: "", maxUploads: 1000 });
  assert.deepEqual(p.uploads.map((u) => u.key), ALL);
  assert.equal(p.isTruncated, false);
  assert.deepEqual(
    (await pageOf({ prefix: "data/sub/", maxUploads: 1000 })).uploads.map((u) => u.key),
    [
      "data/sub/b",
      "data/sub/b",
      "data/sub/c",
    ],
  );
});

Deno.test("mergedUploads() groups by the delimiter; a bucket without uploads is no common prefix", async () => {
  const top = await pageOf({ prefix: "", delimiter: "/", maxUploads: 1000 });
  assert.deepEqual(top.commonPrefixes, ["data-x/", "data/", "logs/"]);
  assert.deepEqual(top.uploads, []);
  const data = await pageOf({ prefix: "data/", delimiter: "/", maxUploads: 1000 });
  assert.deepEqual(data.uploads.map((u) => u.key), ["data/a"]);
  assert.deepEqual(data.commonPrefixes, ["data/sub/"]);
});

Deno.test("mergedUploads() pages across the sources by key and upload-id markers", async () => {
  const from = await sources();
  const seen: string[] = [];
  const ids = new Set<string>();
  let o: ListUploadsOptions = { prefix: "", maxUploads: 1 };
  for (let round = 0; round < 20; round++) {
    const p = await pageOf(o, from);
    seen.push(...p.uploads.map((u) => u.key));
    for (const u of p.uploads) ids.add(u.uploadId);
    if (!p.isTruncated) break;
    assert.ok(p.nextKeyMarker !== undefined && p.nextUploadIdMarker !== undefined);
    o = { ...o, keyMarker: p.nextKeyMarker, uploadIdMarker: p.nextUploadIdMarker };
  }
  assert.deepEqual(seen, ALL);
  assert.equal(ids.size, ALL.length);
  // A key marker alone skips that key's uploads; a common prefix as marker skips the group.
  const after = await pageOf({ prefix: "", keyMarker: "data/sub/b", maxUploads: 1000 }, from);
  assert.deepEqual(after.uploads.map((u) => u.key), ALL.slice(4));
  const groups = await pageOf(
    { prefix: "", delimiter: "/", keyMarker: "data/", maxUploads: 1000 },
    from,
  );
  assert.deepEqual(groups.commonPrefixes, ["logs/"]);
  const inData = await pageOf(
    { prefix: "data/", delimiter: "/", maxUploads: 1, keyMarker: "data/a" },
    from,
  );
  assert.deepEqual(inData.commonPrefixes, ["data/sub/"]);
  assert.equal(inData.isTruncated, false);
});
