import assert from "node:assert/strict";
import { createFsBackend, fsKeyProblem } from "../../../../src/backends/fs/fs.ts";
import { createMemoryBackend } from "../../../../src/backends/memory.ts";
import { fuzzSeed, Rng, stringFrom } from "../../../security/_fuzz.ts";
import { body, NO_META, tree, withRoot } from "./_support.ts";

Deno.test("fs backend: internal files never appear in listings; failed uploads leave no temp file", async () => {
  await withRoot(async (root) => {
    const b = createFsBackend({ root });
    await b.put("a", body("1"), { meta: NO_META });
    const failing = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new Uint8Array(10));
        c.error(new Error("client went away"));
      },
    });
    assert.ok(!(await b.put("b", failing, { meta: NO_META })).ok);
    const id = await b.createMultipartUpload("c", { meta: NO_META });
    assert.ok(id.ok);
    const list = await b.list({ prefix: "", maxKeys: 1000 });
    assert.ok(list.ok);
    assert.deepEqual(list.value.objects.map((o) => o.key), ["a"]);
    const dotted = await b.list({ prefix: ".bucketgate", maxKeys: 1000 });
    assert.ok(dotted.ok);
    assert.deepEqual(dotted.value.objects, []);
    assert.deepEqual(await tree(`${root}/.bucketgate/tmp`), []);
  });
});

Deno.test("fs listing: the memory backend's pages on random keys, plain and in the key tree", async () => {
  const rng = new Rng(fuzzSeed());
  await withRoot(async (root) => {
    const fs = createFsBackend({ root });
    const memory = createMemoryBackend();
    await Deno.mkdir(`${root}/a/made-by-hand`, { recursive: true }); // not a key
    const keys = new Set<string>();
    while (keys.size < 150) {
      const k = stringFrom(rng, "ab-/0é😀", 6);
      if (k !== "" && !fsKeyProblem(k)) keys.add(k);
    }
    const order = [...keys].map((k) => ({ k, r: rng.float() })).sort((x, y) => x.r - y.r);
    for (const { k } of order) {
      for (const b of [fs, memory]) assert.ok((await b.put(k, body(k), { meta: NO_META })).ok, k);
    }
    const starts = [...keys, "", "a", "a/", "b-", "é", "😀", "zz"];
    for (let i = 0; i < 300; i++) {
      const o = {
        prefix: rng.chance(0.3) ? "" : rng.pick(starts).slice(0, rng.int(4)),
        maxKeys: rng.range(1, 12),
        ...(rng.chance(0.6) ? { delimiter: rng.pick(["/", "-", "a/"]) } : {}),
        ...(rng.chance(0.5) ? { startAfter: rng.pick(starts) } : {}),
      };
      const [got, want] = await Promise.all([fs.list(o), memory.list(o)]);
      assert.ok(got.ok && want.ok);
      const page = (p: typeof got.value) => ({ ...p, objects: p.objects.map((x) => x.key) });
      assert.deepEqual(page(got.value), page(want.value), JSON.stringify(o));
    }
  });
});

Deno.test("fs listing: a name placed by hand in the key tree that no key could spell is not listed", async () => {
  await withRoot(async (root) => {
    const b = createFsBackend({ root });
    assert.ok((await b.put("d/", body("marker"), { meta: NO_META })).ok);
    for (const dir of ["..+", ".bucketgate+"]) await Deno.mkdir(`${root}/.bucketgate/keys/${dir}`);
    await Deno.writeTextFile(`${root}/.bucketgate/keys/..+/outside.txt=`, "x");
    await Deno.writeTextFile(`${root}/.bucketgate/keys/.bucketgate+/meta=`, "x");
    const list = await b.list({ prefix: "", maxKeys: 1000 });
    assert.ok(list.ok);
    assert.deepEqual(list.value.objects.map((o) => o.key), ["d/"]);
  });
});
