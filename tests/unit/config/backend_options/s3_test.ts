import assert from "node:assert/strict";
import { parseS3Options } from "../../../../src/config/backend_options/s3.ts";
import { s3OptionsOf } from "../../../_support/backend_options.ts";

/** The paths of the problems of `o` ([] when valid). */
const paths = (o: Record<string, unknown>) => {
  const r = parseS3Options(o);
  return r.ok ? [] : r.error.map((p) => p.path);
};

Deno.test("parseS3Options() names unknown keys, a missing bucket, and missing keys", () => {
  assert.deepEqual(paths({ nope: 1, region: "us-east-1" }), [
    "nope",
    "bucket_name",
    "access_key_id",
  ]);
  assert.deepEqual(paths({ bucket_name: "b", skip_signature: true }), ["region"]);
  assert.deepEqual(paths({ bucket_name: "b", endpoint: "ftp://x", skip_signature: true }), [
    "endpoint",
  ]);
});

Deno.test("parseS3Options() defaults to AWS virtual-hosted style and 60 s, path style with an endpoint", () => {
  const aws = s3OptionsOf({
    bucket_name: "b",
    region: "us-east-1",
    access_key_id: "a",
    secret_access_key: "s",
  });
  assert.equal(aws.endpoint, "https://s3.us-east-1.amazonaws.com");
  assert.equal(aws.forcePathStyle, false);
  assert.equal(aws.requestTimeoutMs, 60_000);
  assert.deepEqual(aws.credentials, { accessKeyId: "a", secretAccessKey: "s" });
  const local = s3OptionsOf({
    bucket_name: "b",
    endpoint: "http://h:9000/",
    skip_signature: true,
    request_timeout_secs: 5,
  });
  assert.equal(local.endpoint, "http://h:9000");
  assert.equal(local.forcePathStyle, true);
  assert.equal(local.credentials, undefined);
  assert.equal(local.requestTimeoutMs, 5000);
});
