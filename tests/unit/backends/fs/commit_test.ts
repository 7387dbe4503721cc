import assert from "node:assert/strict";
import { commit } from "../../../../src/backends/fs/commit.ts";
import { fsContextAt, NO_META, spooled, tree, withRoot } from "./_support.ts";

Deno.test("commit(): the file moves to its key, its sidecar beside it, and the meta describes it", async () => {
  await withRoot(async (root) => {
    const ctx = fsContextAt(root);
    const tmp = await spooled(ctx, "hello");
    const r = await commit(ctx, {
      key: "a/b/k.txt",
      tmp,
      meta: { userMetadata: { x: "1" } },
      etag: '"etag"',
      extra: { partSizes: [2, 3] },
    });
    assert.ok(r.ok);
    assert.equal(r.value.size, 5);
    assert.equal(r.value.etag, '"etag"');
    assert.equal(r.value.contentType, "text/plain"); // guessed: none was stored
    assert.equal(r.value.partsCount, 2);
    assert.equal(await Deno.readTextFile(`${root}/a/b/k.txt`), "hello");
    const sidecar = JSON.parse(await Deno.readTextFile(ctx.layout.meta("a/b/k.txt")));
    assert.equal(sidecar.key, "a/b/k.txt");
    assert.equal(sidecar.etag, '"etag"');
    assert.deepEqual(sidecar.userMetadata, { x: "1" });
    assert.deepEqual(await tree(`${root}/.bucketgate/tmp`), []);
  });
});

Deno.test("commit(): a key whose parent is a file goes to the key tree; the file stays", async () => {
  await withRoot(async (root) => {
    const ctx = fsContextAt(root);
    await Deno.writeTextFile(`${root}/a`, "an object");
    const tmp = await spooled(ctx, "new");
    const r = await commit(ctx, { key: "a/b", tmp, meta: NO_META, etag: '"e"' });
    assert.ok(r.ok);
    assert.equal(await Deno.readTextFile(`${root}/a`), "an object");
    assert.equal(await Deno.readTextFile(ctx.layout.shadow("a/b")), "new");
    assert.deepEqual(await tree(`${root}/.bucketgate/tmp`), []);
  });
});

Deno.test("commit(): over an existing object, the new bytes and metadata replace the old", async () => {
  await withRoot(async (root) => {
    const ctx = fsContextAt(root);
    assert.ok(
      (await commit(ctx, { key: "k", tmp: await spooled(ctx, "old"), meta: NO_META, etag: '"1"' }))
        .ok,
    );
    const r = await commit(ctx, {
      key: "k",
      tmp: await spooled(ctx, "newer"),
      meta: { contentType: "text/csv", userMetadata: {} },
      etag: '"2"',
    });
    assert.ok(r.ok);
    assert.equal(await Deno.readTextFile(`${root}/k`), "newer");
    const st = await Deno.stat(`${root}/k`);
    const m = await ctx.sidecars.of("k", st, `${root}/k`);
    assert.ok(m.ok);
    assert.equal(m.value.etag, '"2"');
    assert.equal(m.value.contentType, "text/csv");
  });
});
