/** S3 ETags: the MD5 of the bytes, and `md5(md5(part1)…md5(partN))-N` for multipart objects. */
import { createHash } from "node:crypto";

/** Quotes a hex digest as S3 sends ETags. */
export function quoteEtag(hex: string): string {
  return `"${hex}"`;
}

/** The multipart ETag from the parts' hex MD5s, in part order. */
export function multipartEtag(partMd5Hex: readonly string[]): string {
  const h = createHash("md5");
  for (const hex of partMd5Hex) h.update(Buffer.from(hex, "hex"));
  return `"${h.digest("hex")}-${partMd5Hex.length}"`;
}

/** The smallest size of every part but the last. */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
