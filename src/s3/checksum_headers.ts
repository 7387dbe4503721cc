/** `x-amz-checksum-*` response headers. */
import { checksumHeaderRecord, type Checksums } from "../checksum/algorithm.ts";

/** Headers echoing the checksums of an upload or object. */
export function checksumHeaders(checksums: Checksums | undefined): Headers {
  return new Headers(checksumHeaderRecord(checksums));
}
