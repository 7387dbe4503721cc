/**
 * The client compatibility table (docs/compatibility.md), declared: one row per client, in
 * table order, with the e2e test file that proves it and the operations that
 * file exercises. The version and the pass/fail cells come from test results
 * (`record.ts`, `render.ts`); `table_test.ts` checks docs/compatibility.md against this.
 */
import type { BackendKind } from "../_backends.ts";

/** One row of the compatibility table. */
export interface ClientRow {
  readonly client: string;
  /** The test file under tests/e2e that records results for this client. */
  readonly test: string;
  readonly operations: string;
}

export const CLIENTS = [
  {
    client: "aws-cli v2",
    test: "awscli_test.ts",
    operations:
      "`s3 cp` (20 MiB multipart) / `mv` / `ls` / `sync` both ways / `rm --recursive`, `s3api` put/get (Range)/head/copy/list-objects-v2/delete-objects, explicit multipart with list-parts, `s3 presign` fetched with curl, `--no-sign-request`, a denied write, `sts assume-role-with-web-identity` then `s3 cp` with the minted credentials",
  },
  {
    client: "aws-cli v1",
    test: "awscli_test.ts",
    operations: "the same as aws-cli v2",
  },
  {
    client: "boto3",
    test: "boto3_test.ts",
    operations:
      "client and resource APIs, odd keys, Range, metadata, `upload_file`/`download_file` with TransferConfig multipart, V1 and V2 paginators, presigned GET and PUT, expired SigV2 and SigV4 presigned URLs refused with 403, error codes, empty bodies with `Expect: 100-continue`",
  },
  {
    client: "@aws-sdk/client-s3",
    test: "js_sdk_test.ts",
    operations:
      "default checksums (`STREAMING-UNSIGNED-PAYLOAD-TRAILER` with a CRC32 trailer), lib-storage `Upload` multipart, Range, copy, `getSignedUrl` GET and PUT, delete-objects, virtual-hosted addressing against `--domain` (every `<bucket>.<domain>` mapped to 127.0.0.1)",
  },
  {
    client: "minio-js",
    test: "minio_test.ts",
    operations:
      "`bucketExists`, `putObject` (string and a 12 MiB multipart stream), `getObject`, `getPartialObject`, `statObject`, `listObjectsV2`, `listObjects`, `copyObject`, `removeObject`, `removeObjects`, `presignedGetObject`, `presignedPutObject`, region from GetBucketLocation",
  },
  {
    client: "rclone",
    test: "rclone_s3cmd_test.ts",
    operations:
      "`copy` (30 MiB multipart), `ls`, `lsjson`, `cat`, `check`, `sync`, `delete`, with `provider = Other`",
  },
  {
    client: "s3cmd",
    test: "rclone_s3cmd_test.ts",
    operations: "`ls`, multipart `put` of 30 MiB, `get`, `sync`, `del`",
  },
  {
    client: "GDAL",
    test: "gdal_test.ts",
    operations:
      "`gdalinfo` of a GeoTIFF and `ogrinfo` of GeoJSON and a shapefile under `/vsis3/` (ranged reads, directory listing), anonymous (`AWS_NO_SIGN_REQUEST`) and signed",
  },
  {
    client: "curl",
    test: "curl_test.ts",
    operations:
      'anonymous GET/HEAD/Range, `--aws-sigv4` signed GET and a PUT streamed chunked from stdin (no Content-Length; it needs `-H "x-amz-content-sha256: UNSIGNED-PAYLOAD"`, as with S3), non-ASCII `x-amz-meta-*` signed and read back byte for byte',
  },
] as const satisfies readonly ClientRow[];

/** A client name of the table. */
export type ClientName = typeof CLIENTS[number]["client"];

/** One test's outcome, as `record.ts` appends it (a JSON line). */
export interface CompatRecord {
  readonly client: ClientName;
  readonly version: string;
  readonly backend: BackendKind;
  readonly test: string;
  readonly passed: boolean;
}

/** The environment variable naming the file that test outcomes are appended to. */
export const COMPAT_OUT_ENV = "BUCKETGATE_COMPAT_OUT";
