/** The backend contract against the s3 backend over moto (a real S3 emulator process). */
import assert from "node:assert/strict";
import { createS3Backend } from "../../src/backends/s3/s3.ts";
import { emulatorSuite } from "../_support/emulator.ts";
import { createMotoBucket, motoMissing, motoS3Options, startMoto } from "../_support/moto.ts";
import { runBackendContract } from "./backend_contract.ts";

const suite = emulatorSuite({ name: "s3 (moto)", missing: await motoMissing(), start: startMoto });
let n = 0;

/** A fresh moto bucket and its s3 backend options. */
async function motoBucketOptions(what: string) {
  const { endpoint } = suite.emulator();
  const name = `${what}-${Date.now()}-${n++}`;
  await createMotoBucket(endpoint, name);
  return motoS3Options(endpoint, name);
}

runBackendContract("s3 (moto)", async () => ({
  backend: createS3Backend(await motoBucketOptions("contract")),
  cleanup: () => Promise.resolve(),
  sibling: async () => createS3Backend(await motoBucketOptions("sibling")),
}), {
  register: suite.test,
  // moto 5 answers UploadPart to an aborted or unknown upload with a 500, not NoSuchUpload;
  // takes an upload id under any key (AWS answers NoSuchUpload); serves a multipart object
  // whole for any part number; completes an upload again with any part list; refuses a part
  // number listed twice; ignores the delimiter of ListMultipartUploads; compares `If-Match: *`
  // as an ETag; and ignores the conditions of CopyObject.
  // Its multipart checksums: no part checksums in ListParts, composite values without -N,
  // full-object values computed as CRC32 whatever the algorithm, claimed values unchecked.
  quirks: [
    "upload-part-to-missing-upload-is-500",
    "upload-id-not-bound-to-key",
    "multipart-part-read-is-whole",
    "complete-again-unchecked",
    "complete-repeated-part-refused",
    "list-uploads-ignores-delimiter",
    "if-match-star-on-write-refused",
    "copy-conditions-ignored",
    "full-object-claim-unchecked",
    "no-part-checksums-listed",
    "composite-checksum-without-part-count",
    "full-object-checksum-only-crc32",
    "put-computes-no-checksum",
    "no-object-part-checksums",
  ],
});

suite.test("s3 (moto) backend: a key with a dot segment is refused, never resolved", async () => {
  const backend = createS3Backend(await motoBucketOptions("contract-dots"));
  for (const key of ["a/../b", "a/./b", "../b"]) {
    const body = new Blob(["x"]).stream();
    const r = await backend.put(key, body, { meta: { userMetadata: {} }, contentLength: 1 });
    assert.ok(!r.ok && r.error.kind === "InvalidArgument", key);
  }
  const b = await backend.head("b");
  assert.ok(!b.ok && b.error.kind === "NoSuchKey", "nothing landed at the resolved key");
});

suite.test("s3 (moto) backend: other credentials are another store for locate()", async () => {
  const options = await motoBucketOptions("store");
  const a = createS3Backend(options);
  const other = createS3Backend({
    ...options,
    credentials: { accessKeyId: "other", secretAccessKey: "x" },
  });
  assert.notEqual(other.locate!("k").store, a.locate!("k").store, "other credentials, other store");
  assert.equal(createS3Backend(options).locate!("k").store, a.locate!("k").store, "same, same");
});
