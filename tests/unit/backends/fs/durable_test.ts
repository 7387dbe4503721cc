import assert from "node:assert/strict";
import {
  parentOf,
  syncParents,
  syncPath,
  syncRemoved,
} from "../../../../src/backends/fs/durable.ts";
import { createFsBackend } from "../../../../src/backends/fs/fs.ts";
import { fsLayout } from "../../../../src/backends/fs/paths.ts";
import { body, completed, NO_META, withRoot } from "./_support.ts";

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

/** An fs backend over `root` whose flushes are recorded (and made) in order. */
function recorded(root: string, fsync = true) {
  const synced: string[] = [];
  const sync = async (path: string) => {
    await syncPath(path);
    synced.push(path);
  };
  return { b: createFsBackend({ root, fsync, syncPath: sync }), synced, layout: fsLayout(root) };
}

/** The index in `synced` of the first flush `match` accepts at or after `from`; -1 if none. */
const flushAfter = (synced: string[], from: number, match: (p: string) => boolean) =>
  synced.findIndex((p, i) => i >= from && match(p));

Deno.test("fs: a 200 on CreateMultipartUpload flushes the record's file, then its directory and the uploads' directory", async () => {
  await withRoot(async (root) => {
    const { b, synced, layout } = recorded(root);
    const id = await b.createMultipartUpload("k", { meta: NO_META });
    assert.ok(id.ok);
    const file = flushAfter(synced, 0, (p) => p.startsWith(`${layout.tmpDir}/`));
    assert.ok(file >= 0, `no record file flushed: ${synced}`);
    const dir = flushAfter(synced, file, (p) => p === layout.upload(id.value));
    assert.ok(dir > file, `the upload's directory not flushed after its record: ${synced}`);
    assert.ok(flushAfter(synced, dir, (p) => p === layout.uploads) > dir, `${synced}`);
  });
});

Deno.test("fs: a 200 on UploadPart flushes its bytes and record, then the upload's directory", async () => {
  await withRoot(async (root) => {
    const { b, synced, layout } = recorded(root);
    const id = await b.createMultipartUpload("k", { meta: NO_META });
    assert.ok(id.ok);
    const from = synced.length;
    const p = await b.uploadPart({ key: "k", uploadId: id.value }, {
      partNumber: 1,
      body: body("x"),
    });
    assert.ok(p.ok);
    const files = synced.slice(from).filter((p) => p.startsWith(`${layout.tmpDir}/`));
    assert.equal(files.length, 2, `bytes and record: ${synced.slice(from)}`);
    assert.equal(synced.at(-1), layout.upload(id.value));
  });
});

Deno.test("fs: a 200 on CompleteMultipartUpload flushes the object, its sidecar, their directories, then the completion record and its directory", async () => {
  await withRoot(async (root) => {
    const { b, synced, layout } = recorded(root);
    const id = await b.createMultipartUpload("d/k", { meta: NO_META });
    assert.ok(id.ok);
    const ref = { key: "d/k", uploadId: id.value };
    const p = await b.uploadPart(ref, { partNumber: 1, body: body("x") });
    assert.ok(p.ok);
    const from = synced.length;
    assert.ok((await b.completeMultipartUpload(ref, [{ partNumber: 1, etag: p.value.etag }])).ok);
    const tail = synced.slice(from);
    const files = tail.filter((p) => p.startsWith(`${layout.tmpDir}/`));
    assert.equal(files.length, 3, `object, sidecar, completion record: ${tail}`);
    const metaDir = parentOf(layout.meta("d/k"));
    for (const dir of [`${root}/d`, root, metaDir, layout.completed]) {
      assert.ok(tail.includes(dir), `${dir} not flushed: ${tail}`);
    }
    assert.equal(tail.at(-1), layout.completed);
    assert.ok(tail.indexOf(files[2]!) > tail.indexOf(metaDir), "the record after the object");
  });
});

Deno.test("fs: a 200 on PutObject flushes bytes and sidecar, then every directory made for it up to the root", async () => {
  await withRoot(async (root) => {
    const { b, synced, layout } = recorded(root);
    assert.ok((await b.put("a/b/k", body("x"), { meta: NO_META })).ok);
    const objectFrom = synced.findLastIndex((p) => p.startsWith(`${layout.tmpDir}/`));
    const dirs = synced.slice(objectFrom + 1);
    assert.deepEqual(dirs, [`${root}/a/b`, `${root}/a`, root, parentOf(layout.meta("a/b/k"))]);
  });
});

Deno.test("fs: a delete that removed emptied parents flushes the nearest directory still there", async () => {
  await withRoot(async (root) => {
    const { b, synced } = recorded(root);
    assert.ok((await b.put("a/b/c/k", body("x"), { meta: NO_META })).ok);
    assert.ok((await b.put("a/x", body("x"), { meta: NO_META })).ok);
    let from = synced.length;
    assert.ok((await b.delete("a/b/c/k")).ok);
    // a/b/c and a/b went with the key; a (holding x) lost a/b's entry.
    assert.deepEqual(synced.slice(from), [`${root}/a`]);
    from = synced.length;
    assert.ok((await b.delete("a/x")).ok);
    assert.deepEqual(synced.slice(from), [root]);
  });
});

Deno.test("fs (fsync: false): no 200 path flushes anything", async () => {
  await withRoot(async (root) => {
    const { b, synced } = recorded(root, false);
    assert.ok((await b.put("a/k", body("x"), { meta: NO_META })).ok);
    await completed(b, "u/k");
    const id = await b.createMultipartUpload("v", { meta: NO_META });
    assert.ok(id.ok);
    assert.ok((await b.abortMultipartUpload({ key: "v", uploadId: id.value })).ok);
    assert.ok((await b.delete("a/k")).ok);
    assert.deepEqual(synced, []);
  });
});

Deno.test("fs: a 204 on AbortMultipartUpload flushes the uploads' directory", async () => {
  await withRoot(async (root) => {
    const { b, synced, layout } = recorded(root);
    const id = await b.createMultipartUpload("v", { meta: NO_META });
    assert.ok(id.ok);
    const from = synced.length;
    assert.ok((await b.abortMultipartUpload({ key: "v", uploadId: id.value })).ok);
    assert.deepEqual(synced.slice(from), [layout.uploads]);
  });
});
