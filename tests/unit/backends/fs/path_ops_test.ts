import assert from "node:assert/strict";
import { createFsBackend } from "../../../../src/backends/fs/fs.ts";
import { DENO_PATH_OPS, probeFolding } from "../../../../src/backends/fs/path_ops.ts";
import { foldingOps } from "./_folding.ts";
import { body, NO_META, withRoot } from "./_support.ts";

Deno.test("probeFolding(): a case-sensitive directory does not fold, a folding one does, one that cannot be probed is taken to fold", async () => {
  await withRoot(async (root) => {
    assert.equal(await probeFolding(DENO_PATH_OPS, root), false);
    assert.equal(await probeFolding(foldingOps(root), root), true);
    assert.equal(await probeFolding(DENO_PATH_OPS, `${root}/missing`), true);
    assert.deepEqual([...Deno.readDirSync(root)], [], "the probe leaves nothing");
  });
});

const text = async (b: ReturnType<typeof createFsBackend>, key: string) => {
  const r = await b.get(key);
  return r.ok ? await new Response(r.value.body).text() : r.error.kind;
};

Deno.test("fs on a root that folds case: a key reaches only the name stored exactly so", async () => {
  await withRoot(async (root) => {
    const b = createFsBackend({ root, ops: foldingOps(root) });
    for (const key of ["Alice/x", "Bob", "c/", "d", "d/e"]) {
      assert.ok((await b.put(key, body(key), { meta: NO_META })).ok, key);
    }
    for (const key of ["alice/x", "ALICE/x", "Alice/X", "bob", "C/", "D", "d/E"]) {
      assert.equal(await text(b, key), "NoSuchKey", `get ${key}`);
      const h = await b.head(key);
      assert.equal(h.ok ? "found" : h.error.kind, "NoSuchKey", `head ${key}`);
    }
    for (const key of ["Alice/x", "Bob", "c/", "d", "d/e"]) assert.equal(await text(b, key), key);

    // A write that would land on another spelling is refused, saying why; nothing changes.
    for (const key of ["alice/y", "ALICE/x", "Alice/X", "BOB", "C/", "D/e"]) {
      const r = await b.put(key, body("other"), { meta: NO_META });
      assert.equal(r.ok ? "stored" : r.error.kind, "InvalidArgument", `put ${key}`);
      assert.match(!r.ok ? r.error.message : "", /only in case/);
      const c = await b.copy("Bob", key, {});
      assert.equal(c.ok ? "copied" : c.error.kind, "InvalidArgument", `copy to ${key}`);
    }
    // A delete of another spelling deletes nothing.
    for (const key of ["alice/x", "bob", "C/", "D"]) assert.ok((await b.delete(key)).ok);
    const listed = await b.list({ prefix: "", maxKeys: 100 });
    assert.ok(listed.ok);
    assert.deepEqual(listed.value.objects.map((o) => o.key), ["Alice/x", "Bob", "c/", "d", "d/e"]);
    assert.equal(await text(b, "Alice/x"), "Alice/x");
  });
});

Deno.test("fs on a case-sensitive root: spellings that differ in case are other keys", async () => {
  await withRoot(async (root) => {
    const b = createFsBackend({ root });
    for (const key of ["Alice/x", "alice/x", "bob", "BOB"]) {
      assert.ok((await b.put(key, body(key), { meta: NO_META })).ok, key);
    }
    for (const key of ["Alice/x", "alice/x", "bob", "BOB"]) assert.equal(await text(b, key), key);
  });
});
