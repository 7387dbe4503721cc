/**
 * The contract's multipart checksum cases (issue 27): an upload's algorithm and
 * type, part checksums, the composite and full-object checksums of Complete
 * (BadDigest on a claimed mismatch), and what HEAD gives back afterwards.
 */
import { checksumOf } from "../_support/checksums.ts";
import assert from "node:assert/strict";
import type { ChecksumAlgorithm, ChecksumType } from "../../src/checksum/algorithm.ts";
import type { Backend, HttpMeta } from "../../src/backends/backend.ts";

/** Emulators' deviations from S3 in these cases (said where each is passed). */
export type ChecksumQuirk =
  /** moto 5: a Complete's claimed full-object checksum is not checked (no BadDigest). */
  | "full-object-claim-unchecked"
  /** moto 5: a composite checksum comes without its `-N` (the part count). */
  | "composite-checksum-without-part-count"
  /** moto 5: every full-object multipart checksum is computed as a CRC32 (right only for CRC32). */
  | "full-object-checksum-only-crc32"
  /**
   * The s3 backend: a checksum to compute over a PUT's body (a trailer's) is not
   * kept, as the store gets its headers before the body.
   */
  | "put-computes-no-checksum"
  /**
   * moto 5: GetObjectAttributes answers no ObjectParts and a read by part number no part
   * checksum, so a multipart object's parts are counted but, as S3 does without checksums,
   * not listed.
   */
  | "no-object-part-checksums"
  /** moto 5: ListParts lists no part checksums. */
  | "no-part-checksums-listed"
  /** s3rver: keeps no checksums at all (of a PUT, of parts, of a multipart object). */
  | "no-checksums";

type Case = (b: Backend) => Promise<void>;
type TestFn = (title: string, fn: Case) => void;

const MiB = 1024 * 1024;
const NO_META: HttpMeta = { userMetadata: {} };

const stream = (b: Uint8Array) => new Blob([b as Uint8Array<ArrayBuffer>]).stream();
const part1 = new Uint8Array(5 * MiB).map((_, i) => (i * 7) % 253);
const part2 = new Uint8Array(4321).fill(9);

/** Uploads part1 and part2 under `key` with `alg` and `type`; returns the upload and its parts. */
async function twoParts(b: Backend, key: string, algorithm: ChecksumAlgorithm, type: ChecksumType) {
  const id = await b.createMultipartUpload(key, { meta: NO_META, checksum: { algorithm, type } });
  assert.ok(id.ok, !id.ok ? id.error.message : "");
  const upload = { key, uploadId: id.value };
  const parts = [];
  for (const [i, bytes] of [part1, part2].entries()) {
    const checksums = { [algorithm]: checksumOf(algorithm, bytes) };
    const r = await b.uploadPart(upload, {
      partNumber: i + 1,
      body: stream(bytes),
      contentLength: bytes.length,
      checksums,
    });
    assert.ok(r.ok, !r.ok ? r.error.message : "");
    parts.push({ partNumber: i + 1, etag: r.value.etag, checksums });
  }
  return { upload, parts };
}

