import assert from "node:assert/strict";
import { answer, fake, FAKE_NOW } from "./_fake.ts";

const NO_META = { userMetadata: {} };
const body = (text: string) => new Response(text).body!;

Deno.test("get() resolves a suffix range on the blob's size, pinned to its version by If-Match", async () => {
  const f = fake((req) =>
    req.method === "HEAD"
      ? answer(200, null, { "content-length": "10", etag: '"0x7"' })
      : answer(206, "89", { "content-range": "bytes 8-9/10", etag: '"0x7"' })
  );
  const r = await f.backend.get("k", { range: { kind: "suffix", length: 2 } });
  assert.ok(r.ok);
  assert.deepEqual(r.value.range, { start: 8, end: 9 });
  const get = f.requests[1]!;
  assert.equal(get.headers["x-ms-range"], "bytes=8-9");
  assert.equal(get.headers["if-match"], '"0x7"');
  assert.equal(get.streamBody, true);
  assert.equal(await new Response(r.value.body as ReadableStream).text(), "89");
});

Deno.test("get() refuses a range at the end that Azure served whole, as S3 does", async () => {
  const f = fake(() => answer(200, "abc", { "content-length": "3" }));
  const r = await f.backend.get("k", { range: { kind: "from", start: 3 } });
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "InvalidRange");
});

Deno.test("get(), head() and delete() of an internal key ask Azure nothing", async () => {
  const f = fake(() => answer(500));
  assert.ok(!(await f.backend.get(".bucketgate/uploads/x/upload")).ok);
  assert.ok(!(await f.backend.head("./.bucketgate/x")).ok);
  assert.ok((await f.backend.delete(".bucketgate/x")).ok, "deletes nothing, as a missing key");
  assert.equal(f.requests.length, 0);
});

Deno.test("put() of a known small length is one Put Blob; Last-Modified falls back to the clock", async () => {
  const md5 = btoa(String.fromCharCode(...new Uint8Array(16).fill(1)));
  const f = fake(() => answer(201, null, { "content-md5": md5, etag: '"0x1"' }));
  const r = await f.backend.put("k", body("abc"), { meta: NO_META, contentLength: 3 });
  assert.ok(r.ok);
  assert.equal(f.requests.length, 1);
  assert.equal(f.requests[0]!.headers["x-ms-blob-type"], "BlockBlob");
  assert.equal(r.value.etag, `"${"01".repeat(16)}"`);
  assert.equal(r.value.lastModified.getTime(), FAKE_NOW);
});

Deno.test("put() under If-None-Match: * pins the write to a missing blob", async () => {
  const f = fake((req) => req.method === "HEAD" ? answer(404) : answer(201));
  const r = await f.backend.put("k", body("abc"), {
    meta: NO_META,
    contentLength: 3,
    conditions: { ifNoneMatch: "*" },
  });
  assert.ok(r.ok);
  assert.equal(f.requests[1]!.headers["if-none-match"], "*");
});

Deno.test("put() to the internal namespace is refused and its body cancelled", async () => {
  let cancelled = false;
  const stream = new ReadableStream({ cancel: () => void (cancelled = true) });
  const f = fake(() => answer(500));
  const r = await f.backend.put(".bucketgate/x", stream, { meta: NO_META });
  assert.ok(!r.ok);
  assert.ok(cancelled);
  assert.equal(f.requests.length, 0);
});
