import assert from "node:assert/strict";
import { createFsBackend, fsContext } from "../../../../src/backends/fs/fs.ts";
import { DENO_PATH_OPS, type PathOps } from "../../../../src/backends/fs/path_ops.ts";
import {
  findObject,
  placeObject,
  plainObjectNow,
  removeObject,
} from "../../../../src/backends/fs/places.ts";
import { compareKeys } from "../../../../src/backends/keys.ts";
import { foldingOps } from "./_folding.ts";
import { body, fsContextAt, NO_META, spooled, tree, withRoot } from "./_support.ts";

Deno.test("placeObject(): a plain path when a file fits there, else the key tree", async () => {
  await withRoot(async (root) => {
    const ctx = fsContextAt(root);
    const place = async (key: string) => await placeObject(ctx, key, await spooled(ctx, key));
    assert.equal(await place("a"), `${root}/a`);
    assert.equal(await place("a/b"), ctx.layout.shadow("a/b"), "its parent is a file");
    assert.equal(await place("c/d"), `${root}/c/d`);
    assert.equal(await place("c"), ctx.layout.shadow("c"), "a directory is at its path");
    assert.equal(await place("c/"), ctx.layout.shadow("c/"), "a folder marker");
    for (const key of ["a", "a/b", "c/d", "c", "c/"]) {
      const f = await findObject(ctx, key);
      assert.ok(f, key);
      assert.equal(await Deno.readTextFile(f.path), key);
    }
    assert.equal(await findObject(ctx, "b"), undefined);
    assert.equal(await findObject(ctx, "a/"), undefined);
  });
});

Deno.test("placeObject(): a plain write removes the key's older copy in the tree", async () => {
  await withRoot(async (root) => {
    const ctx = fsContextAt(root);
    await placeObject(ctx, "x/y", await spooled(ctx, "y"));
    assert.equal(await placeObject(ctx, "x", await spooled(ctx, "old")), ctx.layout.shadow("x"));
    await removeObject(ctx, "x/y");
    assert.equal(await placeObject(ctx, "x", await spooled(ctx, "new")), `${root}/x`);
    assert.deepEqual(await tree(ctx.layout.keys), []);
    assert.equal(await Deno.readTextFile((await findObject(ctx, "x"))!.path), "new");
  });
});

Deno.test("removeObject(): both places go, and the directories they leave empty; a directory of other keys stays", async () => {
  await withRoot(async (root) => {
    const ctx = fsContextAt(root);
    await placeObject(ctx, "p/q/r", await spooled(ctx, "r"));
    await placeObject(ctx, "p/q", await spooled(ctx, "q"));
    await removeObject(ctx, "p/q");
    assert.equal(await findObject(ctx, "p/q"), undefined);
    assert.ok(await findObject(ctx, "p/q/r"));
    await removeObject(ctx, "p/q/r");
    await removeObject(ctx, "never");
    assert.deepEqual(await tree(root), []);
  });
});

Deno.test("concurrent writers of 'a', 'a/b' and 'a/' from two processes' worth of backends: every key kept, listed once", async () => {
  await withRoot(async (root) => {
    const one = createFsBackend({ root });
    const two = createFsBackend({ root }); // its own caches, as another process has
    const rounds = 40;
    for (let r = 0; r < rounds; r++) {
      const k = `r${r}`;
      const writes = [[one, k], [two, `${k}/b`], [one, `${k}/`], [two, `${k}/b/c`]] as const;
      const order = r % 2 === 0 ? writes : [...writes].reverse();
      const done = await Promise.all(
        order.map(([b, key]) => b.put(key, body(key), { meta: NO_META })),
      );
      for (const d of done) assert.ok(d.ok, !d.ok ? d.error.message : "");
      for (const [, key] of writes) {
        for (const b of [one, two]) {
          const g = await b.get(key);
          assert.ok(g.ok, `round ${r}: ${key}`);
          assert.equal(await new Response(g.value.body).text(), key);
        }
      }
      if (r % 3 === 0) assert.ok((await two.delete(`${k}/b`)).ok);
    }
    const listed = await one.list({ prefix: "", maxKeys: 1000 });
    assert.ok(listed.ok);
    const want = Array.from({ length: rounds }, (_, r) => [
      `r${r}`,
      `r${r}/`,
      ...(r % 3 === 0 ? [] : [`r${r}/b`]),
      `r${r}/b/c`,
    ]).flat().sort(compareKeys);
    assert.deepEqual(listed.value.objects.map((o) => o.key), want);
  });
});

Deno.test("placeObject(): an overwrite makes no directory; a key tree seen empty (and unchanged since) is not looked in again; one changed since, by another process, is", async () => {
  await withRoot(async (root) => {
    const calls: string[] = [];
    const ops: PathOps = {
      ...DENO_PATH_OPS,
      readDir: (p) => (calls.push(`readDir ${p}`), Deno.readDir(p)),
      remove: (p) => (calls.push(`remove ${p}`), Deno.remove(p)),
      mkdir: (p, o) => (calls.push(`mkdir ${p}`), Deno.mkdir(p, o)),
    };
    const a = fsContext({ root, ops });
    const other = fsContextAt(root);
    await placeObject(a, "k", await spooled(a, "1"));
    const past = Date.now() / 1000 - 60;
    await Deno.utime(a.layout.keys, past, past);
    await placeObject(a, "k", await spooled(a, "2")); // seen empty, and old enough to be kept
    calls.length = 0;
    await placeObject(a, "k", await spooled(a, "3"));
    assert.deepEqual(
      calls,
      [],
      "an overwrite costs no mkdir, and an unchanged empty tree no read or unlink",
    );
    // Another process puts a copy of "x" in the tree, then makes room for a plain "x".
    await placeObject(other, "x/y", await spooled(other, "y"));
    assert.equal(
      await placeObject(other, "x", await spooled(other, "old")),
      other.layout.shadow("x"),
    );
    await removeObject(other, "x/y");
    assert.equal(await placeObject(a, "x", await spooled(a, "new")), `${root}/x`);
    assert.deepEqual(await tree(a.layout.keys), []);
    assert.equal(await Deno.readTextFile((await findObject(a, "x"))!.path), "new");
  });
});

Deno.test("plainObjectNow(): a plain key's file found synchronously only once the root is known not to fold", async () => {
  await withRoot(async (root) => {
    const ctx = fsContextAt(root);
    await placeObject(ctx, "a", await spooled(ctx, "a"));
    await placeObject(ctx, "x/", await spooled(ctx, "x/"));
    const plain = fsContext({ root, fsync: false });
    assert.equal(plainObjectNow(plain, "a"), undefined, "the probe has not answered yet");
    assert.equal(await plain.folds(), false);
    assert.equal(plainObjectNow(plain, "a")?.path, `${root}/a`);
    assert.equal(plainObjectNow(plain, "x/"), undefined, "a folder marker lives in the key tree");
    assert.equal(plainObjectNow(plain, "b"), undefined);
    const folding = fsContext({ root, fsync: false, ops: foldingOps(root) });
    assert.equal(await folding.folds(), true);
    assert.equal(plainObjectNow(folding, "a"), undefined, "a folding root asks findObject");
  });
});
