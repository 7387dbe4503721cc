import assert from "node:assert/strict";
import type { KeyEntry } from "../../../../src/backends/fs/dir_entries.ts";
import { type KeyTree, mergeKeys, walkKeys } from "../../../../src/backends/fs/key_walk.ts";
import { compareKeys } from "../../../../src/backends/keys.ts";

/** A tree of `keys` in memory (keys split at '/'), counting the directories read. */
function memoryTree(keys: readonly string[]): KeyTree & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    entries(rel) {
      reads.push(rel);
      const parts = new Map<string, KeyEntry>();
      for (const k of keys.filter((k) => k.startsWith(rel))) {
        const rest = k.slice(rel.length);
        const slash = rest.indexOf("/");
        const part = slash < 0 ? rest : rest.slice(0, slash + 1);
        parts.set(part, part);
      }
      return Promise.resolve([...parts.values()].sort(compareKeys));
    },
  };
}

const all = (keys: readonly string[], prefix = "", after?: string) =>
  Array.fromAsync(walkKeys(memoryTree(keys), { prefix, after, skip: () => undefined }));

Deno.test("walkKeys(): S3 order across directories ('a-b' < 'a/b' < 'a0')", async () => {
  const keys = ["a0", "a/b", "a-b", "a/b/c", "a/a", "b", "a"];
  assert.deepEqual(await all(keys), ["a", "a-b", "a/a", "a/b", "a/b/c", "a0", "b"]);
  assert.deepEqual(await all(keys, "a/"), ["a/a", "a/b", "a/b/c"]);
  assert.deepEqual(await all(keys, "", "a/a"), ["a/b", "a/b/c", "a0", "b"]);
  assert.deepEqual(await all(keys, "a", "a-"), ["a-b", "a/a", "a/b", "a/b/c", "a0"]);
});

Deno.test("walkKeys(): enters only the directories the prefix and bound reach; skips a group", async () => {
  const t = memoryTree(["x/1", "y/1", "y/2/3", "z/1"]);
  const got = await Array.fromAsync(walkKeys(t, { prefix: "y/", skip: () => undefined }));
  assert.deepEqual(got, ["y/1", "y/2/3"]);
  assert.deepEqual(t.reads, ["", "y/", "y/2/"]);
  const skipped = memoryTree(["x/1", "x/2/3", "y"]);
  const out: string[] = [];
  let skip: string | undefined;
  for await (const k of walkKeys(skipped, { prefix: "", skip: () => skip })) {
    out.push(k);
    skip = k.includes("/") ? k.slice(0, k.indexOf("/") + 1) : undefined;
  }
  assert.deepEqual(out, ["x/1", "y"]);
  assert.ok(!skipped.reads.includes("x/2/"), "a skipped directory is never read");
});

Deno.test("mergeKeys(): two ordered streams as one, a key in both once", async () => {
  const gen = async function* (keys: string[]) {
    yield* keys;
  };
  const merged = await Array.fromAsync(mergeKeys(gen(["a", "c", "d"]), gen(["a/", "b", "c", "e"])));
  assert.deepEqual(merged, ["a", "a/", "b", "c", "d", "e"]);
});