/** Registers the checksum cases. */
export function registerChecksums(test: TestFn, quirks: ReadonlySet<string>): void {
  test("put: a checksum asked to be computed over the body is stored, full-object", async (b) => {
    for (const [key, bytes] of [["small", part2], ["large", part1]] as const) {
      const r = await b.put(key, stream(bytes), {
        meta: NO_META,
        contentLength: bytes.length,
        checksums: { CRC32: checksumOf("CRC32", bytes) },
        computeChecksum: "CRC32C",
      });
      assert.ok(r.ok, !r.ok ? r.error.message : "");
      const head = await b.head(key);
      assert.ok(head.ok);
      if (quirks.has("no-checksums")) continue;
      assert.equal(head.value.checksums?.CRC32, checksumOf("CRC32", bytes));
      if (quirks.has("put-computes-no-checksum")) continue;
      assert.equal(r.value.checksums?.CRC32C, checksumOf("CRC32C", bytes));
      assert.equal(head.value.checksums?.CRC32C, checksumOf("CRC32C", bytes));
      assert.equal(head.value.checksumType, "FULL_OBJECT");
    }
  });
  test("multipart: a completed object's parts, as GetObjectAttributes lists them", async (b) => {
    const { upload, parts } = await twoParts(b, "parts", "CRC32", "COMPOSITE");
    const done = await b.completeMultipartUpload(upload, parts);
    assert.ok(done.ok, !done.ok ? done.error.message : "");
    const sums = parts.map((p) => p.checksums.CRC32);
    if (!b.objectParts) {
      // The local stores record them with the object.
      const head = await b.head("parts");
      assert.ok(head.ok);
      assert.deepEqual(head.value.partSizes, [part1.length, part2.length]);
      assert.deepEqual(head.value.partChecksums, sums);
      return;
    }
    const page = await b.objectParts("parts", { maxParts: 1 });
    assert.ok(page.ok, !page.ok ? page.error.message : "");
    // s3rver serves no part by number: nothing tells it is multipart.
    if (quirks.has("part-number-ignored")) return assert.equal(page.value, undefined);
    assert.equal(page.value?.partsCount, 2);
    if (quirks.has("no-object-part-checksums")) return assert.deepEqual(page.value.parts, []);
    assert.deepEqual(page.value.parts.map((p) => [p.partNumber, p.size]), [[1, part1.length]]);
    assert.equal(page.value.isTruncated, true);
    assert.equal(page.value.nextPartNumberMarker, 1);
    const rest = await b.objectParts("parts", { maxParts: 5, partNumberMarker: 1 });
    assert.ok(rest.ok);
    assert.deepEqual(rest.value?.parts.map((p) => [p.partNumber, p.size]), [[2, part2.length]]);
    assert.equal(page.value.parts[0]!.checksums?.CRC32, sums[0]);
    const single = await b.put("single", stream(part2), { meta: NO_META });
    assert.ok(single.ok);
    const none = await b.objectParts("single", { maxParts: 5 });
    assert.deepEqual(none, { ok: true, value: undefined }, "a single-part object has no parts");
  });
  if (quirks.has("no-checksums")) return;
  test("multipart checksums: composite CRC32 is the CRC of the part CRCs with -2", async (b) => {
    const { upload, parts } = await twoParts(b, "composite", "CRC32", "COMPOSITE");
    const listed = await b.listParts(upload, { maxParts: 10 });
    assert.ok(listed.ok);
    if (!quirks.has("no-part-checksums-listed")) {
      assert.deepEqual(
        listed.value.parts.map((p) => p.checksums?.CRC32),
        parts.map((p) => p.checksums.CRC32),
      );
    }
    const done = await b.completeMultipartUpload(upload, parts);
    assert.ok(done.ok, !done.ok ? done.error.message : "");
    const raw = parts.map((p) => new Uint8Array(Buffer.from(p.checksums.CRC32!, "base64")));
    const want = `${checksumOf("CRC32", ...raw)}-2`;
    const partCount = quirks.has("composite-checksum-without-part-count") ? "" : "-2";
    assert.equal(done.value.checksums?.CRC32, want.replace("-2", partCount));
    assert.equal(done.value.checksumType, "COMPOSITE");
    const head = await b.head("composite");
    assert.ok(head.ok);
    assert.equal(head.value.checksums?.CRC32, want.replace("-2", partCount));
    assert.equal(head.value.checksumType, "COMPOSITE");
  });
  for (const alg of ["CRC32", "CRC32C", "CRC64NVME"] as const) {
    test(`multipart checksums: full-object ${alg} combined from the parts, claimed value checked`, async (b) => {
      const { upload, parts } = await twoParts(b, "full", alg, "FULL_OBJECT");
      const whole = checksumOf(alg, part1, part2);
      const wrong = await b.completeMultipartUpload(upload, parts, undefined, {
        type: "FULL_OBJECT",
        checksums: { [alg]: checksumOf(alg, part2) },
      });
      if (!quirks.has("full-object-claim-unchecked")) {
        assert.ok(!wrong.ok && wrong.error.kind === "BadDigest", "a claimed mismatch is BadDigest");
      }
      const done = await b.completeMultipartUpload(upload, parts, undefined, {
        type: "FULL_OBJECT",
        checksums: { [alg]: whole },
      });
      assert.ok(done.ok, !done.ok ? done.error.message : "");
      if (alg !== "CRC32" && quirks.has("full-object-checksum-only-crc32")) return;
      assert.equal(done.value.checksums?.[alg], whole);
      assert.equal(done.value.checksumType, "FULL_OBJECT");
      const head = await b.head("full");
      assert.ok(head.ok);
      assert.equal(head.value.checksums?.[alg], whole);
      assert.equal(head.value.checksumType, "FULL_OBJECT");
    });
  }
}
