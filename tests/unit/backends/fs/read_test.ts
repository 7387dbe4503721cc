import assert from "node:assert/strict";
import {
  getObject,
  headObject,
  statFile,
  writeConditionFailure,
} from "../../../../src/backends/fs/read.ts";
import { SMALL_READ } from "../../../../src/backends/fs/small_files.ts";
import { putObject } from "../../../../src/backends/fs/write.ts";
import { body, fsContextAt, NO_META, withDenied, withRoot } from "./_support.ts";

const text = async (b: ReadableStream<Uint8Array> | Uint8Array) =>
  b instanceof Uint8Array ? new TextDecoder().decode(b) : await new Response(b).text();

Deno.test("headObject(): the stored meta; NoSuchKey for none, a directory, or a key fs cannot hold", async () => {
  await withRoot(async (root) => {
    const ctx = fsContextAt(root);
    assert.ok((await putObject(ctx, "d/k.json", { body: body("{}"), meta: NO_META })).ok);
    const h = await headObject(ctx, "d/k.json");
    assert.ok(h.ok);
    assert.equal(h.value.size, 2);
    assert.equal(h.value.contentType, "application/json");
    for (const key of ["none", "d", "a/../../outside.txt"]) {
      const r = await headObject(ctx, key);
      assert.equal(r.ok ? "ok" : r.error.kind, "NoSuchKey", key);
    }
  });
});

Deno.test("statFile(): the file's path and stat; NoSuchKey when it is missing or a directory", async () => {
  await withRoot(async (root) => {
    const ctx = fsContextAt(root);
    await Deno.mkdir(`${root}/dir`);
    await Deno.writeTextFile(`${root}/f`, "abc");
    const st = await statFile(ctx, "f");
    assert.ok(st.ok);
    assert.equal(st.value.st.size, 3);
    assert.equal(st.value.path, `${root}/f`);
    for (const key of ["dir", "missing", "f/", "dir/"]) {
      const r = await statFile(ctx, key);
      assert.equal(r.ok ? "ok" : r.error.kind, "NoSuchKey");
    }
  });
});

Deno.test("getObject(): a small object's bytes in hand, a large one streamed; ranges on both", async () => {
  await withRoot(async (root) => {
    const ctx = fsContextAt(root);
    assert.ok((await putObject(ctx, "small", { body: body("hello world"), meta: NO_META })).ok);
    const big = "x".repeat(SMALL_READ) + "tail";
    assert.ok((await putObject(ctx, "big", { body: body(big), meta: NO_META })).ok);
    const s = await getObject(ctx, "small");
    assert.ok(s.ok);
    assert.ok(s.value.body instanceof Uint8Array);
    const sr = await getObject(ctx, "small", { range: { kind: "suffix", length: 5 } });
    assert.ok(sr.ok);
    assert.deepEqual(sr.value.range, { start: 6, end: 10 });
    assert.equal(await text(sr.value.body), "world");
    const b = await getObject(ctx, "big");
    assert.ok(b.ok);
    assert.ok(b.value.body instanceof ReadableStream);
    assert.equal((await text(b.value.body)).length, big.length);
    const br = await getObject(ctx, "big", { range: { kind: "from", start: SMALL_READ } });
    assert.ok(br.ok);
    assert.equal(await text(br.value.body), "tail");
  });
});

Deno.test("getObject(): read conditions and an unsatisfiable range are refused before any byte", async () => {
  await withRoot(async (root) => {
    const ctx = fsContextAt(root);
    const put = await putObject(ctx, "k", { body: body("abc"), meta: NO_META });
    assert.ok(put.ok);
    const nm = await getObject(ctx, "k", { conditions: { ifNoneMatch: put.value.etag } });
    assert.equal(nm.ok ? "ok" : nm.error.kind, "NotModified");
    const pf = await getObject(ctx, "k", { conditions: { ifMatch: '"other"' } });
    assert.equal(pf.ok ? "ok" : pf.error.kind, "PreconditionFailed");
    const bad = await getObject(ctx, "k", { range: { kind: "from", start: 10 } });
    assert.equal(bad.ok ? "ok" : bad.error.kind, "InvalidRange");
    const missing = await getObject(ctx, "nope");
    assert.equal(missing.ok ? "ok" : missing.error.kind, "NoSuchKey");
  });
});

Deno.test("writeConditionFailure(): checks If-Match / If-None-Match against the object there", async () => {
  await withRoot(async (root) => {
    const ctx = fsContextAt(root);
    assert.ok((await putObject(ctx, "k", { body: body("v1"), meta: NO_META })).ok);
    const h = await headObject(ctx, "k");
    assert.ok(h.ok);
    assert.equal(await writeConditionFailure(ctx, "k", undefined), undefined);
    assert.equal(await writeConditionFailure(ctx, "k", { ifMatch: h.value.etag }), undefined);
    assert.equal(
      (await writeConditionFailure(ctx, "k", { ifNoneMatch: "*" }))?.kind,
      "PreconditionFailed",
    );
    assert.equal(await writeConditionFailure(ctx, "none", { ifNoneMatch: "*" }), undefined);
  });
});

Deno.test("a conditional write over an object that cannot be read fails with that error, never overwrites", async () => {
  await withRoot(async (root) => {
    assert.ok((await putObject(fsContextAt(root), "k", { body: body("v1"), meta: NO_META })).ok);
    const fresh = fsContextAt(root); // no sidecar cached
    await withDenied("readTextFile", (p) => p.includes(".bucketgate"), async () => {
      const put = await putObject(fresh, "k", {
        body: body("v2"),
        meta: NO_META,
        conditions: { ifNoneMatch: "*" },
      });
      assert.equal(put.ok ? "ok" : put.error.kind, "BackendError");
    });
    assert.equal(await Deno.readTextFile(`${root}/k`), "v1");
  });
});
