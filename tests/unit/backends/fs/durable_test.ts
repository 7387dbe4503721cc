import assert from "node:assert/strict";
import {
  parentOf,
  syncParents,
  syncPath,
  syncRemoved,
} from "../../../../src/backends/fs/durable.ts";
import { withRoot } from "./_support.ts";

Deno.test("parentOf() is the directory a path is in", () => {
  assert.equal(parentOf("/a/b/c"), "/a/b");
  assert.equal(parentOf("/a"), "/");
});

Deno.test("syncParents() flushes each directory from a path's own up to the top; a missing one throws", async () => {
  await withRoot(async (root) => {
    await Deno.mkdir(`${root}/a/b`, { recursive: true });
    await Deno.writeTextFile(`${root}/a/b/f`, "x");
    await syncParents(`${root}/a/b/f`, root);
    await syncParents(`${root}/f`, root);
    await assert.rejects(() => syncParents(`${root}/gone/f`, root), Deno.errors.NotFound);
  });
});

Deno.test("syncRemoved() flushes the nearest directory still there, never above the top", async () => {
  await withRoot(async (root) => {
    await Deno.mkdir(`${root}/a`);
    await syncRemoved(`${root}/a/b/c/f`, root);
    await syncRemoved(`${root}/f`, root);
    await syncRemoved(`${root}/gone/f`, `${root}/gone`);
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
