import assert from "node:assert/strict";
import { createFsBackend } from "../../../../src/backends/fs/fs.ts";
import type { Backend, UploadRef } from "../../../../src/backends/backend.ts";
import { body, NO_META, withDenied, withRoot } from "./_support.ts";

const make = (root: string): Backend => createFsBackend({ root });

/** An upload of `key` with one part; the upload, its id and the part's ETag. */
async function onePart(
  b: Backend,
  key: string,
): Promise<{ upload: UploadRef; id: string; etag: string }> {
  const id = await b.createMultipartUpload(key, { meta: NO_META });
  assert.ok(id.ok);
  const upload = { key, uploadId: id.value };
  const p = await b.uploadPart(upload, { partNumber: 1, body: body("one") });
  assert.ok(p.ok);
  return { upload, id: id.value, etag: p.value.etag };
}

const uploadDir = (root: string, id: string) => `${root}/.bucketgate/uploads/${id}`;

Deno.test("fs listParts(): an I/O error reading the upload's directory is a 503 in the Result, not a throw", async () => {
  await withRoot(async (root) => {
    const b = make(root);
    const { upload, id } = await onePart(b, "k");
    await withDenied("readDir", (p) => p === uploadDir(root, id), async () => {
      const r = await b.listParts(upload, { maxParts: 1000 });
      assert.ok(!r.ok && r.error.kind === "BackendError", JSON.stringify(r));
    });
  });
});

Deno.test("fs completeMultipartUpload(): an I/O error reading the parts is a 503 in the Result, not a throw", async () => {
  await withRoot(async (root) => {
    const b = make(root);
    const { upload, id, etag } = await onePart(b, "k");
    await withDenied("readDir", (p) => p === uploadDir(root, id), async () => {
      const r = await b.completeMultipartUpload(upload, [{
        partNumber: 1,
        etag,
      }]);
      assert.ok(!r.ok && r.error.kind === "BackendError", JSON.stringify(r));
    });
    assert.ok(
      (await b.completeMultipartUpload(upload, [{ partNumber: 1, etag }])).ok,
    );
  });
});

Deno.test("fs multipart: an upload record that cannot be read (EACCES) is a 503, not NoSuchUpload", async () => {
  await withRoot(async (root) => {
    const b = make(root);
    const { upload, id, etag } = await onePart(b, "k");
    await withDenied(
      "readTextFile",
      (p) => p === `${uploadDir(root, id)}/upload.json`,
      async () => {
        const results = [
          await b.uploadPart(upload, { partNumber: 2, body: body("two") }),
          await b.listParts(upload, { maxParts: 1000 }),
          await b.completeMultipartUpload(upload, [{ partNumber: 1, etag }]),
          await b.abortMultipartUpload(upload),
          await b.listMultipartUploads({ prefix: "", maxUploads: 1000 }),
        ];
        for (const r of results) {
          assert.ok(!r.ok && r.error.kind === "BackendError", JSON.stringify(r));
        }
      },
    );
    const parts = await b.listParts(upload, { maxParts: 1000 });
    assert.ok(parts.ok && parts.value.parts.length === 1, "the upload is as it was");
  });
});

Deno.test("fs multipart: a record that loops (ELOOP, a real OS error) is a 503; its part is never silently dropped", async () => {
  await withRoot(async (root) => {
    const b = make(root);
    const { upload, id } = await onePart(b, "k");
    const record = `${uploadDir(root, id)}/1.json`;
    await Deno.remove(record);
    await Deno.symlink(record, record);
    const parts = await b.listParts(upload, { maxParts: 1000 });
    assert.ok(!parts.ok && parts.error.kind === "BackendError", JSON.stringify(parts));
    const uploadRecord = `${uploadDir(root, id)}/upload.json`;
    await Deno.remove(uploadRecord);
    await Deno.symlink(uploadRecord, uploadRecord);
    const again = await b.listParts(upload, { maxParts: 1000 });
    assert.ok(!again.ok && again.error.kind === "BackendError", JSON.stringify(again));
  });
});

Deno.test("fs multipart: a missing or torn upload record is NoSuchUpload", async () => {
  await withRoot(async (root) => {
    const b = make(root);
    const { upload, id } = await onePart(b, "k");
    await Deno.writeTextFile(`${uploadDir(root, id)}/upload.json`, '{"key":');
    const torn = await b.listParts(upload, { maxParts: 1000 });
    assert.ok(!torn.ok && torn.error.kind === "NoSuchUpload", JSON.stringify(torn));
    await Deno.remove(`${uploadDir(root, id)}/upload.json`);
    const gone = await b.uploadPart(upload, {
      partNumber: 2,
      body: body("two"),
    });
    assert.ok(!gone.ok && gone.error.kind === "NoSuchUpload", JSON.stringify(gone));
    const listed = await b.listMultipartUploads({ prefix: "", maxUploads: 1000 });
    assert.ok(listed.ok && listed.value.uploads.length === 0);
  });
});
