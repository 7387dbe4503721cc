import assert from "node:assert/strict";
import type { Backend, StoreLocation } from "../../../src/backends/backend.ts";
import { createMemoryBackend } from "../../../src/backends/memory.ts";
import { prefixed } from "../../../src/backends/prefixed.ts";

const META = { userMetadata: {} };
const body = (text: string) => new Blob([text]).stream();

async function innerKeys(inner: Backend): Promise<string[]> {
  const r = await inner.list({ prefix: "", maxKeys: 1000 });
  assert.ok(r.ok);
  return r.value.objects.map((o) => o.key);
}

function setup() {
  const inner = createMemoryBackend();
  return { inner, outer: prefixed(inner, "v2/") };
}

Deno.test("prefixed() with an empty prefix is the backend itself", () => {
  const inner = createMemoryBackend();
  assert.equal(prefixed(inner, ""), inner);
});

Deno.test("prefixed() writes under the prefix and answers with the client's key", async () => {
  const { inner, outer } = setup();
  const put = await outer.put("a/b", body("x"), { meta: META });
  assert.ok(put.ok);
  assert.equal(put.value.key, "a/b");
  assert.deepEqual(await innerKeys(inner), ["v2/a/b"]);
  const head = await outer.head("a/b");
  assert.ok(head.ok);
  assert.equal(head.value.key, "a/b");
  const got = await outer.get("a/b");
  assert.ok(got.ok);
  assert.equal(got.value.meta.key, "a/b");
});

Deno.test("prefixed() never reaches keys outside the prefix", async () => {
  const { inner, outer } = setup();
  await inner.put("secret", body("s"), { meta: META });
  const head = await outer.head("secret");
  assert.ok(!head.ok);
  assert.equal(head.error.kind, "NoSuchKey");
  const list = await outer.list({ prefix: "", maxKeys: 10 });
  assert.ok(list.ok);
  assert.deepEqual(list.value.objects, []);
});

Deno.test("prefixed() lists with the prefix added to prefix and startAfter, stripped from the page", async () => {
  const { inner, outer } = setup();
  for (const k of ["d/1", "d/2", "e/1", "f"]) await outer.put(k, body("x"), { meta: META });
  const r = await outer.list({ prefix: "", delimiter: "/", startAfter: "d/", maxKeys: 1 });
  assert.ok(r.ok);
  assert.deepEqual(r.value, {
    objects: [],
    commonPrefixes: ["e/"],
    isTruncated: true,
    nextStartAfter: "e/",
  });
  const keys = await outer.list({ prefix: "d/", maxKeys: 10 });
  assert.ok(keys.ok);
  assert.deepEqual(keys.value.objects.map((o) => o.key), ["d/1", "d/2"]);
  assert.equal((await innerKeys(inner)).every((k) => k.startsWith("v2/")), true);
});

Deno.test("prefixed() copies and deletes under the prefix", async () => {
  const { inner, outer } = setup();
  await outer.put("src", body("x"), { meta: META });
  const c = await outer.copy("src", "dst", {});
  assert.ok(c.ok);
  assert.equal(c.value.key, "dst");
  assert.deepEqual(await innerKeys(inner), ["v2/dst", "v2/src"]);
  assert.ok((await outer.delete("src")).ok);
  assert.deepEqual(await innerKeys(inner), ["v2/dst"]);
});

