/**
 * What only the az backend has to get right, against Azurite: Shared Key
 * signatures that a wrong key fails, SAS tokens, public containers, uploads
 * cut into blocks, listing continuation without start-after, and the hidden
 * upload state, which no S3 request reaches.
 */
import assert from "node:assert/strict";
import { streamInPieces } from "../_support/bytes.ts";
import { createHash, randomBytes } from "node:crypto";
import type { Backend } from "../../src/backends/backend.ts";
import { createAzBackend } from "../../src/backends/az/az.ts";
import type { AzDeps } from "../../src/backends/az/deps.ts";
import { prefixed } from "../../src/backends/prefixed.ts";
import { createApp } from "../../src/app.ts";
import { createSigningKeyCache } from "../../src/sigv4/signing_key.ts";
import { fixedClock } from "../../src/clock.ts";
import {
  ADMIN,
  errorCode,
  makeRequest,
  NOW,
  type RequestOptions,
  testConfig,
} from "../integration/_harness.ts";
import { rawBlobs } from "./_az_raw.ts";
import {
  accountSas,
  AZURITE_KEY,
  azuriteMissing,
  azuriteOptions,
  startAzurite,
} from "../_support/azurite.ts";
import { emulatorSuite } from "../_support/emulator.ts";

const suite = emulatorSuite({
  name: "az (Azurite): what only the az backend gets right",
  missing: await azuriteMissing(),
  start: startAzurite,
});
let n = 0;
const NO_META = { userMetadata: {} };
const md5 = (b: Uint8Array) => `"${createHash("md5").update(b).digest("hex")}"`;

async function container(options: { publicRead?: boolean } = {}): Promise<string> {
  const name = `az-${Date.now()}-${n++}`;
  await suite.emulator().createContainer(name, options);
  return name;
}

function backend(name: string, auth: Record<string, unknown>, deps: AzDeps = {}): Backend {
  return createAzBackend(azuriteOptions(suite.emulator().endpoint, name, auth), deps);
}

const shared = { access_key: AZURITE_KEY };

const test = (name: string, fn: () => Promise<void>) => suite.test(`az (Azurite): ${name}`, fn);

test("a wrong account key is refused by Azurite (503, the detail in the log)", async () => {
  const b = backend(await container(), {
    access_key: btoa("not the key, but the right length for one!!!!!!!!!!!!!!!!!!!!!!!"),
  });
  const r = await b.head("x");
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "BackendError");
  assert.match(String(r.error.detail), /403/);
});

test("a SAS token authorizes every operation, copy included", async () => {
  const b = backend(await container(), { sas_token: accountSas("rwdlac") });
  const put = await b.put("s/a.txt", new Blob(["sas"]).stream(), {
    meta: NO_META,
    contentLength: 3,
  });
  assert.ok(put.ok, !put.ok ? put.error.message + String(put.error.detail) : "");
  const copied = await b.copy("s/a.txt", "s/b.txt", {});
  assert.ok(copied.ok, !copied.ok ? String(copied.error.detail) : "");
  const got = await b.get("s/b.txt");
  assert.ok(got.ok);
  assert.equal(await new Response(got.value.body).text(), "sas");
  const listed = await b.list({ prefix: "s/", maxKeys: 10 });
  assert.ok(listed.ok);
  assert.deepEqual(listed.value.objects.map((o) => o.key), ["s/a.txt", "s/b.txt"]);
});

test("skip_signature reads a public container anonymously", async () => {
  const name = await container({ publicRead: true });
  const writer = backend(name, shared);
  await writer.put("pub.txt", new Blob(["open"]).stream(), { meta: NO_META, contentLength: 4 });
  const anon = backend(name, { skip_signature: true });
  const got = await anon.get("pub.txt");
  assert.ok(got.ok);
  assert.equal(await new Response(got.value.body).text(), "open");
  const listed = await anon.list({ prefix: "", maxKeys: 10 });
  assert.ok(listed.ok);
  assert.deepEqual(listed.value.objects.map((o) => o.key), ["pub.txt"]);
  const denied = await anon.put("x", new Blob(["x"]).stream(), { meta: NO_META, contentLength: 1 });
  assert.ok(!denied.ok && denied.error.kind === "BackendError");
});

