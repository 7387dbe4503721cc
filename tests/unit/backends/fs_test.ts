import assert from "node:assert/strict";
import { createFsBackend, fsKeyProblem, isInternalName } from "../../../src/backends/fs.ts";
import type { HttpMeta } from "../../../src/backends/backend.ts";

const NO_META: HttpMeta = { userMetadata: {} };
const body = (s: string) => new Blob([s]).stream();

async function withRoot(fn: (root: string) => Promise<void>): Promise<void> {
  const parent = await Deno.makeTempDir();
  const root = `${parent}/bucket`;
  await Deno.mkdir(root);
  await Deno.writeTextFile(`${parent}/outside.txt`, "secret");
  try {
    await fn(root);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
}

async function tree(dir: string, rel = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(`${dir}/${rel}`)) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory) out.push(...await tree(dir, p));
    else out.push(p);
  }
  return out.sort();
}

Deno.test("fsKeyProblem() refuses keys that could leave the root or touch internals", () => {
  for (
    const key of [
      "../x",
      "a/../../x",
      "a/./b",
      "/abs",
      "a//b",
      ".bucketgate/meta/x",
      "dir/",
      "..",
      ".",
    ]
  ) {
    assert.ok(fsKeyProblem(key), key);
  }
  for (const key of ["a", "a/b", "..a", "a..", ".hidden", "a b/c+d%e", "é/😀"]) {
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
});

Deno.test("fsKeyProblem() with Windows rules: '\\' separates, trailing dots and spaces are dropped", () => {
  for (
    const key of [
      "a\\..\\..\\x",
      "..\\x",
      ".bucketgate\\meta\\x.json",
      "a/... /x",
      "a\\",
      "c:x",
      "a/.. /x",
    ]
  ) {
    assert.equal(fsKeyProblem(key, { windows: true })?.kind, "InvalidArgument", key);
  }
  assert.equal(fsKeyProblem("a\\b.txt", { windows: true }), undefined);
  assert.equal(fsKeyProblem("a\\..\\x", { windows: false }), undefined, "one odd name on Linux");
});

Deno.test("fs backend: escape attempts never read or write outside the root", async () => {
  await withRoot(async (root) => {
    const b = createFsBackend(root);
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

Deno.test("fs backend: internal files never appear in listings; failed uploads leave no temp file", async () => {
  await withRoot(async (root) => {
    const b = createFsBackend(root);
    await b.put("a", body("1"), { meta: NO_META });
    const failing = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new Uint8Array(10));
        c.error(new Error("client went away"));
      },
    });
    assert.ok(!(await b.put("b", failing, { meta: NO_META })).ok);
    const id = await b.createMultipartUpload("c", NO_META);
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

Deno.test("fs backend: concurrent writers to one key end with one complete version", async () => {
  await withRoot(async (root) => {
    const b = createFsBackend(root);
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

Deno.test("fs backend: files placed by hand are served, listed, and get an MD5 ETag", async () => {
  await withRoot(async (root) => {
    await Deno.mkdir(`${root}/docs`);
    await Deno.writeTextFile(`${root}/docs/readme.txt`, "by hand");
    const b = createFsBackend(root);
    const head = await b.head("docs/readme.txt");
    assert.ok(head.ok);
    assert.equal(head.value.contentType, "text/plain");
    const { createHash } = await import("node:crypto");
    assert.equal(head.value.etag, `"${createHash("md5").update("by hand").digest("hex")}"`);
    await Deno.writeTextFile(`${root}/docs/readme.txt`, "changed by hand too");
    const again = await b.head("docs/readme.txt");
    assert.ok(again.ok);
    assert.equal(
      again.value.etag,
      `"${createHash("md5").update("changed by hand too").digest("hex")}"`,
    );
    const list = await b.list({ prefix: "docs/", maxKeys: 10 });
    assert.ok(list.ok);
    assert.deepEqual(list.value.objects.map((o) => o.key), ["docs/readme.txt"]);
  });
});

Deno.test("fs backend: a key that is both an object and a prefix is a clear 4xx", async () => {
  await withRoot(async (root) => {
    const b = createFsBackend(root);
    assert.ok((await b.put("a", body("file"), { meta: NO_META })).ok);
    const nested = await b.put("a/b", body("nested"), { meta: NO_META });
    assert.ok(!nested.ok);
    assert.equal(nested.error.kind, "InvalidRequest");
    assert.ok((await b.put("x/y", body("nested"), { meta: NO_META })).ok);
    const parent = await b.put("x", body("file"), { meta: NO_META });
    assert.ok(!parent.ok);
    assert.equal(parent.error.kind, "InvalidRequest");
    assert.deepEqual(await tree(`${root}/.bucketgate/tmp`), []);
  });
});

Deno.test("fs backend: deleting the last object removes its empty directories", async () => {
  await withRoot(async (root) => {
    const b = createFsBackend(root);
    await b.put("deep/er/x", body("1"), { meta: NO_META });
    assert.ok((await b.delete("deep/er/x")).ok);
    assert.deepEqual((await Array.fromAsync(Deno.readDir(root))).map((e) => e.name), [
      ".bucketgate",
    ]);
  });
});

Deno.test("fs backend: a small object read from memory is never stale (rewritten in place, replaced, deleted)", async () => {
  await withRoot(async (root) => {
    const b = createFsBackend(root);
    const read = async (key: string, range?: { start: number; end: number }) => {
      const r = await b.get(key, range ? { range: { kind: "from", ...range } } : {});
      return r.ok ? { text: await new Response(r.value.body).text(), etag: r.value.meta.etag } : r;
    };
    assert.ok((await b.put("k", body("first"), { meta: NO_META })).ok);
    assert.equal((await read("k") as { text: string }).text, "first");
    assert.equal((await read("k") as { text: string }).text, "first", "served again");
    // The same size, written in place by another program (same inode, new mtime).
    await new Promise((r) => setTimeout(r, 5));
    await Deno.writeTextFile(`${root}/k`, "FIRST");
    const inPlace = await read("k") as { text: string; etag: string };
    assert.equal(inPlace.text, "FIRST");
    assert.equal(
      inPlace.etag,
      `"${(await import("node:crypto")).createHash("md5").update("FIRST").digest("hex")}"`,
    );
    // Replaced through the gateway (a new inode), then a range of it.
    assert.ok((await b.put("k", body("second"), { meta: NO_META })).ok);
    assert.equal((await read("k") as { text: string }).text, "second");
    assert.equal((await read("k", { start: 1, end: 3 }) as { text: string }).text, "eco");
    assert.ok((await b.delete("k")).ok);
    const gone = await b.get("k");
    assert.ok(!gone.ok && gone.error.kind === "NoSuchKey");
  });
});

Deno.test("fs backend: an object changed by hand keeps its HTTP metadata, not its checksums or parts", async () => {
  await withRoot(async (root) => {
    const b = createFsBackend(root);
    const up = await b.createMultipartUpload("m.bin", {
      contentType: "x/y",
      userMetadata: { a: "b" },
    });
    assert.ok(up.ok);
    const p1 = await b.uploadPart("m.bin", up.value, 1, body("one"), {});
    assert.ok(p1.ok);
    const done = await b.completeMultipartUpload("m.bin", up.value, [
      { partNumber: 1, etag: p1.value.etag },
    ]);
    assert.ok(done.ok);
    assert.deepEqual(done.value.partSizes, [3]);
    const put = await b.put("c.txt", body("abc"), {
      meta: NO_META,
      checksums: { CRC32: "NSRBwg==" },
    });
    assert.ok(put.ok);
    await new Promise((r) => setTimeout(r, 20));
    await Deno.writeTextFile(`${root}/m.bin`, "replaced by hand");
    await Deno.writeTextFile(`${root}/c.txt`, "replaced too");
    const m = await b.head("m.bin");
    const c = await b.head("c.txt");
    assert.ok(m.ok && c.ok);
    assert.equal(m.value.contentType, "x/y");
    assert.deepEqual(m.value.userMetadata, { a: "b" });
    assert.equal(m.value.partSizes, undefined);
    assert.equal(m.value.partsCount, undefined);
    assert.equal(c.value.checksums, undefined);
  });
});
