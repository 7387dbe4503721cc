/**
 * The backend contract against the s3 backend over s3rver, an emulator whose
 * SigV4 check is its own code: every request bucketgate signs is verified by a
 * signer that is not ours. A wrong secret must be refused, or the check proves
 * nothing.
 */
import assert from "node:assert/strict";
import type { Backend } from "../../src/backends/backend.ts";
import { createS3Backend } from "../../src/backends/s3/s3.ts";
import { s3OptionsOf } from "../_support/backend_options.ts";
import { emulatorSuite } from "../_support/emulator.ts";
import { S3RVER_KEY, s3rverMissing, startS3rver } from "../_support/s3rver.ts";
import { runBackendContract } from "./backend_contract.ts";

const suite = emulatorSuite({
  name: "s3 (s3rver)",
  missing: await s3rverMissing(),
  start: startS3rver,
});
let n = 0;

async function freshBucket(): Promise<string> {
  const bucket = `contract-${Date.now()}-${n++}`;
  await suite.emulator().createBucket(bucket);
  return bucket;
}

function backendFor(bucket: string, secret: string): Backend {
  return createS3Backend(s3OptionsOf({
    endpoint: suite.emulator().endpoint,
    bucket_name: bucket,
    region: "us-east-1",
    access_key_id: S3RVER_KEY.id,
    secret_access_key: secret,
  }));
}

const enc = new TextEncoder();
const body = (s: string) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(enc.encode(s));
      c.close();
    },
  });

runBackendContract("s3 (s3rver)", async () => {
  const bucket = await freshBucket();
  return {
    backend: backendFor(bucket, S3RVER_KEY.secret),
    cleanup: () => Promise.resolve(),
    sibling: async () => backendFor(await freshBucket(), S3RVER_KEY.secret),
  };
}, {
  register: suite.test,
  // What s3rver does instead is said beside each Quirk in backend_contract.ts.
  quirks: [
    "suffix-range-read-as-prefix",
    "start-after-compares-utf16",
    "no-list-parts",
    "no-list-multipart-uploads",
    "no-checksums",
    "put-computes-no-checksum",
    "no-abort-multipart-upload",
    "complete-multipart-unchecked",
    "multipart-etag-is-plain-md5",
    "part-number-ignored",
    "complete-again-refused",
    "complete-repeated-part-refused",
    "upload-id-not-bound-to-key",
    "cut-put-stored",
    "write-conditions-ignored",
    "listing-order-per-directory",
  ],
});

suite.test("s3 (s3rver): a wrong secret is refused with SignatureDoesNotMatch on every call", async () => {
  const bucket = await freshBucket();
  const good = backendFor(bucket, S3RVER_KEY.secret);
  const stored = await good.put("k", body("right"), { meta: { userMetadata: {} } });
  assert.ok(stored.ok, "the right secret works");

  const bad = backendFor(bucket, "not-the-secret");
  const refused = (r: { ok: boolean; error?: unknown }, what: string) => {
    assert.ok(!r.ok, `${what} with a wrong secret must fail`);
    const e = r.error as { kind: string; detail?: unknown };
    assert.equal(e.kind, "BackendError", what);
    // A HEAD answer has no body to name the code in.
    assert.match(
      String(e.detail),
      what === "HeadObject" ? /HTTP 403/ : /403 SignatureDoesNotMatch/,
      what,
    );
  };
  refused(await bad.head("k"), "HeadObject");
  refused(await bad.get("k"), "GetObject");
  refused(await bad.list({ prefix: "", maxKeys: 10 }), "ListObjectsV2");
  refused(
    await bad.put("k", body("wrong"), { meta: { userMetadata: {} }, contentLength: 5 }),
    "PutObject (streamed)",
  );
  refused(await bad.put("j", body("wrong"), { meta: { userMetadata: {} } }), "PutObject");
  refused(await bad.delete("k"), "DeleteObject");
  refused(
    await bad.createMultipartUpload("m", { meta: { userMetadata: {} } }),
    "CreateMultipartUpload",
  );

  const after = await good.get("k");
  assert.ok(after.ok);
  assert.equal(await new Response(after.value.body).text(), "right", "nothing was overwritten");
  assert.equal((await good.head("j")).ok, false, "nothing was created");
});
