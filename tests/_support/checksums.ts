/** S3 checksums of test bytes, base64, as clients send them. */
import type { ChecksumAlgorithm } from "../../src/checksum/algorithm.ts";
import { createHasher, toBase64 } from "../../src/checksum/hasher.ts";

/** The checksum (base64) of `chunks` in order, with `alg`. */
export function checksumOf(alg: ChecksumAlgorithm, ...chunks: Uint8Array[]): string {
  const h = createHasher(alg);
  for (const c of chunks) h.update(c);
  return toBase64(h.digest());
}
