import assert from "node:assert/strict";
import { MAX_BUFFERED_UPLOAD, uploadBody } from "../../../../src/backends/s3/body.ts";

Deno.test("uploadBody() streams a body of known length and gathers one of unknown length", async () => {
  const known = await uploadBody({ stream: new Blob(["abc"]).stream(), contentLength: 3 });
  assert.ok(known.ok && known.value.kind === "stream" && known.value.length === 3);
  if (known.value.kind === "stream") await known.value.stream.cancel();
  const unknown = await uploadBody({ stream: new Blob(["abc"]).stream() });
  assert.ok(unknown.ok && unknown.value.kind === "bytes");
  assert.equal(new TextDecoder().decode(unknown.value.bytes), "abc");
});

Deno.test("uploadBody() refuses an unknown length over the buffer limit, and a failing body", async () => {
  let sent = 0;
  const big = new ReadableStream<Uint8Array>({
    pull(c) {
      if (sent > MAX_BUFFERED_UPLOAD) return c.close();
      sent += 8 * 1024 * 1024;
      c.enqueue(new Uint8Array(8 * 1024 * 1024));
    },
  });
  const r = await uploadBody({ stream: big });
  assert.ok(!r.ok && r.error.kind === "MissingContentLength");
  const failing = new ReadableStream<Uint8Array>({ pull: (c) => c.error(new Error("gone")) });
  const f = await uploadBody({ stream: failing });
  assert.ok(!f.ok && f.error.kind === "IncompleteBody");
});
