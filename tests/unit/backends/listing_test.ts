import assert from "node:assert/strict";
import type { ListOptions, UploadInfo } from "../../../src/backends/backend.ts";
import { pageListing, pageUploads, type UploadPageOptions } from "../../../src/backends/listing.ts";

const KEYS = ["a", "b/1", "b/2", "b/3", "c", "d/x/1", "d/y"];

function page(o: Partial<ListOptions>, keys: readonly string[] = KEYS) {
  const p = pageListing(keys.map((key) => ({ key })), { prefix: "", maxKeys: 1000, ...o });
  return {
    keys: p.objects.map((e) => e.key),
    prefixes: p.commonPrefixes,
    truncated: p.isTruncated,
    next: p.nextStartAfter,
  };
}

Deno.test("pageListing() lists every key under the prefix", () => {
  assert.deepEqual(page({ prefix: "b/" }), {
    keys: ["b/1", "b/2", "b/3"],
    prefixes: [],
    truncated: false,
    next: undefined,
  });
});

Deno.test("pageListing() groups keys by the delimiter after the prefix", () => {
  assert.deepEqual(page({ delimiter: "/" }).keys, ["a", "c"]);
  assert.deepEqual(page({ delimiter: "/" }).prefixes, ["b/", "d/"]);
  assert.deepEqual(page({ prefix: "d/", delimiter: "/" }), {
    keys: ["d/y"],
    prefixes: ["d/x/"],
    truncated: false,
    next: undefined,
  });
});

Deno.test("pageListing() takes a delimiter of several characters", () => {
  const p = page({ delimiter: "--" }, ["x--1", "x--2", "x-3"]);
  assert.deepEqual(p.keys, ["x-3"]);
  assert.deepEqual(p.prefixes, ["x--"]);
});

Deno.test("pageListing() counts a common prefix once toward maxKeys", () => {
  assert.deepEqual(page({ delimiter: "/", maxKeys: 2 }), {
    keys: ["a"],
    prefixes: ["b/"],
    truncated: true,
    next: "b/",
  });
});

Deno.test("pageListing() is not truncated when the page ends with the last entry", () => {
  assert.deepEqual(page({ maxKeys: 7 }).truncated, false);
  assert.deepEqual(page({ maxKeys: 6 }), {
    keys: KEYS.slice(0, 6),
    prefixes: [],
    truncated: true,
    next: "d/x/1",
  });
});

Deno.test("pageListing() starts strictly after startAfter", () => {
  assert.deepEqual(page({ startAfter: "b/2" }).keys, ["b/3", "c", "d/x/1", "d/y"]);
  assert.deepEqual(page({ startAfter: "b" }).keys, ["b/1", "b/2", "b/3", "c", "d/x/1", "d/y"]);
});

Deno.test("pageListing() resumes after a whole common prefix that startAfter falls in", () => {
  assert.deepEqual(page({ delimiter: "/", startAfter: "b/" }).prefixes, ["d/"]);
  assert.deepEqual(page({ delimiter: "/", startAfter: "b/1" }), {
    keys: ["c"],
    prefixes: ["d/"],
    truncated: false,
    next: undefined,
  });
});

Deno.test("pageListing() compares startAfter in UTF-8 order", () => {
  const keys = ["\uFFFF", "\u{1F600}"];
  assert.deepEqual(page({ startAfter: "\uFFFF" }, keys).keys, ["\u{1F600}"]);
});

const T = new Date(0);
const up = (key: string, uploadId: string): UploadInfo => ({ key, uploadId, initiated: T });
const UPLOADS = [
  up("a", "1"),
  up("a", "2"),
  up("b", "1"),
  up("d/x", "1"),
  up("d/y", "1"),
  up("e", "1"),
];

function uploads(o: Partial<UploadPageOptions>) {
  const p = pageUploads(UPLOADS, { prefix: "", maxUploads: 1000, ...o });
  return {
    uploads: p.uploads.map((u) => `${u.key}#${u.uploadId}`),
    prefixes: p.commonPrefixes,
    truncated: p.isTruncated,
    nextKey: p.nextKeyMarker,
    nextId: p.nextUploadIdMarker,
  };
}

Deno.test("pageUploads() lists uploads under the prefix, grouping by the delimiter", () => {
  assert.deepEqual(uploads({ delimiter: "/" }), {
    uploads: ["a#1", "a#2", "b#1", "e#1"],
    prefixes: ["d/"],
    truncated: false,
    nextKey: undefined,
    nextId: undefined,
  });
  assert.deepEqual(uploads({ prefix: "d/" }).uploads, ["d/x#1", "d/y#1"]);
});

Deno.test("pageUploads() skips every upload of key-marker without upload-id-marker", () => {
  assert.deepEqual(uploads({ keyMarker: "a" }).uploads, ["b#1", "d/x#1", "d/y#1", "e#1"]);
});

Deno.test("pageUploads() resumes within key-marker after upload-id-marker", () => {
  assert.deepEqual(uploads({ keyMarker: "a", uploadIdMarker: "1" }).uploads.slice(0, 2), [
    "a#2",
    "b#1",
  ]);
});

Deno.test("pageUploads() names the last upload's key and id when truncated", () => {
  assert.deepEqual(uploads({ maxUploads: 2 }), {
    uploads: ["a#1", "a#2"],
    prefixes: [],
    truncated: true,
    nextKey: "a",
    nextId: "2",
  });
});

Deno.test("pageUploads() names a common prefix, without an upload id, when it came last", () => {
  assert.deepEqual(uploads({ delimiter: "/", maxUploads: 4 }), {
    uploads: ["a#1", "a#2", "b#1"],
    prefixes: ["d/"],
    truncated: true,
    nextKey: "d/",
    nextId: undefined,
  });
});