Deno.test("prefixed() runs multipart uploads under the prefix and strips upload listings", async () => {
  const { inner, outer } = setup();
  const id = await outer.createMultipartUpload("m/k", { meta: META });
  assert.ok(id.ok);
  const upload = { key: "m/k", uploadId: id.value };
  const part = await outer.uploadPart(upload, {
    partNumber: 1,
    body: body("abc"),
  });
  assert.ok(part.ok);
  const innerUploads = await inner.listMultipartUploads({ prefix: "", maxUploads: 10 });
  assert.ok(innerUploads.ok);
  assert.deepEqual(innerUploads.value.uploads.map((u) => u.key), ["v2/m/k"]);
  const listed = await outer.listMultipartUploads({ prefix: "", delimiter: "/", maxUploads: 10 });
  assert.ok(listed.ok);
  assert.deepEqual(listed.value.commonPrefixes, ["m/"]);
  const marker = await outer.listMultipartUploads({
    prefix: "m/",
    keyMarker: "m/k",
    maxUploads: 10,
  });
  assert.ok(marker.ok);
  assert.deepEqual(marker.value.uploads, []);
  const parts = await outer.listParts(upload, { maxParts: 10 });
  assert.ok(parts.ok);
  assert.equal(parts.value.parts.length, 1);
  const done = await outer.completeMultipartUpload(upload, [
    { partNumber: 1, etag: part.value.etag },
  ]);
  assert.ok(done.ok);
  assert.equal(done.value.key, "m/k");
  assert.deepEqual(await innerKeys(inner), ["v2/m/k"]);
});

Deno.test("prefixed() strips the next key marker of a truncated upload listing", async () => {
  const { outer } = setup();
  await outer.createMultipartUpload("a", { meta: META });
  await outer.createMultipartUpload("b", { meta: META });
  const r = await outer.listMultipartUploads({ prefix: "", maxUploads: 1 });
  assert.ok(r.ok);
  assert.equal(r.value.nextKeyMarker, "a");
  assert.deepEqual(r.value.uploads.map((u) => u.key), ["a"]);
});

Deno.test("prefixed() aborts under the prefix", async () => {
  const { inner, outer } = setup();
  const id = await outer.createMultipartUpload("k", { meta: META });
  assert.ok(id.ok);
  const wrong = await inner.abortMultipartUpload({ key: "k", uploadId: id.value });
  assert.ok(!wrong.ok);
  assert.ok((await outer.abortMultipartUpload({ key: "k", uploadId: id.value })).ok);
});

Deno.test("prefixed() locates and copies from a store under the prefix, only when the inner can", async () => {
  const { outer } = setup();
  assert.equal(outer.locate, undefined);
  assert.equal(outer.copyFrom, undefined);
  const calls: [StoreLocation, string][] = [];
  const inner: Backend = {
    ...createMemoryBackend(),
    locate: (key) => ({ store: "s", bucket: "b", key }),
    copyFrom: (source, dst) => {
      calls.push([source, dst]);
      return Promise.resolve({
        ok: true,
        value: { key: dst, size: 0, etag: '""', lastModified: new Date(0), userMetadata: {} },
      });
    },
  };
  const wrapped = prefixed(inner, "p/");
  assert.deepEqual(wrapped.locate!("k"), { store: "s", bucket: "b", key: "p/k" });
  const r = await wrapped.copyFrom!({ store: "s", bucket: "o", key: "x" }, "dst", {});
  assert.ok(r.ok);
  assert.equal(r.value.key, "dst");
  assert.deepEqual(calls, [[{ store: "s", bucket: "o", key: "x" }, "p/dst"]]);
});

Deno.test("prefixed() passes a Complete's claimed checksum on, and objectParts under the prefix", async () => {
  const inner = createMemoryBackend();
  const outer = prefixed(inner, "p/");
  const id = await outer.createMultipartUpload("k", {
    meta: { userMetadata: {} },
    checksum: { algorithm: "CRC32", type: "FULL_OBJECT" },
  });
  assert.ok(id.ok);
  const upload = { key: "k", uploadId: id.value };
  const part = await outer.uploadPart(upload, {
    partNumber: 1,
    body: new Blob(["abc"]).stream(),
  });
  assert.ok(part.ok);
  const wrong = await outer.completeMultipartUpload(
    upload,
    [{ partNumber: 1, etag: part.value.etag }],
    undefined,
    { checksums: { CRC32: "AAAAAA==" } },
  );
  assert.ok(!wrong.ok && wrong.error.kind === "BadDigest", "the claim reached the inner backend");
  const seen: string[] = [];
  const withParts = prefixed({
    ...inner,
    objectParts: (key) => {
      seen.push(key);
      return Promise.resolve({ ok: true, value: undefined });
    },
  }, "p/");
  await withParts.objectParts!("k", { maxParts: 1 });
  assert.deepEqual(seen, ["p/k"]);
});
