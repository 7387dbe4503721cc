import assert from "node:assert/strict";
import { readDocument, readText } from "../../../../src/backends/http/read_body.ts";
import type { HttpResponse } from "../../../../src/backends/http/send.ts";
import { resettingBody } from "./_bodies.ts";

const answer = (body: ReadableStream<Uint8Array> | string | null): HttpResponse => ({
  status: 200,
  headers: new Headers(),
  body: typeof body === "string" ? new Blob([body]).stream() : body,
});

Deno.test("readText() is a BackendError for a body that resets mid-read, never a throw", async () => {
  const r = await readText(answer(resettingBody("<ListBucketResult>")), "ListObjectsV2");
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
  const reset = await readDocument(answer(resettingBody("<A>")), "X", parse);
  assert.ok(!reset.ok && reset.error.kind === "BackendError");
});
