/** The checksum algorithms S3 knows. */

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
