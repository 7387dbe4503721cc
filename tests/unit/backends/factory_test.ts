import assert from "node:assert/strict";
import { createBackend, OIDC_ISSUER_MISSING } from "../../../src/backends/factory.ts";
import { fixedClock } from "../../../src/clock.ts";
import type { BucketConfig } from "../../../src/config/types.ts";
import type { OidcBackendAuth } from "../../../src/config/backend_options/oidc.ts";
import { ok } from "../../../src/result.ts";
import { configOf } from "../config/_helpers.ts";
import { body, NO_META, withRoot } from "./fs/_support.ts";

/** The one bucket of a config whose bucket list is `bucket` (YAML flow). */
function bucketOf(bucket: string): BucketConfig {
  return configOf(`buckets:\n  - ${bucket}\n`).buckets[0]!;
}

const S3 = `{ name: remote, backend_type: s3, anonymous_access: false, backend_prefix: tenant/a,
    backend_options: { bucket_name: store, region: us-east-1, endpoint: "http://127.0.0.1:1",
      access_key_id: AKIDEXAMPLE, secret_access_key: secret } }`;
const AZ = `{ name: remote, backend_type: az, anonymous_access: false, backend_prefix: tenant/,
    backend_options: { endpoint: "http://127.0.0.1:1/devstoreaccount1", account_name: devstoreaccount1,
      container_name: backing, access_key: "${btoa("k".repeat(32))}" } }`;
const OIDC = `{ name: remote, backend_type: s3, anonymous_access: false,
    backend_options: { bucket_name: store, region: us-east-1, endpoint: "http://127.0.0.1:1",
      auth_type: oidc, oidc_role_arn: "arn:aws:iam::123456789012:role/gw" } }`;

Deno.test("createBackend(): memory, each bucket a store of its own", async () => {
  const bucket = bucketOf("{ name: mem, backend_type: memory, anonymous_access: false }");
  const a = createBackend(bucket);
  const b = createBackend(bucket);
  assert.ok(a.ok && b.ok);
  assert.ok((await a.value.put("k", body("x"), { meta: NO_META })).ok);
  assert.equal((await a.value.head("k")).ok, true);
  assert.equal((await b.value.head("k")).ok, false);
});

Deno.test("createBackend(): fs over its root, with backend_prefix applied to the files' paths", async () => {
  await withRoot(async (root) => {
    const bucket = bucketOf(
      `{ name: files, backend_type: fs, anonymous_access: false, backend_prefix: tenant/a, backend_options: { root: "${root}" } }`,
    );
    assert.equal(bucket.backendPrefix, "tenant/a/");
    const b = createBackend(bucket, { clock: fixedClock(Date.UTC(2030, 0, 2)) });
    assert.ok(b.ok);
    assert.ok((await b.value.put("k.txt", body("hello"), { meta: NO_META })).ok);
    assert.equal(await Deno.readTextFile(`${root}/tenant/a/k.txt`), "hello");
    const listed = await b.value.list({ prefix: "", maxKeys: 10 });
    assert.ok(listed.ok);
    assert.deepEqual(listed.value.objects.map((e) => e.key), ["k.txt"]);
    const upload = await b.value.createMultipartUpload("u", { meta: NO_META });
    assert.ok(upload.ok);
    const uploads = await b.value.listMultipartUploads({ prefix: "", maxUploads: 10 });
    assert.ok(uploads.ok);
    assert.equal(uploads.value.uploads[0]?.initiated.getTime(), Date.UTC(2030, 0, 2)); // the injected clock
  });
});

Deno.test("createBackend(): s3 and az, reached under their backend_prefix", () => {
  const s3 = createBackend(bucketOf(S3));
  assert.ok(s3.ok);
  assert.deepEqual({ ...s3.value.locate!("k"), store: "" }, {
    store: "",
    bucket: "store",
    key: "tenant/a/k",
  });
  const az = createBackend(bucketOf(AZ));
  assert.ok(az.ok);
  assert.deepEqual({ ...az.value.locate!("k"), store: "" }, {
    store: "",
    bucket: "backing",
    key: "tenant/k",
  });
});

Deno.test("createBackend(): auth_type oidc needs the issuer's credentials; with them, its options are passed", () => {
  const bucket = bucketOf(OIDC);
  const refused = createBackend(bucket);
  assert.equal(refused.ok, false);
  if (!refused.ok) {
    assert.equal(refused.error.kind, "Internal");
    assert.equal(refused.error.message, OIDC_ISSUER_MISSING);
  }
  const asked: OidcBackendAuth[] = [];
  const made = createBackend(bucket, {
    oidcCredentials: (auth) => {
      asked.push(auth);
      return () => Promise.resolve(ok({ accessKeyId: "A", secretAccessKey: "S" }));
    },
  });
  assert.ok(made.ok);
  assert.equal(asked.length, 1);
  assert.equal(asked[0]!.roleArn, "arn:aws:iam::123456789012:role/gw");
});

Deno.test("createBackend(): the memory backend keeps time by the injected clock", async () => {
  const bucket = bucketOf("{ name: mem, backend_type: memory, anonymous_access: false }");
  const at = Date.UTC(2020, 0, 2, 3, 4, 5);
  const m = createBackend(bucket, { clock: fixedClock(at) });
  assert.ok(m.ok);
  assert.ok((await m.value.put("k", body("x"), { meta: NO_META })).ok);
  const head = await m.value.head("k");
  assert.ok(head.ok);
  assert.equal(head.value.lastModified.getTime(), at);
});