test("large and unknown-length bodies go up as blocks with an MD5 ETag", async () => {
  const MiB = 1024 * 1024;
  const b = backend(await container(), shared, {
    sizes: { maxSinglePut: MiB, streamedBlock: MiB, bufferedBlock: MiB },
  });
  const bytes = new Uint8Array(randomBytes(3 * MiB + 12345));
  for (const contentLength of [bytes.length, undefined]) {
    const key = `big-${contentLength ?? "unknown"}`;
    const put = await b.put(key, streamInPieces(bytes, 65536 + 7), {
      meta: { contentType: "application/x-test", userMetadata: { "my-key": "v" } },
      ...(contentLength ? { contentLength } : {}),
    });
    assert.ok(put.ok, !put.ok ? String(put.error.detail) : "");
    assert.equal(put.value.etag, md5(bytes), key);
    const head = await b.head(key);
    assert.ok(head.ok);
    assert.equal(head.value.etag, md5(bytes));
    assert.equal(head.value.size, bytes.length);
    assert.equal(head.value.contentType, "application/x-test");
    assert.deepEqual(head.value.userMetadata, { "my-key": "v" });
    const got = await b.get(key);
    assert.ok(got.ok);
    assert.deepEqual(new Uint8Array(await new Response(got.value.body).arrayBuffer()), bytes);
  }
  // A body shorter than its declared length leaves nothing.
  const short = await b.put("short", streamInPieces(bytes.subarray(0, MiB + 5), 65536), {
    meta: NO_META,
    contentLength: 2 * MiB,
  });
  assert.ok(!short.ok);
  assert.equal((await b.head("short")).ok, false);
});

test("listing pages continue without start-after support, from a fresh instance too", async () => {
  const name = await container();
  const b = backend(name, shared);
  const keys = ["a/1", "a/2", "b", "c/x", "d", "e", "f"];
  for (const k of keys) {
    await b.put(k, new Blob(["x"]).stream(), { meta: NO_META, contentLength: 1 });
  }
  // An upload in progress must not show up anywhere in listings.
  const up = await b.createMultipartUpload("z", { meta: NO_META });
  assert.ok(up.ok);
  const walk = async (be: Backend, delimiter?: string) => {
    const seen: string[] = [];
    let startAfter: string | undefined;
    for (let i = 0; i < 20; i++) {
      const page = await be.list({
        prefix: "",
        maxKeys: 2,
        ...(delimiter ? { delimiter } : {}),
        ...(startAfter !== undefined ? { startAfter } : {}),
      });
      assert.ok(page.ok);
      seen.push(...[...page.value.objects.map((o) => o.key), ...page.value.commonPrefixes].sort());
      if (!page.value.isTruncated) return seen;
      startAfter = page.value.nextStartAfter;
    }
    throw new Error("listing did not end");
  };
  assert.deepEqual(await walk(b), keys);
  assert.deepEqual(await walk(b, "/"), ["a/", "b", "c/", "d", "e", "f"]);
  // Another gateway instance has no remembered markers: it scans.
  const fresh = backend(name, shared);
  const page = await fresh.list({ prefix: "", maxKeys: 2, delimiter: "/", startAfter: "a/" });
  assert.ok(page.ok);
  assert.deepEqual([...page.value.objects.map((o) => o.key), ...page.value.commonPrefixes], [
    "b",
    "c/",
  ]);
});

