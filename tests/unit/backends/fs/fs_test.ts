import assert from "node:assert/strict";
import {
  createFsBackend,
  fsKeyProblem,
  INTERNAL_DIR,
  isInternalName,
} from "../../../../src/backends/fs/fs.ts";
import { fixedClock } from "../../../../src/clock.ts";
import { body, NO_META, withRoot } from "./_support.ts";

Deno.test("createFsBackend(): a root that does not exist yet is made at the first write, its internal directory in it", async () => {
  await withRoot(async (root) => {
    const b = createFsBackend({ root: `${root}/new/bucket/` });
    assert.ok((await b.put("k", body("v"), { meta: NO_META })).ok);
    assert.equal(await Deno.readTextFile(`${root}/new/bucket/k`), "v");
    assert.ok((await Deno.stat(`${root}/new/bucket/${INTERNAL_DIR}`)).isDirectory);
  });
});

Deno.test("createFsBackend(): each call is wired to its part (put, get, copy, list, delete, multipart)", async () => {
  await withRoot(async (root) => {
    const clock = fixedClock(Date.UTC(2031, 2, 3));
    const b = createFsBackend({ root, clock });
    assert.ok(
      (await b.put("a", body("A"), { meta: { contentType: "text/x", userMetadata: {} } })).ok,
    );
    assert.ok((await b.copy("a", "b", {})).ok);
    const got = await b.get("b");
    assert.ok(got.ok);
    assert.equal(got.value.meta.contentType, "text/x");
    const listed = await b.list({ prefix: "", maxKeys: 10 });
    assert.ok(listed.ok);
    assert.deepEqual(listed.value.objects.map((o) => o.key), ["a", "b"]);
    assert.ok((await b.delete("a")).ok);
    assert.equal((await b.head("a")).ok, false);
    const id = await b.createMultipartUpload("m", { meta: NO_META });
    assert.ok(id.ok);
    const ref = { key: "m", uploadId: id.value };
    const part = await b.uploadPart(ref, { partNumber: 1, body: body("p") });
    assert.ok(part.ok);
    const parts = await b.listParts(ref, { maxParts: 10 });
    assert.ok(parts.ok);
    assert.equal(parts.value.parts[0]?.lastModified.getTime(), clock.now());
    assert.ok((await b.abortMultipartUpload(ref)).ok);
    const uploads = await b.listMultipartUploads({ prefix: "", maxUploads: 10 });
    assert.ok(uploads.ok);
    assert.deepEqual(uploads.value.uploads, []);
  });
});

Deno.test("fs.ts re-exports the key rules: the internal directory is never a key", () => {
  assert.equal(INTERNAL_DIR, ".bucketgate");
  assert.equal(isInternalName(".bucketgate"), true);
  assert.equal(fsKeyProblem(".bucketgate/x")?.kind, "InvalidArgument");
  assert.equal(fsKeyProblem("ok/key"), undefined);
});
