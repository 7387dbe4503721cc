/** `x-amz-checksum-*` response headers. */
import type { ChecksumAlgorithm } from "../checksum/algorithm.ts";

/** Header name of each checksum algorithm. */
export const CHECKSUM_HEADER: Readonly<Record<ChecksumAlgorithm, string>> = {
  CRC32: "x-amz-checksum-crc32",
  CRC32C: "x-amz-checksum-crc32c",
  CRC64NVME: "x-amz-checksum-crc64nvme",
  SHA1: "x-amz-checksum-sha1",
  SHA256: "x-amz-checksum-sha256",
};

/** Headers echoing the checksums of an upload or object. */
export function checksumHeaders(
  checksums: Readonly<Partial<Record<ChecksumAlgorithm, string>>> | undefined,
): Headers {
  const h = new Headers();
  for (const [alg, value] of Object.entries(checksums ?? {})) {
    const name = CHECKSUM_HEADER[alg as ChecksumAlgorithm];
    if (name && value) h.set(name, value);
  }
  return h;
}
