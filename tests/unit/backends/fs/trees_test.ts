import assert from "node:assert/strict";
import { placeObject } from "../../../../src/backends/fs/places.ts";
import { internalTree, plainTree } from "../../../../src/backends/fs/trees.ts";
import { fsContextAt, spooled, withRoot } from "./_support.ts";

Deno.test("plainTree() and internalTree(): each directory's entries as key parts, sorted; where a key prefix is", async () => {
  await withRoot(async (root) => {
    const ctx = fsContextAt(root);
    for (const key of ["a0", "a/b", "a-b", "a", "d/", "d/e/"]) {
      await placeObject(ctx, key, await spooled(ctx, key));
    }
    await Deno.mkdir(`${root}/hand-made`);
    const plain = plainTree(ctx);
    assert.deepEqual(await plain.entries(""), ["a-b", "a/", "a0", "hand-made/"]);
    assert.deepEqual(await plain.entries("a/"), ["b"]);
    assert.equal(plain.pathOf("a/"), `${root}/a`);
    const tree = internalTree(ctx);
    assert.deepEqual(await tree.entries(""), ["a", "d/"]);
    assert.deepEqual(await tree.entries("d/"), ["", "e/"]);
    assert.deepEqual(await tree.entries("d/e/"), [""]);
    assert.equal(tree.pathOf("d/e/"), `${ctx.layout.keys}/d+/e+`);
    assert.equal(tree.pathOf("d/"), `${ctx.layout.keys}/d+`);
    assert.equal(tree.pathOf("a"), `${ctx.layout.keys}/a=`);
  });
});
