/** The checksum algorithms S3 knows: their names, types and `x-amz-checksum-*` headers. */

/** Checksums an object carries (base64, as S3 returns them), by algorithm name. */
export type ChecksumAlgorithm = "CRC32" | "CRC32C" | "CRC64NVME" | "SHA1" | "SHA256";

/**
 * How a multipart object's checksum is made: COMPOSITE is the checksum of the
 * parts' checksums (with `-N`), FULL_OBJECT the checksum of all the bytes.
 */
export type ChecksumType = "COMPOSITE" | "FULL_OBJECT";

/** Checksums by algorithm, base64. */
export type Checksums = Readonly<Partial<Record<ChecksumAlgorithm, string>>>;

/** The checksum a multipart upload was created with (`x-amz-checksum-algorithm` and `-type`). */
export interface UploadChecksum {
  readonly algorithm: ChecksumAlgorithm;
  readonly type: ChecksumType;
}

/** The whole object's checksum a client sent with CompleteMultipartUpload. */
export interface ClaimedChecksum {
  readonly type?: ChecksumType;
  readonly checksums: Checksums;
}

/** Every checksum algorithm, in the order S3 lists them. */
export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = [
  "CRC32",
  "CRC32C",
  "CRC64NVME",
  "SHA1",
  "SHA256",
];

/** The checksum header of an algorithm: `x-amz-checksum-crc32`… */
export function checksumHeaderName(alg: ChecksumAlgorithm): string {
  return `x-amz-checksum-${alg.toLowerCase()}`;
}

/** Parses an algorithm name (`crc32`, `CRC32C`…); undefined when unknown. */
export function parseAlgorithm(name: string): ChecksumAlgorithm | undefined {
  const up = name.trim().toUpperCase();
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(up)
    ? up as ChecksumAlgorithm
    : undefined;
}

const BY_HEADER: ReadonlyMap<string, ChecksumAlgorithm> = new Map(
  CHECKSUM_ALGORITHMS.map((alg) => [checksumHeaderName(alg), alg]),
);

/** The algorithm a lower-case `x-amz-checksum-*` header name carries; undefined for any other name. */
export function algorithmOfHeader(name: string): ChecksumAlgorithm | undefined {
  return BY_HEADER.get(name);
}

/** Checksums as `x-amz-checksum-*` headers, skipping empty values and unknown names. */
export function checksumHeaderRecord(checksums: Checksums | undefined): Record<string, string> {
  const h: Record<string, string> = {};
  for (const alg of CHECKSUM_ALGORITHMS) {
    const v = checksums?.[alg];
    if (v) h[checksumHeaderName(alg)] = v;
  }
  return h;
}

/** Parses a checksum type (`composite`, `FULL_OBJECT`); undefined when it is neither. */
export function parseChecksumType(raw: string): ChecksumType | undefined {
  const t = raw.trim().toUpperCase();
  return t === "COMPOSITE" || t === "FULL_OBJECT" ? t : undefined;
}

/** The multipart checksum type S3 picks when none is given: FULL_OBJECT for CRC64NVME, else COMPOSITE. */
export function defaultChecksumType(alg: ChecksumAlgorithm): ChecksumType {
  return alg === "CRC64NVME" ? "FULL_OBJECT" : "COMPOSITE";
}
