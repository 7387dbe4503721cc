/**
 * The s3 backend against stores that answer badly: garbage XML, an error
 * inside a 200 (CopyObject, CompleteMultipartUpload), an unknown error code.
 * The client gets the right error or a generic 503, never a crash.
 */
import assert from "node:assert/strict";
import { createS3Backend } from "../../../../src/backends/s3/s3.ts";
import { s3OptionsOf } from "../../../_support/backend_options.ts";
import { statusOf } from "../../../../src/errors.ts";
import { errorFrom, xmlAnswer } from "../../../../src/backends/s3/errors.ts";
import type { HttpResponse } from "../../../../src/backends/http/send.ts";
import { fakeStore } from "./_fake_store.ts";
import { resettingBody } from "../http/_bodies.ts";

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
  createS3Backend(s3OptionsOf({ endpoint, bucket_name: "b", skip_signature: true }));

const ERROR_IN_200 =
  `<?xml version="1.0"?><Error><Code>InternalError</Code><Message>We encountered an internal error</Message></Error>`;

Deno.test("garbage XML from the store is a 503, not a crash", async () => {
  await withStore(200, "<<<not xml at all", async (endpoint) => {
    const b = backendAt(endpoint);
    const listed = await b.list({ prefix: "", maxKeys: 10 });
    assert.ok(!listed.ok && listed.error.kind === "BackendError");
    assert.equal(statusOf(listed.error), 503);
    const created = await b.createMultipartUpload("k", { meta: { userMetadata: {} } });
    assert.ok(!created.ok && created.error.kind === "BackendError");
  });
});

Deno.test("an error inside a 200 (CopyObject, CompleteMultipartUpload) is not a success", async () => {
  await withStore(200, ERROR_IN_200, async (endpoint) => {
    const b = backendAt(endpoint);
    const copied = await b.copy("a", "b", {});
    assert.ok(!copied.ok, "CopyObject");
    assert.equal(statusOf(copied.error), 503);
    const done = await b.completeMultipartUpload({ key: "k", uploadId: "u" }, [{
      partNumber: 1,
      etag: '"x"',
    }]);
    assert.ok(!done.ok, "CompleteMultipartUpload");
    assert.equal(statusOf(done.error), 503);
  });
});

Deno.test("a store error with a code S3 clients should see passes through; others are 503", async () => {
  const noSuchUpload =
    `<?xml version="1.0"?><Error><Code>NoSuchUpload</Code><Message>gone</Message></Error>`;
  await withStore(404, noSuchUpload, async (endpoint) => {
    const r = await backendAt(endpoint).listParts({ key: "k", uploadId: "u" }, { maxParts: 10 });
    assert.ok(!r.ok && r.error.kind === "NoSuchUpload");
  });
  const odd = `<?xml version="1.0"?><Error><Code>WeirdThing</Code><Message>x</Message></Error>`;
  await withStore(400, odd, async (endpoint) => {
    const r = await backendAt(endpoint).head("k");
    assert.ok(!r.ok);
    assert.equal(statusOf(r.error), 503, "an unknown store error is the backend's problem");
  });
});

/** A store answer for errorFrom()/xmlAnswer(). */
const answer = (
  status: number,
  body: string | ReadableStream<Uint8Array> | null,
  headers: Record<string, string> = {},
): HttpResponse => ({
  status,
  headers: new Headers(headers),
  body: typeof body === "string" ? new Response(body).body : body,
});

Deno.test("errorFrom() is a BackendError when the error body resets mid-read, even on a 404", async () => {
  // The code was never read: a 404 could have been NoSuchUpload as well as NoSuchKey.
  for (const status of [404, 412, 500]) {
    const e = await errorFrom(answer(status, resettingBody("<Error><Code>NoSu")), "GetObject");
    assert.equal(e.kind, "BackendError", `${status}`);
    assert.equal(statusOf(e), 503);
  }
});

Deno.test("a GetObject whose XML error body resets mid-read is a 503, not NoSuchKey", async () => {
  const { backend } = fakeStore(() => ({ status: 404, body: resettingBody("<Error>") }));
  const r = await backend.get("k");
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "BackendError");
});

Deno.test("errorFrom() passes known codes through, maps bare statuses, and keeps a 412's validators", async () => {
  const xml = (code: string) => `<Error><Code>${code}</Code><Message>m</Message></Error>`;
  assert.equal(
    (await errorFrom(answer(400, xml("KeyTooLongError")), "PutObject")).kind,
    "KeyTooLong",
  );
  assert.equal((await errorFrom(answer(404, null), "HeadObject")).kind, "NoSuchKey");
  assert.equal((await errorFrom(answer(416, null), "GetObject")).kind, "InvalidRange");
  const failed = await errorFrom(answer(412, null, { etag: '"e"' }), "PutObject");
  assert.equal(failed.kind, "PreconditionFailed");
  assert.equal(failed.headers?.etag, '"e"');
  const notModified = await errorFrom(answer(304, null, { etag: '"e"' }), "GetObject");
  assert.equal(notModified.kind, "NotModified");
  assert.equal(
    (await errorFrom(answer(403, xml("AccessDenied")), "GetObject")).kind,
    "BackendError",
  );
});

Deno.test("xmlAnswer() is a BackendError for a body reset mid-read, garbage, or an <Error> in a 200", async () => {
  const reset = await xmlAnswer(answer(200, resettingBody("<CopyObjectResult>")), "CopyObject");
  assert.ok(!reset.ok && reset.error.kind === "BackendError");
  const garbage = await xmlAnswer(answer(200, "<<<"), "CopyObject");
  assert.ok(!garbage.ok && garbage.error.kind === "BackendError");
  const inside = await xmlAnswer(answer(200, ERROR_IN_200), "CopyObject");
  assert.ok(!inside.ok && inside.error.kind === "BackendError");
  const fine = await xmlAnswer(
    answer(200, "<CopyObjectResult><ETag>x</ETag></CopyObjectResult>"),
    "CopyObject",
  );
  assert.ok(fine.ok && fine.value.CopyObjectResult !== undefined);
});

Deno.test("a CopyObject whose 200 body resets mid-read is a BackendError, not a throw", async () => {
  const { backend } = fakeStore(() => ({ status: 200, body: resettingBody("<CopyObjectResult>") }));
  const r = await backend.copy("a", "b", {});
  assert.ok(!r.ok && r.error.kind === "BackendError");
});