test("reserved and dot-segment keys are refused, never written elsewhere", async () => {
  const b = backend(await container(), shared);
  for (const key of [".bucketgate/uploads/x", "a/../b", "./b"]) {
    const r = await b.put(key, new Blob(["x"]).stream(), { meta: NO_META, contentLength: 1 });
    assert.ok(!r.ok && r.error.kind === "InvalidArgument", key);
  }
  assert.equal((await b.head("b")).ok, false);
});

test("copyFrom copies server-side between containers of one account", async () => {
  const a = backend(await container(), shared);
  const b = backend(await container(), shared);
  await a.put("k", new Blob(["moved"]).stream(), {
    meta: { userMetadata: { x: "1" } },
    contentLength: 5,
  });
  assert.equal(a.locate!("k").store, b.locate!("k").store);
  const copied = await b.copyFrom!(a.locate!("k"), "dst", {});
  assert.ok(copied.ok, !copied.ok ? String(copied.error.detail) : "");
  const got = await b.get("dst");
  assert.ok(got.ok);
  assert.equal(await new Response(got.value.body).text(), "moved");
  assert.deepEqual(got.value.meta.userMetadata, { x: "1" });
  const sas = backend(await container(), { sas_token: accountSas("rwdlac") });
  assert.notEqual(sas.locate!("k").store, a.locate!("k").store, "other credentials, other store");
});

/** Someone who may delete objects of `public` and do nothing else. */
const DELETER = { id: "AKIDDELETER000000001", secret: "deleter-secret-key-12" } as const;

/** A gateway whose buckets are one Azurite container (`prefixed` under `v2/`), with an upload in progress. */
async function azGateway() {
  const name = await container();
  const b = backend(name, shared);
  const base = testConfig();
  const config = testConfig({
    credentials: [...base.credentials, {
      accessKeyId: DELETER.id,
      secretAccessKey: DELETER.secret,
      principalName: "deleter",
      enabled: true,
      allowedScopes: [{ bucket: "public", prefixes: [], actions: ["delete_object"] }],
    }],
  });
  const handle = createApp({
    config,
    backends: new Map([["public", b], ["private", b], ["prefixed", prefixed(b, "v2/")]]),
    clock: fixedClock(NOW),
    log: () => {},
    signingKeys: createSigningKeyCache(),
  });
  assert.ok(
    (await b.put("docs/a.txt", new Blob(["public"]).stream(), {
      meta: NO_META,
      contentLength: 6,
    })).ok,
  );
  const created = await b.createMultipartUpload("big/file", {
    meta: {
      userMetadata: { owner: "someone-else" },
    },
  });
  assert.ok(created.ok);
  const part = await b.uploadPart({ key: "big/file", uploadId: created.value }, {
    partNumber: 1,
    body: new Blob(["part"]).stream(),
    contentLength: 4,
  });
  assert.ok(part.ok);
  const send = async (path: string, o: RequestOptions = {}) =>
    await handle(await makeRequest(path, o));
  const internal = () => rawBlobs(suite.emulator().endpoint, name, ".bucketgate/");
  return { b, id: created.value, send, internal };
}

test("anonymous listings of .bucketgate/uploads/ on a public bucket show nothing", async () => {
  const g = await azGateway();
  const before = await g.internal();
  assert.ok(before.size > 0, "the upload keeps state under .bucketgate/");
  for (const prefix of [".bucketgate/uploads/", ".bucketgate/", "", ".b", "/.bucketgate/"]) {
    for (const extra of ["", "&delimiter=/", "&delimiter=e"]) {
      for (const v of ["list-type=2&", ""]) {
        const res = await g.send(`/public?${v}prefix=${encodeURIComponent(prefix)}${extra}`);
        const body = await res.text();
        assert.equal(res.status, 200);
        assert.ok(!body.includes(g.id), `${v}${prefix}${extra}: ${body}`);
        const listed = [...body.matchAll(/<(?:Key|Prefix)>([^<]+)<\/(?:Key|Prefix)>/g)]
          .map((m) => m[1]).filter((k) => k !== prefix);
        assert.ok(
          listed.every((k) => "docs/a.txt".startsWith(k!)),
          `${v}${prefix}${extra}: ${body}`,
        );
      }
    }
  }
  const uploads = await g.send("/public?uploads", { key: ADMIN });
  assert.match(await uploads.text(), /<Key>big\/file<\/Key>/);
  assert.deepEqual(await g.internal(), before);
});

