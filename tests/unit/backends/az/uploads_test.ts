import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { answer, blob, fake, FAKE_NOW, listing } from "./_fake.ts";

const NO_META = { userMetadata: {} };

Deno.test("createMultipartUpload() records the key and the clock's time of initiation", async () => {
  const f = fake(() => answer(201));
  const r = await f.backend.createMultipartUpload("a/b", { meta: NO_META });
  assert.ok(r.ok);
  const h = f.requests[0]!.headers;
  assert.equal(h["x-ms-meta-bgi_initiated"], String(FAKE_NOW));
  assert.equal(Buffer.from(h["x-ms-meta-bgi_key"]!, "base64url").toString(), "a/b");
  assert.equal(f.requests[0]!.url.pathname, `/data/.bucketgate/uploads/${r.value}/upload`);
});

Deno.test("createMultipartUpload() into the internal namespace is refused", async () => {
  const f = fake(() => answer(201));
  assert.ok(!(await f.backend.createMultipartUpload(".bucketgate/x", { meta: NO_META })).ok);
  assert.equal(f.requests.length, 0);
});

Deno.test("uploadPart() of an unknown upload is NoSuchUpload and cancels the body", async () => {
  let cancelled = false;
  const f = fake(() => answer(404));
  const r = await f.backend.uploadPart({ key: "k", uploadId: "a".repeat(48) }, {
    partNumber: 1,
    body: new ReadableStream({ cancel: () => void (cancelled = true) }),
  });
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "NoSuchUpload");
  assert.ok(cancelled);
});

Deno.test("listMultipartUploads() reads the upload records' key and initiation", async () => {
  const id = "b".repeat(48);
  const key = Buffer.from("k1").toString("base64url");
  const f = fake(() =>
    answer(
      200,
      listing(
        blob(`.bucketgate/uploads/${id}/upload`, {
          metadata: `<bgi_key>${key}</bgi_key><bgi_initiated>${FAKE_NOW}</bgi_initiated>`,
        }) + blob(`.bucketgate/uploads/${id}/part-00001`),
      ),
    )
  );
  const r = await f.backend.listMultipartUploads({ prefix: "", maxUploads: 10 });
  assert.ok(r.ok);
  assert.deepEqual(r.value.uploads.map((u) => [u.key, u.uploadId, u.initiated.getTime()]), [[
    "k1",
    id,
    FAKE_NOW,
  ]]);
});
