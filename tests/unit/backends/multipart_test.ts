import assert from "node:assert/strict";
import type { CompletedPart, PartInfo } from "../../../src/backends/backend.ts";
import { MIN_PART_SIZE } from "../../../src/backends/etag.ts";
import {
  completionFingerprint,
  completionRecord,
  isUploadId,
  newUploadId,
  noSuchUpload,
  pageParts,
  replayCompletion,
  type StoredPart,
  validateCompletion,
} from "../../../src/backends/multipart.ts";

const T = new Date(Date.UTC(2026, 0, 1));
const stored = (partNumber: number, etag: string, size = MIN_PART_SIZE): StoredPart => ({
  partNumber,
  etag: `"${etag}"`,
  size,
  lastModified: T,
  md5: etag,
});
const STORED = new Map([
  [1, stored(1, "e1")],
  [2, stored(2, "e2")],
  [3, stored(3, "e3", 10)],
]);
const req = (...parts: [number, string][]): CompletedPart[] =>
  parts.map(([partNumber, etag]) => ({ partNumber, etag }));

function outcome(parts: CompletedPart[], from: ReadonlyMap<number, StoredPart> = STORED): string {
  const r = validateCompletion(parts, from);
  return r.ok ? r.value.map((p) => p.partNumber).join(",") : r.error.kind;
}

Deno.test("validateCompletion() takes ascending parts, ETags quoted or not", () => {
  assert.equal(outcome(req([1, '"e1"'], [2, "e2"], [3, 'W/"e3"'])), "1,2,3");
  assert.equal(outcome(req([1, "e1"], [3, "e3"])), "1,3");
  assert.equal(outcome(req([3, "e3"])), "3");
});

Deno.test("validateCompletion() refuses parts out of order as InvalidPartOrder", () => {
  assert.equal(outcome(req([2, "e2"], [1, "e1"])), "InvalidPartOrder");
  assert.equal(outcome(req([1, "e1"], [2, "e2"], [1, "e1"])), "InvalidPartOrder");
});

Deno.test("validateCompletion() refuses an unknown part or a wrong ETag as InvalidPart", () => {
  assert.equal(outcome(req([1, "e1"], [4, "e4"])), "InvalidPart");
  const r = validateCompletion(req([1, "e1"], [2, "e1"]), STORED);
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "InvalidPart");
  assert.equal(
    r.error.message,
    "One or more of the specified parts could not be found or the ETag did not match (part 2).",
  );
});

Deno.test("validateCompletion() takes a part number listed twice in a row as one part, the stored one", () => {
  // A client that retried part 2 lists the ETag of each attempt; the one stored last is e2.
  const r = validateCompletion(req([1, "e1"], [2, "stale"], [2, "e2"], [3, "e3"]), STORED);
  assert.ok(r.ok);
  assert.deepEqual(r.value.map((p) => [p.partNumber, p.etag]), [[1, '"e1"'], [2, '"e2"'], [
    3,
    '"e3"',
  ]]);
  assert.equal(outcome(req([2, "e2"], [2, "stale"])), "2");
});

Deno.test("validateCompletion() refuses a part listed twice when neither ETag is the stored one", () => {
  assert.equal(outcome(req([1, "e1"], [2, "old"], [2, "older"])), "InvalidPart");
});

Deno.test("validateCompletion() refuses a non-last part under 5 MiB as EntityTooSmall", () => {
  const small = new Map([[1, stored(1, "a", MIN_PART_SIZE - 1)], [2, stored(2, "b", 1)]]);
  const r = validateCompletion(req([1, "a"], [2, "b"]), small);
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "EntityTooSmall");
  assert.equal(
    r.error.message,
    "Your proposed upload is smaller than the minimum allowed size: part 1 is 5242879 bytes, every part but the last must be at least 5242880 bytes.",
  );
  assert.equal(outcome(req([2, "b"]), small), "2");
});

Deno.test("completionFingerprint() joins part numbers and bare ETags", () => {
  assert.equal(completionFingerprint(req([1, '"e1"'], [2, "e2"])), "1:e1,2:e2");
  assert.equal(completionFingerprint([]), "");
});

Deno.test("completionRecord() keeps the key, fingerprint, ETag, size and ISO date", () => {
  const meta = { key: "k", etag: '"x-2"', size: 9, lastModified: T };
  assert.deepEqual(completionRecord(req([1, "e1"], [2, "e2"]), meta), {
    key: "k",
    parts: "1:e1,2:e2",
    etag: '"x-2"',
    size: 9,
    lastModified: "2026-01-01T00:00:00.000Z",
  });
});

Deno.test("replayCompletion() answers the recorded result for the same key and part list", () => {
  const record = completionRecord(req([1, "e1"]), {
    key: "k",
    etag: '"x-1"',
    size: 3,
    lastModified: T,
  });
  const r = replayCompletion(record, "k", req([1, '"e1"']));
  assert.ok(r.ok);
  assert.deepEqual(r.value, {
    userMetadata: {},
    key: "k",
    etag: '"x-1"',
    size: 3,
    lastModified: T,
  });
});

Deno.test("replayCompletion() is NoSuchUpload for another list, another key or no record", () => {
  const record = completionRecord(req([1, "e1"]), {
    key: "k",
    etag: '"x-1"',
    size: 3,
    lastModified: T,
  });
  for (
    const [rec, key, parts] of [
      [record, "k", req([1, "e2"])],
      [record, "k", req([1, "e1"], [2, "e2"])],
      [record, "other", req([1, "e1"])],
      [undefined, "k", req([1, "e1"])],
    ] as const
  ) {
    const r = replayCompletion(rec, key, parts);
    assert.ok(!r.ok);
    assert.equal(r.error.kind, "NoSuchUpload");
  }
});

const PARTS: PartInfo[] = [1, 2, 5, 7].map((n) => ({
  partNumber: n,
  etag: `"${n}"`,
  size: n,
  lastModified: T,
}));

Deno.test("pageParts() pages after the marker with a next marker when truncated", () => {
  const p = pageParts(PARTS, { partNumberMarker: 1, maxParts: 2 });
  assert.deepEqual(p.parts.map((x) => x.partNumber), [2, 5]);
  assert.equal(p.isTruncated, true);
  assert.equal(p.nextPartNumberMarker, 5);
  const last = pageParts(PARTS, { partNumberMarker: 5, maxParts: 2 });
  assert.deepEqual(last, { parts: [PARTS[3]], isTruncated: false });
});

Deno.test("pageParts() lists only the PartInfo fields (no MD5)", () => {
  const p = pageParts([stored(1, "e1")], { maxParts: 10 });
  assert.deepEqual(p.parts, [{
    partNumber: 1,
    etag: '"e1"',
    size: MIN_PART_SIZE,
    lastModified: T,
  }]);
});

Deno.test("newUploadId() makes 48 hex digits that isUploadId() accepts, fresh each time", () => {
  const a = newUploadId();
  assert.match(a, /^[0-9a-f]{48}$/);
  assert.equal(isUploadId(a), true);
  assert.notEqual(newUploadId(), a);
});

Deno.test("isUploadId() refuses anything but 48 lower-case hex digits", () => {
  for (const id of ["", "0".repeat(47), "0".repeat(49), "A".repeat(48), "../" + "0".repeat(45)]) {
    assert.equal(isUploadId(id), false, id);
  }
});

Deno.test("noSuchUpload() is the NoSuchUpload error with S3's message", () => {
  assert.deepEqual(noSuchUpload(), {
    kind: "NoSuchUpload",
    message:
      "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
  });
});
