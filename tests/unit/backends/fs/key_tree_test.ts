import assert from "node:assert/strict";
import {
  decodeTreeName,
  fitsTree,
  treeDir,
  treePath,
} from "../../../../src/backends/fs/key_tree.ts";

Deno.test("treePath(): directories marked '+', the last segment '=', so no two keys meet", () => {
  assert.equal(treePath("a"), "a=");
  assert.equal(treePath("a/b"), "a+/b=");
  assert.equal(treePath("dir/"), "dir+/=");
  assert.equal(treePath("a/b/"), "a+/b+/=");
  assert.equal(treePath("x+/y=%"), "x%2B+/y%3D%25=");
  assert.equal(treePath('w:\\*?"<>|\x01'), "w%3A%5C%2A%3F%22%3C%3E%7C%01=");
  assert.equal(treeDir(""), "");
  assert.equal(treeDir("a/b/"), "a+/b+");
});

Deno.test("decodeTreeName(): the segment a tree name stands for, and whether it is a directory", () => {
  for (const seg of ["", "a", "x+=%", "é😀", "w:\\|\x7f", ".", ".."]) {
    const [dir, file] = treePath(`${seg}/${seg}`).split("/");
    assert.deepEqual(decodeTreeName(dir!), { seg, dir: true });
    assert.deepEqual(decodeTreeName(file!), { seg, dir: false });
  }
  for (const name of ["plain", "%zz=", ""]) assert.equal(decodeTreeName(name), undefined, name);
});

Deno.test("fitsTree(): every escaped name at most 255 bytes", () => {
  assert.ok(fitsTree(`${"a".repeat(254)}/`));
  assert.ok(!fitsTree("a".repeat(255)));
  assert.ok(!fitsTree(`${"%".repeat(100)}/x`));
});
