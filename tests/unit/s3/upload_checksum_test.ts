import assert from "node:assert/strict";
import {
  checksumXml,
  claimedChecksumOf,
  partChecksumsOf,
  uploadChecksumOf,
} from "../../../src/s3/upload_checksum.ts";

Deno.test("uploadChecksumOf: S3's defaults per algorithm", () => {
  const of = (h: Record<string, string>) => uploadChecksumOf(new Headers(h));
  assert.deepEqual(of({}), { ok: true, value: undefined });
  assert.deepEqual(of({ "x-amz-checksum-algorithm": "crc64nvme" }), {
    ok: true,
    value: { algorithm: "CRC64NVME", type: "FULL_OBJECT" },
  });
  assert.deepEqual(of({ "x-amz-checksum-algorithm": "SHA1" }), {
    ok: true,
    value: { algorithm: "SHA1", type: "COMPOSITE" },
  });
  const bad = of({ "x-amz-checksum-algorithm": "SHA256", "x-amz-checksum-type": "FULL_OBJECT" });
  assert.ok(!bad.ok && bad.error.kind === "InvalidRequest");
});

Deno.test("claimedChecksumOf: a composite value with -N is accepted", () => {
  const r = claimedChecksumOf(new Headers({ "x-amz-checksum-crc32": "DUoRhQ==-3" }));
  assert.deepEqual(r, { ok: true, value: { checksums: { CRC32: "DUoRhQ==-3" } } });
  const bad = claimedChecksumOf(new Headers({ "x-amz-checksum-crc32": "nope" }));
  assert.ok(!bad.ok);
});

Deno.test("checksumXml and partChecksumsOf", () => {
  assert.equal(
    checksumXml({ CRC32: "DUoRhQ==" }, "FULL_OBJECT"),
    "<ChecksumCRC32>DUoRhQ==</ChecksumCRC32><ChecksumType>FULL_OBJECT</ChecksumType>",
  );
  assert.equal(checksumXml(undefined, "FULL_OBJECT"), "");
  assert.deepEqual(partChecksumsOf({ ChecksumCRC32: " DUoRhQ== " }), {
    ok: true,
    value: { CRC32: "DUoRhQ==" },
  });
  assert.ok(!partChecksumsOf({ ChecksumCRC32: "x" }).ok);
});
