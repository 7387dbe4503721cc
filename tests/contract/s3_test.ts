/** The backend contract against the s3 backend over moto (a real S3 emulator process). */
import assert from "node:assert/strict";
import { createS3Backend, s3Options } from "../../src/backends/s3/s3.ts";
import { haveMoto, type Moto, startMoto } from "../_support/moto.ts";
import { runBackendContract } from "./backend_contract.ts";

const available = await haveMoto();
let moto: Moto | undefined;
let n = 0;

if (available) {
  runBackendContract("s3 (moto)", async () => {
    moto ??= await startMoto();
    const bucket = `contract-${Date.now()}-${n++}`;
    const res = await fetch(`${moto.endpoint}/${bucket}`, { method: "PUT" });
    await res.body?.cancel();
    const backend = createS3Backend(s3Options({
      endpoint: moto.endpoint,
      bucket_name: bucket,
      region: "us-east-1",
      access_key_id: "testing",
      secret_access_key: "testing",
    }));
    return { backend, cleanup: () => Promise.resolve() };
  }, {
    // moto 5 answers UploadPart to an aborted or unknown upload with a 500, not NoSuchUpload.
    quirks: ["upload-part-to-missing-upload-is-500"],
  });
  Deno.test("s3 (moto) backend: a key with a dot segment is refused, never resolved", async () => {
    moto ??= await startMoto();
    const bucket = `contract-dots-${Date.now()}`;
    await (await fetch(`${moto.endpoint}/${bucket}`, { method: "PUT" })).body?.cancel();
    const backend = createS3Backend(s3Options({
      endpoint: moto.endpoint,
      bucket_name: bucket,
      region: "us-east-1",
      access_key_id: "testing",
      secret_access_key: "testing",
    }));
    for (const key of ["a/../b", "a/./b", "../b"]) {
      const body = new Blob(["x"]).stream();
      const r = await backend.put(key, body, { meta: { userMetadata: {} }, contentLength: 1 });
      assert.ok(!r.ok && r.error.kind === "InvalidArgument", key);
    }
    const b = await backend.head("b");
    assert.ok(!b.ok && b.error.kind === "NoSuchKey", "nothing landed at the resolved key");
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
