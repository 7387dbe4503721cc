import assert from "node:assert/strict";
import { completeUpload } from "../../../../src/backends/fs/complete.ts";
import { createUpload, uploadPart } from "../../../../src/backends/fs/uploads.ts";
import { MIN_PART_SIZE } from "../../../../src/backends/etag.ts";
import { body, fsContextAt, withRoot } from "./_support.ts";

/** An upload of `key` with parts 1..n holding `texts`; the Complete naming them all. */
async function uploaded(ctx: ReturnType<typeof fsContextAt>, key: string, texts: string[]) {
  const id = await createUpload(ctx, key, { contentType: "text/csv", userMetadata: {} });
  assert.ok(id.ok);
  const ref = { key, uploadId: id.value };
  const parts = [];
  for (const [i, t] of texts.entries()) {
    const p = await uploadPart(ctx, ref, { partNumber: i + 1, body: body(t) });
    assert.ok(p.ok);
    parts.push({ partNumber: i + 1, etag: p.value.etag });
  }
  return { ref, parts };
}

Deno.test("completeUpload(): the chosen parts in order at the key, a multipart ETag, the upload gone", async () => {
  await withRoot(async (root) => {
    const ctx = fsContextAt(root);
    const first = "a".repeat(MIN_PART_SIZE - 1) + "A";
    const { ref, parts } = await uploaded(ctx, "big.csv", [first, "bbb", "c"]);
    const r = await completeUpload(ctx, ref, { parts: [parts[0]!, parts[2]!] });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
    const text = await Deno.readTextFile(`${root}/big.csv`);
    assert.equal(text.length, MIN_PART_SIZE + 1);
    assert.equal(text.slice(-2), "Ac");
    assert.match(r.value.etag, /^"[0-9a-f]{32}-2"$/);
    assert.deepEqual(r.value.partSizes, [MIN_PART_SIZE, 1]);
    assert.equal(r.value.contentType, "text/csv");
    await assert.rejects(Deno.stat(ctx.layout.upload(ref.uploadId)), Deno.errors.NotFound);
  });
});

Deno.test("completeUpload(): a Complete sent again gets the same answer from the completion record", async () => {
  await withRoot(async (root) => {
    const ctx = fsContextAt(root);
    const { ref, parts } = await uploaded(ctx, "k", ["x".repeat(MIN_PART_SIZE), "y"]);
    const first = await completeUpload(ctx, ref, { parts });
    const again = await completeUpload(ctx, ref, { parts });
    assert.ok(first.ok && again.ok);
    assert.equal(again.value.etag, first.value.etag);
    const other = await completeUpload(ctx, { key: "other", uploadId: ref.uploadId }, { parts });
    assert.equal(other.ok, false);
    if (!other.ok) assert.equal(other.error.kind, "NoSuchUpload");
  });
});

Deno.test("completeUpload(): a write condition that fails leaves the upload and the object as they were", async () => {
  await withRoot(async (root) => {
    const ctx = fsContextAt(root);
    await Deno.writeTextFile(`${root}/k`, "existing");
    const { ref, parts } = await uploaded(ctx, "k", ["new"]);
    const r = await completeUpload(ctx, ref, { parts, conditions: { ifNoneMatch: "*" } });
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.kind, "PreconditionFailed");
    assert.equal(await Deno.readTextFile(`${root}/k`), "existing");
    assert.ok((await Deno.stat(ctx.layout.upload(ref.uploadId))).isDirectory);
  });
});

Deno.test("completeUpload(): a part named with a wrong ETag is InvalidPart", async () => {
  await withRoot(async (root) => {
    const ctx = fsContextAt(root);
    const { ref } = await uploaded(ctx, "k", ["a"]);
    const r = await completeUpload(ctx, ref, {
      parts: [{ partNumber: 1, etag: '"00000000000000000000000000000000"' }],
    });
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.kind, "InvalidPart");
  });
});
