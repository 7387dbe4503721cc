import assert from "node:assert/strict";
import { createFsBackend } from "../../../../src/backends/fs/fs.ts";
import type { Backend } from "../../../../src/backends/backend.ts";
import { body, NO_META, tree, withDenied, withRoot } from "./_support.ts";

const make = (root: string): Backend => createFsBackend({ root });

Deno.test("fs delete(): an EACCES whose message names a 'directory' is a 503, not a silent success", async () => {
  await withRoot(async (root) => {
    const b = make(root);
    assert.ok((await b.put("directory/x", body("1"), { meta: NO_META })).ok);
    await withDenied("remove", (p) => p === `${root}/directory/x`, async () => {
      const r = await b.delete("directory/x");
      assert.ok(!r.ok && r.error.kind === "BackendError", JSON.stringify(r));
    });
    assert.ok((await b.head("directory/x")).ok, "still there");
  });
});

Deno.test("fs delete(): a key that is a prefix of other keys (a directory) deletes nothing and succeeds", async () => {
  await withRoot(async (root) => {
    const b = make(root);
    assert.ok((await b.put("a/b", body("1"), { meta: NO_META })).ok);
    assert.ok((await b.delete("a")).ok);
    assert.ok((await b.head("a/b")).ok);
  });
});

Deno.test("fs backend: concurrent writers to one key end with one complete version", async () => {
  await withRoot(async (root) => {
    const b = createFsBackend({ root });
    const versions = Array.from({ length: 20 }, (_, i) => String(i).repeat(50_000));
    const results = await Promise.all(
      versions.map((v) => b.put("same", body(v), { meta: NO_META })),
    );
    assert.ok(results.every((r) => r.ok));
    const got = await b.get("same");
    assert.ok(got.ok);
    const text = await new Response(got.value.body).text();
    assert.ok(versions.includes(text), "a whole version, never a mix");
    const head = await b.head("same");
    assert.ok(head.ok);
    const { createHash } = await import("node:crypto");
    assert.equal(head.value.etag, `"${createHash("md5").update(text).digest("hex")}"`);
    assert.deepEqual(await tree(`${root}/.bucketgate/tmp`), []);
  });
});

Deno.test("fs backend: a key that is both an object and a prefix: plain files where they fit, the rest in the key tree", async () => {
  await withRoot(async (root) => {
    const b = createFsBackend({ root });
    for (const key of ["a", "a/b", "x/y", "x", "d/"]) {
      assert.ok((await b.put(key, body(key), { meta: NO_META })).ok, key);
    }
    assert.equal(await Deno.readTextFile(`${root}/a`), "a");
    assert.equal(await Deno.readTextFile(`${root}/x/y`), "x/y");
    assert.deepEqual(await tree(`${root}/.bucketgate/keys`), ["a+/b=", "d+/=", "x="]);
    assert.deepEqual(await tree(`${root}/.bucketgate/tmp`), []);
    for (const key of ["a", "a/b", "x/y", "x", "d/"]) assert.ok((await b.delete(key)).ok, key);
    // The turns' lock files (key_locks.ts), made by any write, stay.
    const left = (await tree(root)).filter((f) => !f.startsWith(".bucketgate/locks/"));
    assert.deepEqual(left, []);
  });
});

Deno.test("fs backend: deleting the last object removes its empty directories", async () => {
  await withRoot(async (root) => {
    const b = createFsBackend({ root });
    await b.put("deep/er/x", body("1"), { meta: NO_META });
    assert.ok((await b.delete("deep/er/x")).ok);
    assert.deepEqual((await Array.fromAsync(Deno.readDir(root))).map((e) => e.name), [
      ".bucketgate",
    ]);
  });
});
