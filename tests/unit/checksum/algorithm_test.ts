import assert from "node:assert/strict";
import {
  algorithmOfHeader,
  CHECKSUM_ALGORITHMS,
  checksumHeaderName,
  checksumHeaderRecord,
  defaultChecksumType,
  parseAlgorithm,
  parseChecksumType,
} from "../../../src/checksum/algorithm.ts";

Deno.test("checksumHeaderName() and parseAlgorithm() map names both ways", () => {
  assert.equal(checksumHeaderName("CRC64NVME"), "x-amz-checksum-crc64nvme");
  assert.equal(parseAlgorithm(" crc32c "), "CRC32C");
  assert.equal(parseAlgorithm("Sha256"), "SHA256");
  assert.equal(parseAlgorithm("MD5"), undefined);
  assert.equal(parseAlgorithm(""), undefined);
});

Deno.test("checksumHeaderName() names the x-amz-checksum-* header of every algorithm", () => {
  assert.deepEqual(Object.fromEntries(CHECKSUM_ALGORITHMS.map((a) => [a, checksumHeaderName(a)])), {
    CRC32: "x-amz-checksum-crc32",
    CRC32C: "x-amz-checksum-crc32c",
    CRC64NVME: "x-amz-checksum-crc64nvme",
    SHA1: "x-amz-checksum-sha1",
    SHA256: "x-amz-checksum-sha256",
  });
});

Deno.test("algorithmOfHeader() reads back each header name, and nothing else", () => {
  for (const alg of CHECKSUM_ALGORITHMS) {
    assert.equal(algorithmOfHeader(checksumHeaderName(alg)), alg);
  }
  assert.equal(algorithmOfHeader("x-amz-checksum-type"), undefined);
  assert.equal(algorithmOfHeader("x-amz-checksum-algorithm"), undefined);
  assert.equal(algorithmOfHeader("x-amz-checksum-md5"), undefined);
  assert.equal(algorithmOfHeader("etag"), undefined);
});

Deno.test("checksumHeaderRecord() sets one header per checksum, skipping empty and unknown", () => {
  assert.deepEqual(checksumHeaderRecord({ CRC32C: "v" }), { "x-amz-checksum-crc32c": "v" });
  assert.deepEqual(checksumHeaderRecord({ CRC32: "a", SHA256: "" }), {
    "x-amz-checksum-crc32": "a",
  });
  assert.deepEqual(checksumHeaderRecord({ MD5: "x" } as unknown as Record<"CRC32", string>), {});
  assert.deepEqual(checksumHeaderRecord(undefined), {});
});

Deno.test("parseChecksumType() and defaultChecksumType()", () => {
  assert.equal(parseChecksumType(" composite "), "COMPOSITE");
  assert.equal(parseChecksumType("full_object"), "FULL_OBJECT");
  assert.equal(parseChecksumType("FULL"), undefined);
  assert.equal(defaultChecksumType("CRC64NVME"), "FULL_OBJECT");
  for (const alg of ["CRC32", "CRC32C", "SHA1", "SHA256"] as const) {
    assert.equal(defaultChecksumType(alg), "COMPOSITE");
  }
});
