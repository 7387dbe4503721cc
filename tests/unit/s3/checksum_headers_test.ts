import assert from "node:assert/strict";
import { checksumHeaders } from "../../../src/s3/checksum_headers.ts";

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
