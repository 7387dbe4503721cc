import assert from "node:assert/strict";
import { createDirEntries, type EntryReader } from "../../../../src/backends/fs/dir_entries.ts";
import { DENO_PATH_OPS } from "../../../../src/backends/fs/path_ops.ts";
import { withRoot } from "./_support.ts";

const asKeyPart: EntryReader = (e) => e.isDirectory ? `${e.name}/` : e.name;

/** Runs `fn` counting Deno.readDir calls; restores it after. */
async function countingReads(fn: (reads: () => number) => Promise<void>): Promise<void> {
  const real = Deno.readDir;
  let n = 0;
  Deno.readDir = (path) => (n++, real(path));
  try {
    await fn(() => n);
  } finally {
    Deno.readDir = real;
  }
}

const aged = (path: string) => Deno.utime(path, Date.now() / 1000 - 60, Date.now() / 1000 - 60);

Deno.test("DirEntries.sorted(): entries in key order ('a-b' < 'a/' < 'a0'); none for a missing directory", async () => {
  await withRoot(async (root) => {
    for (const f of ["a0", "a-b", "b"]) await Deno.writeTextFile(`${root}/${f}`, "");
    await Deno.mkdir(`${root}/a`);
    const dirs = createDirEntries(DENO_PATH_OPS);
    const parts = await dirs.sorted(root, asKeyPart);
    assert.deepEqual(parts, ["a-b", "a/", "a0", "b"]);
    assert.deepEqual(await dirs.sorted(`${root}/missing`, asKeyPart), []);
    assert.deepEqual(await dirs.sorted(`${root}/b`, asKeyPart), [], "a file is no directory");
  });
});

Deno.test("DirEntries.sorted(): an unchanged directory is read once; a change is seen; a fresh one is read again", async () => {
  await withRoot(async (root) => {
    await Deno.writeTextFile(`${root}/x`, "");
    await aged(root);
    const dirs = createDirEntries(DENO_PATH_OPS);
    await countingReads(async (reads) => {
      await dirs.sorted(root, asKeyPart);
      await dirs.sorted(root, asKeyPart);
      assert.equal(reads(), 1, "kept while unchanged");
      await Deno.writeTextFile(`${root}/y`, "");
      assert.deepEqual(await dirs.sorted(root, asKeyPart), ["x", "y"]);
      assert.equal(reads(), 2);
      await dirs.sorted(root, asKeyPart);
      assert.equal(reads(), 3, "changed just now: not kept (a change in the same tick would hide)");
    });
  });
});

Deno.test("DirEntries.sorted(): listings waiting for one directory share its read", async () => {
  await withRoot(async (root) => {
    for (let i = 0; i < 50; i++) await Deno.writeTextFile(`${root}/f${i}`, "");
    await aged(root);
    const dirs = createDirEntries(DENO_PATH_OPS);
    await countingReads(async (reads) => {
      await Promise.all(Array.from({ length: 20 }, () => dirs.sorted(root, asKeyPart)));
      assert.equal(reads(), 1);
    });
  });
});
