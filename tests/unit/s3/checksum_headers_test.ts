import assert from "node:assert/strict";
import { CHECKSUM_ALGORITHMS } from "../../../src/checksum/verify.ts";
import { CHECKSUM_HEADER, checksumHeaders } from "../../../src/s3/checksum_headers.ts";

Deno.test("CHECKSUM_HEADER names the x-amz-checksum-* header of every algorithm", () => {
  assert.deepEqual(CHECKSUM_HEADER, {
    CRC32: "x-amz-checksum-crc32",
    CRC32C: "x-amz-checksum-crc32c",
    CRC64NVME: "x-amz-checksum-crc64nvme",
    SHA1: "x-amz-checksum-sha1",
    SHA256: "x-amz-checksum-sha256",
  });
  assert.deepEqual(Object.keys(CHECKSUM_HEADER).sort(), [...CHECKSUM_ALGORITHMS].sort());
});

Deno.test("checksumHeaders() sets one header per checksum, skipping empty values", () => {
  const h = checksumHeaders({ CRC32: "NSRBwg==", SHA256: "", CRC64NVME: "AAAAAAAAAAA=" });
  assert.deepEqual(Object.fromEntries(h), {
    "x-amz-checksum-crc32": "NSRBwg==",
    "x-amz-checksum-crc64nvme": "AAAAAAAAAAA=",
  });
});

Deno.test("checksumHeaders() of nothing is empty headers", () => {
  assert.deepEqual([...checksumHeaders(undefined)], []);
  assert.deepEqual([...checksumHeaders({})], []);
});

Deno.test("checksumHeaders() ignores names that are not algorithms", () => {
  const h = checksumHeaders({ MD5: "x" } as unknown as Record<"CRC32", string>);
  assert.deepEqual([...h], []);
});
