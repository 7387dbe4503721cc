/**
 * The fs backend's internal directory (`.bucketgate/`: sidecars, uploads in
 * progress) through the whole handler: an anonymous reader of a public bucket
 * cannot list or read it in any spelling, and its listings write nothing; a
 * writer cannot put, copy from or delete it.
 */
import assert from "node:assert/strict";
import { createApp } from "../../src/app.ts";
import { createSigningKeyCache } from "../../src/sigv4/signing_key.ts";
import type { Backend } from "../../src/backends/backend.ts";
import { createFsBackend, INTERNAL_DIR } from "../../src/backends/fs/fs.ts";
import { fixedClock } from "../../src/clock.ts";
import { ADMIN, errorCode, makeRequest, NOW, type RequestOptions, testConfig } from "./_harness.ts";

/** Every file and directory under `dir`, with size and mtime. */
async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      const st = await Deno.stat(`${d}/${e.name}`);
      out.push(`${d}/${e.name} ${st.size} ${st.mtime?.getTime()}`);
      if (e.isDirectory) await walk(`${d}/${e.name}`);
    }
  };
  await walk(dir);
  return out.sort();
}

/** An app whose `public` (anonymous) bucket is an fs backend with an object and an upload in progress. */
async function fsGateway() {
  const root = await Deno.makeTempDir({ prefix: "bucketgate-internal-" });
  const backend: Backend = createFsBackend({ root });
  const config = testConfig();
  const handle = createApp({
    config,
    backends: new Map(config.buckets.map((b) => [b.name, backend])),
    clock: fixedClock(NOW),
    log: () => {},
    signingKeys: createSigningKeyCache(),
  });
  const put = await backend.put("docs/a.txt", new Blob(["public"]).stream(), {
    meta: { userMetadata: {} },
    contentLength: 6,
  });
  assert.ok(put.ok);
  const created = await backend.createMultipartUpload("big/file", {
    meta: {
      userMetadata: { owner: "someone-else" },
    },
  });
  assert.ok(created.ok);
  const id = created.value;
  const part = await backend.uploadPart({ key: "big/file", uploadId: id }, {
    partNumber: 1,
    body: new Blob(["part"]).stream(),
    contentLength: 4,
  });
  assert.ok(part.ok);
  const send = async (path: string, o: RequestOptions = {}) =>
    await handle(await makeRequest(path, o), {} as Deno.ServeHandlerInfo<Deno.NetAddr>);
  return {
    root,
    id,
    send,
    internal: () => tree(`${root}/${INTERNAL_DIR}`),
    cleanup: () => Deno.remove(root, { recursive: true }),
  };
}

const LIST_PREFIXES = [
  "/",
  "//",
  "/.bucketgate/",
  "/.bucketgate/meta/",
  "/.bucketgate/uploads/",
  ".bucketgate/",
  ".BUCKETGATE/",
  ".Bucketgate/meta/",
  "./.bucketgate/",
];

Deno.test("fs: anonymous listings with a '/' prefix show no internal file and write none", async () => {
  const g = await fsGateway();
  try {
    const before = await g.internal();
    for (let round = 0; round < 3; round++) {
      for (const prefix of LIST_PREFIXES) {
        for (const query of ["list-type=2&", "", "list-type=2&delimiter=/&"]) {
          const res = await g.send(`/public?${query}prefix=${encodeURIComponent(prefix)}`);
          const body = await res.text();
          assert.equal(res.status, 200, `${query}${prefix}`);
          assert.doesNotMatch(body, /<Contents>|<CommonPrefixes>/, `${query}${prefix}: ${body}`);
          assert.ok(!body.includes(g.id), `${query}${prefix}: upload id listed`);
        }
      }
    }
    assert.deepEqual(await g.internal(), before, "listings wrote into the internal directory");
  } finally {
    await g.cleanup();
  }
});

Deno.test("fs: internal files are 404 to anonymous GET and HEAD in every spelling", async () => {
  const g = await fsGateway();
  try {
    const before = await g.internal();
    const upload = `${INTERNAL_DIR}/uploads/${g.id}/upload.json`;
    for (
      const path of [
        `/public//${upload}`,
        `/public/%2F${upload}`,
        `/public/${upload.replace(INTERNAL_DIR, ".BUCKETGATE")}`,
        `/public/${upload}`,
        `/public//${INTERNAL_DIR}/uploads/${g.id}/1`,
      ]
    ) {
      for (const method of ["GET", "HEAD"]) {
        const res = await g.send(path, { method });
        assert.equal(res.status, 404, `${method} ${path}`);
        if (method === "GET") assert.equal(await errorCode(res), "NoSuchKey", path);
        else await res.body?.cancel();
      }
    }
    assert.deepEqual(await g.internal(), before);
  } finally {
    await g.cleanup();
  }
});

Deno.test("fs: a writer cannot put, copy from or delete internal files, nor break another's upload", async () => {
  const g = await fsGateway();
  try {
    const before = await g.internal();
    const upload = `/${INTERNAL_DIR}/uploads/${g.id}/upload.json`;
    const put = await g.send(`/public/${upload}`, { method: "PUT", key: ADMIN, body: "{}" });
    assert.equal(put.status, 400);
    assert.equal(await errorCode(put), "InvalidArgument");
    const copy = await g.send("/public/docs/stolen.json", {
      method: "PUT",
      key: ADMIN,
      headers: { "x-amz-copy-source": `/public/${encodeURIComponent(upload)}` },
    });
    assert.equal(copy.status, 404);
    assert.equal(await errorCode(copy), "NoSuchKey");
    const del = await g.send(`/public/${upload}`, { method: "DELETE", key: ADMIN });
    assert.equal(del.status, 204);
    await del.body?.cancel();
    const xml =
      `<Delete><Object><Key>${upload}</Key></Object><Object><Key>.BUCKETGATE/uploads/${g.id}/1</Key></Object></Delete>`;
    const many = await g.send("/public?delete", { method: "POST", key: ADMIN, body: xml });
    assert.equal(many.status, 200);
    await many.body?.cancel();
    assert.deepEqual(
      await g.internal(),
      before,
      "a refused request changed the internal directory",
    );
    const parts = await g.send(`/public/big/file?uploadId=${g.id}`, { key: ADMIN });
    assert.equal(parts.status, 200, "the upload is still there");
    assert.match(await parts.text(), /<PartNumber>1<\/PartNumber>/);
  } finally {
    await g.cleanup();
  }
});
