/**
 * Answers a remote S3 store gives that the whole handler must pass on, in
 * process over an s3 backend on moto: what HeadObject by part number says.
 */
import assert from "node:assert/strict";
import { createS3Backend } from "../../src/backends/s3/s3.ts";
import { emulatorSuite } from "../_support/emulator.ts";
import { createMotoBucket, motoMissing, motoS3Options, startMoto } from "../_support/moto.ts";
import { ADMIN, harness, send } from "./_harness.ts";

const MiB = 1024 * 1024;
// Keep-alive pools hold sockets open on purpose: no sanitizers.
const suite = emulatorSuite({
  name: "s3 (moto): the store's answers through the handler",
  missing: await motoMissing(),
  start: startMoto,
  sanitizers: false,
});

suite.test("HeadObject by partNumber passes the store's x-amz-mp-parts-count on", async () => {
  const { endpoint } = suite.emulator();
  const bucket = `parts-${Date.now()}`;
  await createMotoBucket(endpoint, bucket);
  const backend = createS3Backend(motoS3Options(endpoint, bucket));
  const h = harness(undefined, { wrapBackend: () => backend });
  const created = await send(h, "/private/mp?uploads", { method: "POST", key: ADMIN });
  const id = /<UploadId>([^<]+)<\/UploadId>/.exec(await created.text())![1]!;
  const etags: string[] = [];
  for (const [i, size] of [5 * MiB, 3].entries()) {
    const res = await send(h, `/private/mp?partNumber=${i + 1}&uploadId=${id}`, {
      method: "PUT",
      key: ADMIN,
      body: new Uint8Array(size).fill(i + 1),
    });
    assert.equal(res.status, 200);
    await res.body?.cancel();
    etags.push(res.headers.get("etag")!);
  }
  const parts = etags.map((e, i) =>
    `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`
  );
  const done = await send(h, `/private/mp?uploadId=${id}`, {
    method: "POST",
    key: ADMIN,
    body: `<CompleteMultipartUpload>${parts.join("")}</CompleteMultipartUpload>`,
  });
  assert.equal(done.status, 200, await done.text());
  const head = await send(h, "/private/mp?partNumber=1", { method: "HEAD", key: ADMIN });
  assert.equal(head.status === 200 || head.status === 206, true, `status ${head.status}`);
  assert.equal(head.headers.get("x-amz-mp-parts-count"), "2");
  assert.equal(head.headers.get("content-length"), String(5 * MiB), "the part's length");
  const whole = await send(h, "/private/mp", { method: "HEAD", key: ADMIN });
  assert.equal(whole.headers.get("x-amz-mp-parts-count"), null, "only a read by part names it");
});
