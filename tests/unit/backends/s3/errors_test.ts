/**
 * The s3 backend against stores that answer badly: garbage XML, an error
 * inside a 200 (CopyObject, CompleteMultipartUpload), an unknown error code.
 * The client gets the right error or a generic 503, never a crash.
 */
import assert from "node:assert/strict";
import { createS3Backend } from "../../../../src/backends/s3/s3.ts";
import { s3Options } from "../../../../src/backends/s3/options.ts";
import { statusOf } from "../../../../src/errors.ts";

/** A store that answers every request with `body` and `status`. */
async function withStore(
  status: number,
  body: string,
  fn: (endpoint: string) => Promise<void>,
): Promise<void> {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    await req.arrayBuffer();
    return new Response(body, { status, headers: { "content-type": "application/xml" } });
  });
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`);
  } finally {
    await server.shutdown();
  }
}

const backendAt = (endpoint: string) =>
  createS3Backend(s3Options({ endpoint, bucket_name: "b", skip_signature: true }));

const ERROR_IN_200 =
  `<?xml version="1.0"?><Error><Code>InternalError</Code><Message>We encountered an internal error</Message></Error>`;

Deno.test("garbage XML from the store is a 503, not a crash", async () => {
  await withStore(200, "<<<not xml at all", async (endpoint) => {
    const b = backendAt(endpoint);
    const listed = await b.list({ prefix: "", maxKeys: 10 });
    assert.ok(!listed.ok && listed.error.kind === "BackendError");
    assert.equal(statusOf(listed.error), 503);
    const created = await b.createMultipartUpload("k", { userMetadata: {} });
    assert.ok(!created.ok && created.error.kind === "BackendError");
  });
});

Deno.test("an error inside a 200 (CopyObject, CompleteMultipartUpload) is not a success", async () => {
  await withStore(200, ERROR_IN_200, async (endpoint) => {
    const b = backendAt(endpoint);
    const copied = await b.copy("a", "b", {});
    assert.ok(!copied.ok, "CopyObject");
    assert.equal(statusOf(copied.error), 503);
    const done = await b.completeMultipartUpload("k", "u", [{ partNumber: 1, etag: '"x"' }]);
    assert.ok(!done.ok, "CompleteMultipartUpload");
    assert.equal(statusOf(done.error), 503);
  });
});

Deno.test("a store error with a code S3 clients should see passes through; others are 503", async () => {
  const noSuchUpload =
    `<?xml version="1.0"?><Error><Code>NoSuchUpload</Code><Message>gone</Message></Error>`;
  await withStore(404, noSuchUpload, async (endpoint) => {
    const r = await backendAt(endpoint).listParts("k", "u", { maxParts: 10 });
    assert.ok(!r.ok && r.error.kind === "NoSuchUpload");
  });
  const odd = `<?xml version="1.0"?><Error><Code>WeirdThing</Code><Message>x</Message></Error>`;
  await withStore(400, odd, async (endpoint) => {
    const r = await backendAt(endpoint).head("k");
    assert.ok(!r.ok);
    assert.equal(statusOf(r.error), 503, "an unknown store error is the backend's problem");
  });
});
