/** The checksum algorithms S3 knows. */

/** Checksums an object carries (base64, as S3 returns them), by algorithm name. */
export type ChecksumAlgorithm = "CRC32" | "CRC32C" | "CRC64NVME" | "SHA1" | "SHA256";

/**
 * How a multipart object's checksum is made: COMPOSITE is the checksum of the
 * parts' checksums (with `-N`), FULL_OBJECT the checksum of all the bytes.
 */
export type ChecksumType = "COMPOSITE" | "FULL_OBJECT";
