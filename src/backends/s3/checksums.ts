/**
 * Checksums between bucketgate and an S3 store: as request headers (a part's
 * or the whole object's, an upload's algorithm and type) and as read back from
 * the store's XML answers (`<ChecksumCRC32>`…, `<ChecksumType>`).
 */
import {
  CHECKSUM_ALGORITHMS,
  type ChecksumAlgorithm,
  checksumHeaderRecord,
  type ChecksumType,
  defaultChecksumType,
  parseChecksumType,
} from "../../checksum/algorithm.ts";
import type { Checksums, ClaimedChecksum, UploadChecksum } from "../backend.ts";
import { str } from "./xml.ts";

/** An upload's checksum as CreateMultipartUpload's headers. */
export function uploadChecksumHeaders(c: UploadChecksum | undefined): Record<string, string> {
  return c ? { "x-amz-checksum-algorithm": c.algorithm, "x-amz-checksum-type": c.type } : {};
}

/** A claimed whole-object checksum as CompleteMultipartUpload's headers. */
export function claimedHeaders(c: ClaimedChecksum | undefined): Record<string, string> {
  if (!c) return {};
  return {
    ...checksumHeaderRecord(c.checksums),
    ...(c.type ? { "x-amz-checksum-type": c.type } : {}),
  };
}

/** The `<ChecksumCRC32>`… elements of a parsed XML record, if any. */
export function checksumsFromXml(
  rec: Readonly<Record<string, unknown>> | undefined,
): Checksums | undefined {
  const out: Partial<Record<ChecksumAlgorithm, string>> = {};
  for (const alg of CHECKSUM_ALGORITHMS) {
    const v = str(rec?.[`Checksum${alg}`]).trim();
    if (v) out[alg] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** A checksum type as the store wrote it, when it is one. */
export function checksumTypeOf(v: unknown): ChecksumType | undefined {
  return parseChecksumType(str(v));
}

/** The algorithm and type a ListParts answer names, when it names an algorithm. */
export function uploadChecksumFromXml(
  rec: Readonly<Record<string, unknown>> | undefined,
): UploadChecksum | undefined {
  const alg = str(rec?.ChecksumAlgorithm).trim().toUpperCase() as ChecksumAlgorithm;
  if (!CHECKSUM_ALGORITHMS.includes(alg)) return undefined;
  const type = checksumTypeOf(rec?.ChecksumType) ?? defaultChecksumType(alg);
  return { algorithm: alg, type };
}
