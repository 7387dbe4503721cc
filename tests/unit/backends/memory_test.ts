/** Memory-specific checks; the backend contract (tests/contract/memory_test.ts) covers the rest. */
import assert from "node:assert/strict";
import { createMemoryBackend } from "../../../src/backends/memory.ts";
import { body, completed, NO_META } from "./fs/_support.ts";

Deno.test("memory backend: Last-Modified, Initiated and a part's LastModified come from the injected now", async () => {
  let now = Date.UTC(2030, 5, 1, 12, 0, 0, 789);
  const b = createMemoryBackend({ clock: { now: () => now } });
  const put = await b.put("k", body("x"), { meta: NO_META });
  assert.ok(put.ok);
  assert.equal(put.value.lastModified.toISOString(), "2030-06-01T12:00:00.000Z"); // to the second
  now += 60_000;
  const id = await b.createMultipartUpload("u", { meta: NO_META });
  assert.ok(id.ok);
  assert.ok(
    (await b.uploadPart({ key: "u", uploadId: id.value }, { partNumber: 1, body: body("p") })).ok,
  );
  const uploads = await b.listMultipartUploads({ prefix: "", maxUploads: 10 });
  assert.ok(uploads.ok);
  assert.equal(uploads.value.uploads[0]?.initiated.getTime(), now);
  const parts = await b.listParts({ key: "u", uploadId: id.value }, { maxParts: 10 });
  assert.ok(parts.ok);
  assert.equal(parts.value.parts[0]?.lastModified.getTime(), now);
});

Deno.test("memory backend: the last 1000 completions are answered again; the oldest is forgotten", async () => {
  const b = createMemoryBackend();
  const again = [];
  for (let i = 0; i < 1001; i++) again.push(await completed(b, `k${i}`));
  const forgotten = await again[0]!();
  assert.equal(forgotten.ok, false);
  if (!forgotten.ok) assert.equal(forgotten.error.kind, "NoSuchUpload");
  const kept = await again[1]!();
  assert.ok(kept.ok);
  assert.equal(kept.value.key, "k1");
  const last = await again[1000]!();
  assert.ok(last.ok);
});

Deno.test("memory backend: a body shorter than its Content-Length is IncompleteBody and stores nothing", async () => {
  const b = createMemoryBackend();
  const r = await b.put("k", body("abc"), { meta: NO_META, contentLength: 5 });
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.error.kind, "IncompleteBody");
  assert.equal((await b.head("k")).ok, false);
});

Deno.test("memory backend: a read of bytes in hand is the stored bytes (no stream), a range a view", async () => {
  const b = createMemoryBackend();
  assert.ok((await b.put("k", body("hello world"), { meta: NO_META })).ok);
  const whole = await b.get("k");
  assert.ok(whole.ok);
  assert.ok(whole.value.body instanceof Uint8Array);
  const part = await b.get("k", { range: { kind: "from", start: 6 } });
  assert.ok(part.ok);
  assert.deepEqual(part.value.range, { start: 6, end: 10 });
  assert.equal(new TextDecoder().decode(part.value.body as Uint8Array), "world");
});
