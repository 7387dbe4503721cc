import assert from "node:assert/strict";
import { s3OptionProblems, s3Options } from "../../../../src/backends/s3/options.ts";

Deno.test("s3OptionProblems() names unknown keys, a missing bucket, and missing keys", () => {
  const paths = s3OptionProblems({ nope: 1, region: "us-east-1" }).map((p) => p.path);
  assert.deepEqual(paths, ["nope", "bucket_name", "access_key_id"]);
  assert.deepEqual(
    s3OptionProblems({ bucket_name: "b", skip_signature: true }).map((p) => p.path),
    [
      "region",
    ],
  );
  assert.deepEqual(
    s3OptionProblems({ bucket_name: "b", endpoint: "ftp://x", skip_signature: true }).map((p) =>
      p.path
    ),
    ["endpoint"],
  );
});

Deno.test("s3Options() defaults to AWS virtual-hosted style and 60 s, path style with an endpoint", () => {
  const aws = s3Options({ bucket_name: "b", access_key_id: "a", secret_access_key: "s" });
  assert.equal(aws.endpoint, "https://s3.us-east-1.amazonaws.com");
  assert.equal(aws.forcePathStyle, false);
  assert.equal(aws.requestTimeoutMs, 60_000);
  assert.deepEqual(aws.credentials, { accessKeyId: "a", secretAccessKey: "s" });
  const local = s3Options({
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
