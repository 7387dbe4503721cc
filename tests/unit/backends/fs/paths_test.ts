import assert from "node:assert/strict";
import { createFsBackend } from "../../../../src/backends/fs/fs.ts";
import { fsKeyProblem, isInternalName } from "../../../../src/backends/fs/paths.ts";
import { body, NO_META, tree, withRoot } from "./_support.ts";

Deno.test("fsKeyProblem() refuses keys that could leave the root or touch internals", () => {
  for (
    const key of [
      "../x",
      "a/../../x",
      "a/./b",
      "/abs",
      "a//b",
      ".bucketgate/meta/x",
      ".bucketgate/",
      "a//",
      "/",
      "..",
      ".",
    ]
  ) {
    assert.ok(fsKeyProblem(key), key);
  }
  for (const key of ["a", "a/b", "..a", "a..", ".hidden", "a b/c+d%e", "é/😀", "dir/", "a/b/"]) {
    assert.equal(fsKeyProblem(key), undefined, key);
  }
});

Deno.test("fsKeyProblem() refuses the internal directory in every spelling a filesystem might open", () => {
  for (
    const key of [
      ".bucketgate",
      ".bucketgate/uploads/x/upload.json",
      ".BUCKETGATE/meta/x.json",
      ".Bucketgate/x",
      ".buc\u212Aetgate/x",
      ".bucketgate./x",
      ".bucketgate /x",
      "/.bucketgate/x",
      "//.bucketgate/x",
      "./.bucketgate/x",
      "a/../.bucketgate/x",
    ]
  ) {
    const e = fsKeyProblem(key, { windows: false });
    assert.equal(e?.kind, "InvalidArgument", key);
  }
  for (const key of ["a/.bucketgate", "bucketgate/x", ".bucketgates/x", "x.bucketgate"]) {
    assert.equal(fsKeyProblem(key, { windows: false }), undefined, key);
  }
  assert.ok(isInternalName(".BucketGate"));
  assert.ok(!isInternalName(".bucketgat"));
  assert.ok(isInternalName("\uFF0Ebucketgate"), "a fullwidth full stop folds to '.'");
  assert.ok(isInternalName("\uFF0E\uFF42ucketgate. "));
  assert.ok(!isInternalName("b.bucketgate") && !isInternalName(""));
});

Deno.test("fsKeyProblem() with Windows rules: '\\' separates, trailing dots and spaces are dropped", () => {
  for (
    const key of [
      "a\\..\\..\\x",
      "..\\x",
      ".bucketgate\\meta\\x.json",
      "a/... /x",
      "c:x",
      "a/.. /x",
    ]
  ) {
    assert.equal(fsKeyProblem(key, { windows: true })?.kind, "InvalidArgument", key);
  }
  assert.equal(fsKeyProblem("a\\b.txt", { windows: true }), undefined);
  assert.equal(fsKeyProblem("a\\", { windows: true }), undefined, "a folder marker");
  assert.equal(fsKeyProblem("a\\..\\x", { windows: false }), undefined, "one odd name on Linux");
});

Deno.test("fs backend: escape attempts never read or write outside the root", async () => {
  await withRoot(async (root) => {
    const b = createFsBackend({ root });
    for (const key of ["../outside.txt", "a/../../outside.txt", ".bucketgate/x"]) {
      const put = await b.put(key, body("evil"), { meta: NO_META });
      assert.ok(!put.ok, key);
      assert.equal(put.error.kind, "InvalidArgument");
      const get = await b.get(key);
      assert.ok(!get.ok, key);
      assert.ok((await b.delete(key)).ok);
    }
    assert.equal(await Deno.readTextFile(`${root}/../outside.txt`), "secret");
    assert.deepEqual(
      await tree(root).then((t) => t.filter((p) => !p.startsWith(".bucketgate/"))),
      [],
    );
  });
});

Deno.test("fsKeyProblem(): a segment over 255 bytes of UTF-8 is KeyTooLong, however few characters it has", () => {
  assert.equal(fsKeyProblem("a".repeat(255)), undefined);
  assert.equal(fsKeyProblem(`d/${"a".repeat(256)}`)?.kind, "KeyTooLong");
  assert.equal(fsKeyProblem("€".repeat(85)), undefined, "85 × 3 bytes");
  assert.equal(fsKeyProblem("€".repeat(86))?.kind, "KeyTooLong", "86 × 3 bytes");
  assert.equal(fsKeyProblem("😀".repeat(63)), undefined, "63 × 4 bytes");
  assert.equal(fsKeyProblem("😀".repeat(64))?.kind, "KeyTooLong", "64 × 4 bytes");
});
