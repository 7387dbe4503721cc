/**
 * S3 headers that only a remote S3 store acts on. On writes the `s3` backend
 * forwards them (storage class, tagging, server-managed encryption, object
 * lock, website redirect); the local and Azure backends have nothing to apply
 * them to and ignore them. On reads the store's answers about them come back
 * to the client. ACL headers are never forwarded: access is bucketgate's to
 * grant.
 */

/** Request headers forwarded on PutObject, CopyObject and CreateMultipartUpload. */
export const FORWARDED_WRITE_HEADERS: readonly string[] = [
  "x-amz-storage-class",
  "x-amz-tagging",
  "x-amz-tagging-directive",
  "x-amz-server-side-encryption",
  "x-amz-server-side-encryption-aws-kms-key-id",
  "x-amz-server-side-encryption-context",
  "x-amz-server-side-encryption-bucket-key-enabled",
  "x-amz-object-lock-mode",
  "x-amz-object-lock-retain-until-date",
  "x-amz-object-lock-legal-hold",
  "x-amz-website-redirect-location",
];

/** Store response headers passed back to the client on GET, HEAD and writes. */
export const PASSED_RESPONSE_HEADERS: readonly string[] = [
  "x-amz-storage-class",
  "x-amz-tagging-count",
  "x-amz-server-side-encryption",
  "x-amz-server-side-encryption-aws-kms-key-id",
  "x-amz-server-side-encryption-bucket-key-enabled",
  "x-amz-object-lock-mode",
  "x-amz-object-lock-retain-until-date",
  "x-amz-object-lock-legal-hold",
  "x-amz-website-redirect-location",
  "x-amz-restore",
  "x-amz-expiration",
  "x-amz-replication-status",
  "x-amz-archive-status",
  "x-amz-mp-parts-count",
];

/** The headers of `names` present in `headers`. */
export function pickHeaders(
  headers: Headers,
  names: readonly string[],
): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = headers.get(n);
    if (v !== null) out[n] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
