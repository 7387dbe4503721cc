import assert from "node:assert/strict";
import {
  checksumsFromXml,
  claimedHeaders,
  uploadChecksumFromXml,
  uploadChecksumHeaders,
} from "../../../../src/backends/s3/checksums.ts";

Deno.test("s3 checksums: as headers, and read back from XML", () => {
  assert.deepEqual(uploadChecksumHeaders({ algorithm: "CRC32", type: "FULL_OBJECT" }), {
    "x-amz-checksum-algorithm": "CRC32",
    "x-amz-checksum-type": "FULL_OBJECT",
  });
  assert.deepEqual(claimedHeaders({ type: "FULL_OBJECT", checksums: { CRC32: "v" } }), {
    "x-amz-checksum-crc32": "v",
    "x-amz-checksum-type": "FULL_OBJECT",
  });
  assert.deepEqual(checksumsFromXml({ ChecksumSHA256: "s", ETag: "e" }), { SHA256: "s" });
  assert.equal(checksumsFromXml({}), undefined);
  assert.deepEqual(uploadChecksumFromXml({ ChecksumAlgorithm: "CRC64NVME" }), {
    algorithm: "CRC64NVME",
    type: "FULL_OBJECT",
  });
});