test("anonymous GET and HEAD of an upload record are 404: no key, no metadata", async () => {
  const g = await azGateway();
  for (
    const key of [`.bucketgate/uploads/${g.id}/upload`, `.bucketgate/uploads/${g.id}/part-00001`]
  ) {
    for (
      const path of [`/public/${key}`, `/public//${key}`, `/public/${key.replace("e/", "e./")}`]
    ) {
      const got = await g.send(path);
      const body = await got.text();
      assert.equal(got.status, 404, `GET ${path}: ${body}`);
      assert.match(body, /<Code>NoSuchKey<\/Code>/);
      assert.ok(!body.includes("someone-else") && !body.includes("big/file"), body);
      const head = await g.send(path, { method: "HEAD" });
      assert.equal(head.status, 404, `HEAD ${path}`);
      await head.body?.cancel();
    }
  }
});

test("a caller with only delete_object cannot delete another user's upload", async () => {
  const g = await azGateway();
  const before = await g.internal();
  const record = `.bucketgate/uploads/${g.id}/upload`;
  for (const path of [`/public/${record}`, `/public//${record}`]) {
    const del = await g.send(path, { method: "DELETE", key: DELETER });
    assert.equal(del.status, 204, path);
    await del.body?.cancel();
  }
  const xml = `<Delete><Object><Key>${record}</Key></Object>` +
    `<Object><Key>.bucketgate/uploads/${g.id}/part-00001</Key></Object></Delete>`;
  const many = await g.send("/public?delete", { method: "POST", key: DELETER, body: xml });
  assert.equal(many.status, 200);
  await many.body?.cancel();
  const put = await g.send(`/public/${record}`, { method: "PUT", key: ADMIN, body: "{}" });
  assert.equal(put.status, 400);
  assert.equal(await errorCode(put), "InvalidArgument");
  const copy = await g.send("/public/docs/stolen", {
    method: "PUT",
    key: ADMIN,
    headers: { "x-amz-copy-source": `/public/${record}` },
  });
  assert.equal(copy.status, 404);
  assert.equal(await errorCode(copy), "NoSuchKey");
  assert.deepEqual(await g.internal(), before, "the upload's state changed");
  const parts = await g.send(`/public/big/file?uploadId=${g.id}`, { key: ADMIN });
  assert.equal(parts.status, 200, "the upload is still there");
  assert.match(await parts.text(), /<PartNumber>1<\/PartNumber>/);
});

test("backend_prefix composes: '../' out of the prefix does not reach .bucketgate/", async () => {
  const g = await azGateway();
  const before = await g.internal();
  const p = prefixed(g.b, "v2/");
  const record = `../.bucketgate/uploads/${g.id}/upload`;
  const got = await p.get(record);
  assert.equal(got.ok ? "found" : got.error.kind, "NoSuchKey");
  const head = await p.head(record);
  assert.equal(head.ok ? "found" : head.error.kind, "NoSuchKey");
  assert.ok((await p.delete(record)).ok);
  const put = await p.put(record, new Blob(["x"]).stream(), { meta: NO_META, contentLength: 1 });
  assert.equal(put.ok ? "stored" : put.error.kind, "InvalidArgument");
  const list = await p.list({ prefix: "../.bucketgate/", maxKeys: 100 });
  assert.ok(list.ok && list.value.objects.length === 0 && list.value.commonPrefixes.length === 0);
  assert.deepEqual(await g.internal(), before);
});
