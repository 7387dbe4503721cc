import assert from "node:assert/strict";
import { createFsBackend } from "../../../../src/backends/fs/fs.ts";
import { body, NO_META, withRoot } from "./_support.ts";

Deno.test("fs backend: files placed by hand are served, listed, and get an MD5 ETag", async () => {
  await withRoot(async (root) => {
    await Deno.mkdir(`${root}/docs`);
    await Deno.writeTextFile(`${root}/docs/readme.txt`, "by hand");
    const b = createFsBackend({ root });
    const head = await b.head("docs/readme.txt");
    assert.ok(head.ok);
    assert.equal(head.value.contentType, "text/plain");
    const { createHash } = await import("node:crypto");
    assert.equal(head.value.etag, `"${createHash("md5").update("by hand").digest("hex")}"`);
    await Deno.writeTextFile(`${root}/docs/readme.txt`, "changed by hand too");
    const again = await b.head("docs/readme.txt");
    assert.ok(again.ok);
    assert.equal(
      again.value.etag,
      `"${createHash("md5").update("changed by hand too").digest("hex")}"`,
    );
    const list = await b.list({ prefix: "docs/", maxKeys: 10 });
    assert.ok(list.ok);
    assert.deepEqual(list.value.objects.map((o) => o.key), ["docs/readme.txt"]);
  });
});

Deno.test("fs backend: an object changed by hand keeps its HTTP metadata, not its checksums or parts", async () => {
  await withRoot(async (root) => {
    const b = createFsBackend({ root });
    const up = await b.createMultipartUpload("m.bin", {
      meta: {
        contentType: "x/y",
        userMetadata: { a: "b" },
      },
    });
    assert.ok(up.ok);
    const p1 = await b.uploadPart({ key: "m.bin", uploadId: up.value }, {
      partNumber: 1,
      body: body("one"),
    });
    assert.ok(p1.ok);
    const done = await b.completeMultipartUpload({ key: "m.bin", uploadId: up.value }, [
      { partNumber: 1, etag: p1.value.etag },
    ]);
    assert.ok(done.ok);
    assert.deepEqual(done.value.partSizes, [3]);
    const put = await b.put("c.txt", body("abc"), {
      meta: NO_META,
      checksums: { CRC32: "NSRBwg==" },
    });
    assert.ok(put.ok);
    await new Promise((r) => setTimeout(r, 20));
    await Deno.writeTextFile(`${root}/m.bin`, "replaced by hand");
    await Deno.writeTextFile(`${root}/c.txt`, "replaced too");
    const m = await b.head("m.bin");
    const c = await b.head("c.txt");
    assert.ok(m.ok && c.ok);
    assert.equal(m.value.contentType, "x/y");
    assert.deepEqual(m.value.userMetadata, { a: "b" });
    assert.equal(m.value.partSizes, undefined);
    assert.equal(m.value.partsCount, undefined);
    assert.equal(c.value.checksums, undefined);
  });
});

Deno.test("sidecars: one that does not fit is looked at again within the key's turn; a file gone or replaced since the stat is not recomputed", async () => {
  const { createSidecars } = await import("../../../../src/backends/fs/sidecars.ts");
  const { fsLayout } = await import("../../../../src/backends/fs/paths.ts");
  await withRoot(async (root) => {
    const layout = fsLayout(root);
    const turns: string[] = [];
    const sidecars = createSidecars({
      layout,
      ensureDirs: async () => {
        for (const d of layout.dirs) await Deno.mkdir(d, { recursive: true });
      },
      turn: (key, f) => {
        turns.push(key);
        return f();
      },
    });
    await Deno.writeTextFile(`${root}/k`, "one");
    const st = await Deno.stat(`${root}/k`);
    const first = await sidecars.of("k", st, `${root}/k`);
    assert.ok(first.ok);
    assert.deepEqual(turns, ["k"], "a missing sidecar is rebuilt within the turn");
    assert.ok((await sidecars.of("k", st, `${root}/k`)).ok);
    assert.deepEqual(turns, ["k"], "a fitting one takes no turn");
    await Deno.writeTextFile(`${root}/k.new`, "two, longer");
    await Deno.rename(`${root}/k.new`, `${root}/k`);
    // The new file's sidecar is written (as a publish does); the old stat no longer fits it.
    assert.ok((await sidecars.of("k", await Deno.stat(`${root}/k`), `${root}/k`)).ok);
    const replaced = await sidecars.of("k", st, `${root}/k`);
    assert.ok(!replaced.ok && replaced.error.kind === "SlowDown");
    await Deno.remove(`${root}/k`);
    const gone = await sidecars.of("k", st, `${root}/k`);
    assert.ok(!gone.ok && gone.error.kind === "NoSuchKey");
    // A key's file in the key tree (places.ts): the path given is the one looked at again.
    const tree = `${layout.keys}/elsewhere`;
    await Deno.writeTextFile(tree, "three");
    const inTree = await sidecars.of("k", await Deno.stat(tree), tree);
    assert.ok(inTree.ok, "rebuilt from the file at its path, not at the key's plain path");
    assert.equal(sidecars.within().remember, sidecars.remember, "within() shares the cache");
  });
});

Deno.test("fs backend: a hot GET (sidecar and bytes in memory) sees a file rewritten by hand at once", async () => {
  await withRoot(async (root) => {
    const b = createFsBackend({ root, fsync: false });
    assert.ok((await b.put("k", body("first"), { meta: NO_META })).ok);
    const read = async () => {
      const g = await b.get("k");
      assert.ok(g.ok && g.value.body instanceof Uint8Array);
      return { etag: g.value.meta.etag, text: new TextDecoder().decode(g.value.body) };
    };
    const first = await read();
    assert.deepEqual(await read(), first, "served from memory again");
    await Deno.writeTextFile(`${root}/k`, "other");
    const now = await read();
    assert.equal(now.text, "other");
    assert.notEqual(now.etag, first.etag, "the sidecar no longer describes the file");
  });
});
