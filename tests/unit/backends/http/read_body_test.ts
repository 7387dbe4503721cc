import assert from "node:assert/strict";
import { readDocument, readText } from "../../../../src/backends/http/read_body.ts";
import type { HttpResponse } from "../../../../src/backends/http/send.ts";

/** A body that sends `head` and then fails, as a connection reset mid-read does. */
function resetting(head: string): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (sent) return c.error(new TypeError("error reading a body from connection: reset"));
      sent = true;
      c.enqueue(new TextEncoder().encode(head));
    },
  });
}

const answer = (body: ReadableStream<Uint8Array> | string | null): HttpResponse => ({
  status: 200,
  headers: new Headers(),
  body: typeof body === "string" ? new Blob([body]).stream() : body,
});

Deno.test("readText() is a BackendError for a body that resets mid-read, never a throw", async () => {
  const r = await readText(answer(resetting("<ListBucketResult>")), "ListObjectsV2");
  assert.ok(!r.ok && r.error.kind === "BackendError");
  assert.match(String(r.error.detail), /ListObjectsV2: HTTP 200, the body failed mid-read/);
  const empty = await readText(answer(null), "x");
  assert.ok(empty.ok && empty.value === "");
});

Deno.test("readDocument() parses with the store's parser; text it refuses is a BackendError", async () => {
  const parse = (t: string) => t.startsWith("<") ? { text: t } : undefined;
  const good = await readDocument(answer("<A/>"), "X", parse);
  assert.deepEqual(good, { ok: true, value: { doc: { text: "<A/>" }, text: "<A/>" } });
  const bad = await readDocument(answer("not xml"), "CopyObject", parse);
  assert.ok(!bad.ok && bad.error.kind === "BackendError");
  assert.match(String(bad.error.detail), /CopyObject: unparseable XML/);
  const reset = await readDocument(answer(resetting("<A>")), "X", parse);
  assert.ok(!reset.ok && reset.error.kind === "BackendError");
});
