import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { putInBlocks, putSmall } from "../../../../src/backends/az/blob_writes.ts";
import { answer, fake } from "./_fake.ts";

Deno.test("putInBlocks() stages blocks then commits them in order with the body's MD5", async () => {
  const f = fake(() => answer(201));
  const ctx = { ...f.ctx, sizes: { maxSinglePut: 4, streamedBlock: 4, bufferedBlock: 4 } };
  const r = await putInBlocks(ctx, {
    key: "k",
    stream: new Response("abcdefghij").body!,
    length: 10,
    headers: { "x-ms-blob-content-type": "text/plain" },
  });
  assert.ok(r.ok);
  assert.equal(r.value.size, 10);
  const blocks = f.requests.filter((q) => q.url.searchParams.get("comp") === "block");
  assert.deepEqual(blocks.map((q) => q.body?.kind === "stream" && q.body.length), [4, 4, 2]);
  const commit = f.requests.at(-1)!;
  assert.equal(commit.url.searchParams.get("comp"), "blocklist");
  const list = commit.body?.kind === "bytes" ? Buffer.from(commit.body.bytes).toString() : "";
  const ids = blocks.map((q) => q.url.searchParams.get("blockid"));
  assert.equal(
    list.match(/<Latest>[^<]+<\/Latest>/g)?.join(""),
    ids.map((id) => `<Latest>${id}</Latest>`).join(""),
  );
  const md5 = createHash("md5").update("abcdefghij").digest("base64");
  assert.equal(commit.headers["x-ms-blob-content-md5"], md5);
  assert.equal(commit.headers["x-ms-blob-content-type"], "text/plain");
});

Deno.test("putInBlocks() of a body that errors is IncompleteBody and commits nothing", async () => {
  const f = fake(() => answer(201));
  const stream = new ReadableStream<Uint8Array>({ pull: (c) => c.error(new Error("gone")) });
  const r = await putInBlocks(f.ctx, { key: "k", stream, length: undefined, headers: {} });
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "IncompleteBody");
  assert.ok(!f.requests.some((q) => q.url.searchParams.get("comp") === "blocklist"));
});

Deno.test("putSmall() stores internal metadata under bgi_", async () => {
  const f = fake(() => answer(201));
  const r = await putSmall(f.ctx, { path: "p", bytes: new Uint8Array(), metadata: { md5: "x" } });
  assert.ok(r.ok);
  assert.equal(f.requests[0]!.headers["x-ms-meta-bgi_md5"], "x");
});
