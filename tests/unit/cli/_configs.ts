/** Config texts shared by the cli tests. */

/** A valid config with two memory buckets. */
export const TWO_BUCKETS = [
  "listen: 127.0.0.1:8080",
  "buckets:",
  "  - name: one-bucket",
  "    backend_type: memory",
  "    anonymous_access: false",
  "  - name: two-bucket",
  "    backend_type: memory",
  "    anonymous_access: true",
  "",
].join("\n");

/** A valid config whose bucket reaches its store through bucketgate's OIDC issuer. */
export const OIDC_BUCKET = [
  "buckets:",
  "  - name: oidc-bucket",
  "    backend_type: s3",
  "    anonymous_access: false",
  "    backend_options:",
  "      bucket_name: store",
  "      region: us-east-1",
  "      endpoint: http://127.0.0.1:1",
  "      auth_type: oidc",
  "      oidc_role_arn: arn:aws:iam::123456789012:role/gw",
  "",
].join("\n");

/** A config with one problem: the bucket name. */
export const BAD_NAME = [
  "buckets:",
  "  - name: Bad_Name",
  "    backend_type: memory",
  "    anonymous_access: false",
  "",
].join("\n");
