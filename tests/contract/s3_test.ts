/** The backend contract against the s3 backend over moto (a real S3 emulator process). */
import assert from "node:assert/strict";
import { createS3Backend } from "../../src/backends/s3/s3.ts";
import { s3Options } from "../../src/backends/s3/options.ts";
import { prefixed } from "../../src/backends/prefixed.ts";
import { haveMoto, type Moto, startMoto } from "../_support/moto.ts";
import { runBackendContract } from "./backend_contract.ts";

const available = await haveMoto();
let moto: Moto | undefined;
let n = 0;

/** A fresh moto bucket (moto started on first use) and its s3 backend options. */
async function motoBucketOptions(name: string) {
  moto ??= await startMoto();
  await (await fetch(`${moto.endpoint}/${name}`, { method: "PUT" })).body?.cancel();
  return s3Options({
    endpoint: moto.endpoint,
    bucket_name: name,
    region: "us-east-1",
    access_key_id: "testing",
    secret_access_key: "testing",
  });
}

if (available) {
  runBackendContract("s3 (moto)", async () => {
    const backend = createS3Backend(await motoBucketOptions(`contract-${Date.now()}-${n++}`));
    return { backend, cleanup: () => Promise.resolve() };
  }, {
    // moto 5 answers UploadPart to an aborted or unknown upload with a 500, not NoSuchUpload;
    // takes an upload id under any key (AWS answers NoSuchUpload); serves a multipart object
    // whole for any part number; completes an upload again with any part list; and refuses a part number listed twice.
    quirks: [
      "upload-part-to-missing-upload-is-500",
      "upload-id-not-bound-to-key",
      "multipart-part-read-is-whole",
      "complete-again-unchecked",
      "complete-repeated-part-refused",
    ],
  });
  Deno.test("s3 (moto) backend: a key with a dot segment is refused, never resolved", async () => {
    const backend = createS3Backend(await motoBucketOptions(`contract-dots-${Date.now()}`));
    for (const key of ["a/../b", "a/./b", "../b"]) {
      const body = new Blob(["x"]).stream();
      const r = await backend.put(key, body, { meta: { userMetadata: {} }, contentLength: 1 });
      assert.ok(!r.ok && r.error.kind === "InvalidArgument", key);
    }
    const b = await backend.head("b");
    assert.ok(!b.ok && b.error.kind === "NoSuchKey", "nothing landed at the resolved key");
  });
  Deno.test("s3 (moto) backend: copyFrom copies server-side between buckets of one store", async () => {
    const [optionsA, optionsB] = [
      await motoBucketOptions(`copy-a-${Date.now()}`),
      await motoBucketOptions(`copy-b-${Date.now()}`),
    ];
    const a = createS3Backend(optionsA);
    const b = prefixed(createS3Backend(optionsB), "p/");
    await a.put("k", new Blob(["moved"]).stream(), {
      meta: { userMetadata: { x: "1" } },
      contentLength: 5,
    });
    assert.equal(a.locate!("k").store, b.locate!("anything").store, "one store");
    const copied = await b.copyFrom!(a.locate!("k"), "dst", {});
    assert.ok(copied.ok, !copied.ok ? String(copied.error.detail) : "");
    assert.equal(copied.value.key, "dst");
    const raw = createS3Backend(optionsB);
    const got = await raw.get("p/dst");
    assert.ok(got.ok);
    assert.equal(await new Response(got.value.body).text(), "moved");
    assert.deepEqual(got.value.meta.userMetadata, { x: "1" });
    const other = createS3Backend({
      ...optionsB,
      credentials: { accessKeyId: "other", secretAccessKey: "x" },
    });
    assert.notEqual(
      other.locate!("k").store,
      a.locate!("k").store,
      "other credentials, other store",
    );
  });
  Deno.test({
    name: "s3 (moto): stop the emulator",
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      await moto?.stop();
    },
  });
}
