/** The checksum algorithms S3 knows. */

/** Checksums an object carries (base64, as S3 returns them), by algorithm name. */
export type ChecksumAlgorithm = "CRC32" | "CRC32C" | "CRC64NVME" | "SHA1" | "SHA256";
