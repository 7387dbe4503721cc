import assert from "node:assert/strict";
import { makeDirs, parentOf, syncPath } from "../../../../src/backends/fs/durable.ts";
import { withRoot } from "./_support.ts";

Deno.test("parentOf() is the directory a path is in", () => {
  assert.equal(parentOf("/a/b/c"), "/a/b");
  assert.equal(parentOf("/a"), "/");
});

Deno.test("makeDirs() creates what is missing and names every directory whose entries changed", async () => {
  await withRoot(async (root) => {
    assert.deepEqual(await makeDirs(root), [root], "an existing directory: only itself");
    assert.deepEqual(await makeDirs(`${root}/a/b/c`), [
      root,
      `${root}/a`,
      `${root}/a/b`,
      `${root}/a/b/c`,
    ]);
    assert.ok((await Deno.stat(`${root}/a/b/c`)).isDirectory);
    assert.deepEqual(await makeDirs(`${root}/a/b/d`), [`${root}/a/b`, `${root}/a/b/d`]);
  });
});

Deno.test("syncPath() flushes a file and a directory; a missing one throws", async () => {
  await withRoot(async (root) => {
    await Deno.writeTextFile(`${root}/f`, "x");
    await syncPath(`${root}/f`);
    await syncPath(root);
    await assert.rejects(() => syncPath(`${root}/missing`), Deno.errors.NotFound);
  });
});
