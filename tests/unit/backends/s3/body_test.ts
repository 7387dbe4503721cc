import assert from "node:assert/strict";
import { MAX_BUFFERED_UPLOAD, uploadBody } from "../../../../src/backends/s3/body.ts";
import { createUploadBuffer } from "../../../../src/backends/upload_buffer.ts";

Deno.test("uploadBody() streams a body of known length and gathers one of unknown length", async () => {
  const buffer = createUploadBuffer(8 * 1024 * 1024);
  const known = await uploadBody({ stream: new Blob(["abc"]).stream(), contentLength: 3 }, buffer);
  assert.ok(known.ok && known.value.body.kind === "stream" && known.value.body.length === 3);
  if (known.value.body.kind === "stream") await known.value.body.stream.cancel();
  assert.equal(buffer.held, 0, "a known length is never gathered");
  const unknown = await uploadBody({ stream: new Blob(["abc"]).stream() }, buffer);
  assert.ok(unknown.ok && unknown.value.body.kind === "stream");
  assert.equal(unknown.value.size, 3);
  assert.equal(unknown.value.body.length, 3);
  assert.ok(buffer.held > 0, "held in memory");
  assert.equal(await new Response(unknown.value.body.stream).text(), "abc");
  await unknown.value.dispose();
  assert.equal(buffer.held, 0);
});

Deno.test("uploadBody() refuses an unknown length over the limit, and a failing body", async () => {
  let sent = 0;
  const big = new ReadableStream<Uint8Array>({
    pull(c) {
      if (sent > MAX_BUFFERED_UPLOAD) return c.close();
      sent += 8 * 1024 * 1024;
      c.enqueue(new Uint8Array(8 * 1024 * 1024));
    },
  });
  const buffer = createUploadBuffer(1024);
  const r = await uploadBody({ stream: big }, buffer);
  assert.ok(!r.ok && r.error.kind === "MissingContentLength");
  const failing = new ReadableStream<Uint8Array>({ pull: (c) => c.error(new Error("gone")) });
  const f = await uploadBody({ stream: failing }, buffer);
  assert.ok(!f.ok && f.error.kind === "IncompleteBody");
  assert.equal(buffer.held, 0);
});
