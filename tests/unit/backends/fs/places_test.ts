import assert from "node:assert/strict";
import { findObject, placeObject, removeObject } from "../../../../src/backends/fs/places.ts";
import { fsContextAt, tree, withRoot } from "./_support.ts";

async function tmpWith(ctx: ReturnType<typeof fsContextAt>, text: string): Promise<string> {
  await ctx.ensureDirs();
  const tmp = ctx.layout.tmp();
  await Deno.writeTextFile(tmp, text);
  return tmp;
}

Deno.test("placeObject(): a plain path when a file fits there, else the key tree", async () => {
  await withRoot(async (root) => {
    const ctx = fsContextAt(root);
    const place = async (key: string) => await placeObject(ctx, key, await tmpWith(ctx, key));
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
    await placeObject(ctx, "x/y", await tmpWith(ctx, "y"));
    assert.equal(await placeObject(ctx, "x", await tmpWith(ctx, "old")), ctx.layout.shadow("x"));
    await removeObject(ctx, "x/y");
    assert.equal(await placeObject(ctx, "x", await tmpWith(ctx, "new")), `${root}/x`);
    assert.deepEqual(await tree(ctx.layout.keys), []);
    assert.equal(await Deno.readTextFile((await findObject(ctx, "x"))!.path), "new");
  });
});

Deno.test("removeObject(): both places go, and the directories they leave empty; a directory of other keys stays", async () => {
  await withRoot(async (root) => {
    const ctx = fsContextAt(root);
    await placeObject(ctx, "p/q/r", await tmpWith(ctx, "r"));
    await placeObject(ctx, "p/q", await tmpWith(ctx, "q"));
    await removeObject(ctx, "p/q");
    assert.equal(await findObject(ctx, "p/q"), undefined);
    assert.ok(await findObject(ctx, "p/q/r"));
    await removeObject(ctx, "p/q/r");
    await removeObject(ctx, "never");
    assert.deepEqual(await tree(root), []);
  });
});
