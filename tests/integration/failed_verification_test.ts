/**
 * An upload whose body fails verification only at its end leaves nothing
 * behind, on every backend (memory, fs, s3 over moto, az over Azurite, and az
 * cutting the body into blocks): the last bytes of a streamed upload reach the
 * store's transport before a payload-hash mismatch, a checksum mismatch or a
 * bad chunk signature surfaces, so the transport must not complete the body.
 *
 * For each backend, PutObject and UploadPart, bodies of 1 KiB and 8 MiB, with a
 * warm pool (a successful upload first left a keep-alive connection to the
 * store open) and a cold one (the first request to the store): the client gets
 * S3's precise error, the key has no object, an upload lists no part and
 * cannot be completed with it, and fs leaves no temp file under its root.
 * Each case reaches its store through its own TCP relay, whose fresh port is
 * a pool of its own: that is what makes the cold case cold in one process.
 */
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { createApp } from "../../src/app.ts";
import { createSigningKeyCache } from "../../src/sigv4/signing_key.ts";
import type { Backend } from "../../src/backends/backend.ts";
import { createMemoryBackend } from "../../src/backends/memory.ts";
import { createFsBackend } from "../../src/backends/fs/fs.ts";
import { createS3Backend } from "../../src/backends/s3/s3.ts";
import { createAzBackend } from "../../src/backends/az/az.ts";
import { createHasher, toBase64 } from "../../src/checksum/hasher.ts";
import { fixedClock } from "../../src/clock.ts";
import { createMotoBucket, motoMissing, motoS3Options, startMoto } from "../_support/moto.ts";
import {
  AZURITE_ACCOUNT,
  azuriteMissing,
  azuriteOptions,
  startAzurite,
} from "../_support/azurite.ts";
import { emulatorSuite, type RegisterCase } from "../_support/emulator.ts";
import { testSigner } from "../_support/signer.ts";
import { concatBytes } from "../_support/bytes.ts";
import { closeQuietly, type TcpServer, tcpServer } from "../_support/tcp.ts";
import { ADMIN, BASE, errorCode, makeRequest, NOW, testConfig } from "./_harness.ts";

const KiB = 1024;
const MiB = 1024 * KiB;
const BUCKET = "vb";

// ---------------------------------------------------------------- stores

/** A TCP relay to `port` on a fresh port of its own. */
function relay(port: number): TcpServer {
  const pipe = async (from: Deno.Conn, to: Deno.Conn) => {
    try {
      await from.readable.pipeTo(to.writable);
    } catch { /* either side went away */ }
    closeQuietly(from);
    closeQuietly(to);
  };
  const server: TcpServer = tcpServer(async (client) => {
    const store = await Deno.connect({ hostname: "127.0.0.1", port }).catch(() => undefined);
    if (!store) return closeQuietly(client);
    server.track(store);
    void pipe(client, store);
    void pipe(store, client);
  });
  return server;
}

/** A backend over a fresh store location, reached through `port` when it is remote. */
interface Store {
  readonly name: string;
  /** The port the remote store listens on; undefined for memory and fs. */
  port?(): Promise<number>;
  /** A backend over a fresh bucket, through `port` when remote. */
  make(port: number | undefined): Promise<{ backend: Backend; root?: string }>;
}

const SUITE = "uploads whose body fails verification at their end store nothing";
// Keep-alive pools hold sockets open on purpose: no sanitizers.
const motoSuite = emulatorSuite({
  name: `s3 (moto): ${SUITE}`,
  missing: await motoMissing(),
  start: startMoto,
  sanitizers: false,
});
const azuriteSuite = emulatorSuite({
  name: `az (Azurite): ${SUITE}`,
  missing: await azuriteMissing(),
  start: startAzurite,
  sanitizers: false,
});
let n = 0;
const unique = (what: string) => `${what}-${Date.now()}-${n++}`;

const memoryStore: Store = {
  name: "memory",
  make: () => Promise.resolve({ backend: createMemoryBackend() }),
};

const fsStore: Store = {
  name: "fs",
  async make() {
    const root = await Deno.makeTempDir({ prefix: "bucketgate-failed-verification-" });
    return { backend: createFsBackend({ root }), root };
  },
};

const s3Store: Store = {
  name: "s3 (moto)",
  port: () => Promise.resolve(Number(new URL(motoSuite.emulator().endpoint).port)),
  async make(port) {
    const bucket = unique("fv");
    await createMotoBucket(motoSuite.emulator().endpoint, bucket);
    return { backend: createS3Backend(motoS3Options(`http://127.0.0.1:${port}`, bucket)) };
  },
};

/** Azurite, sending bodies whole (`blocks` false) or cut into blocks of 3 MiB past 1 MiB. */
function azStore(blocks: boolean): Store {
  return {
    name: blocks ? "az (Azurite, in blocks)" : "az (Azurite)",
    port: () => Promise.resolve(azuriteSuite.emulator().port),
    async make(port) {
      const container = unique("fv");
      await azuriteSuite.emulator().createContainer(container);
      const options = azuriteOptions(`http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`, container);
      const sizes = { maxSinglePut: MiB, streamedBlock: 3 * MiB, bufferedBlock: MiB };
      return { backend: createAzBackend(options, blocks ? { sizes } : {}) };
    },
  };
}

// ---------------------------------------------------------------- bodies

const EMPTY_SHA256 = createHash("sha256").update("").digest("hex");
const AMZ_DATE = new Date(NOW).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
const SCOPE = `${AMZ_DATE.slice(0, 8)}/us-east-1/s3/aws4_request`;

/** The bytes signed or hashed, and what is sent: the same with its last byte changed. */
function bodies(size: number): { good: Uint8Array; sent: Uint8Array } {
  const good = new Uint8Array(size).map((_, i) => (i * 31 + 7) % 251);
  const sent = good.slice();
  sent[size - 1] = sent[size - 1]! ^ 0xff;
  return { good, sent };
}

/** A request body that streams as Deno.serve's does: a byte stream, in 64 KiB chunks. */
function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    type: "bytes",
    pull(c) {
      if (at >= bytes.length) {
        c.close();
        c.byobRequest?.respond(0);
        return;
      }
      const n = Math.min(64 * KiB, bytes.length - at);
      c.enqueue(bytes.slice(at, at + n));
      at += n;
    },
  });
}

/** How a body fails verification at its end. */
type Failure = "sha256" | "crc32" | "md5" | "chunk-signature" | "final-chunk-signature";

const FAILURES: readonly Failure[] = [
  "sha256",
  "crc32",
  "md5",
  "chunk-signature",
  "final-chunk-signature",
];

/** S3's answer to each failure. */
const EXPECTED: Readonly<Record<Failure, { status: number; code: string }>> = {
  "sha256": { status: 400, code: "XAmzContentSHA256Mismatch" },
  "crc32": { status: 400, code: "BadDigest" },
  "md5": { status: 400, code: "BadDigest" },
  "chunk-signature": { status: 403, code: "SignatureDoesNotMatch" },
  "final-chunk-signature": { status: 403, code: "SignatureDoesNotMatch" },
};

function signingKey(secret: string): Uint8Array {
  const h = (key: string | Uint8Array, data: string) =>
    createHmac("sha256", key).update(data).digest();
  return h(h(h(h(`AWS4${secret}`, AMZ_DATE.slice(0, 8)), "us-east-1"), "s3"), "aws4_request");
}

/**
 * STREAMING-AWS4-HMAC-SHA256-PAYLOAD framing of `good`, 64 KiB a chunk, signed
 * in a chain from `seed`; sent with the last data chunk's last byte changed
 * (its signature then fails) or, for `final`, with a wrong signature on the
 * closing empty chunk.
 */
function signedChunks(good: Uint8Array, seed: string, final: boolean): Uint8Array {
  const key = signingKey(ADMIN.secret);
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  let prev = seed;
  const sign = (data: Uint8Array) => {
    const sts = `AWS4-HMAC-SHA256-PAYLOAD\n${AMZ_DATE}\n${SCOPE}\n${prev}\n${EMPTY_SHA256}\n${
      createHash("sha256").update(data).digest("hex")
    }`;
    prev = createHmac("sha256", key).update(sts).digest("hex");
    return prev;
  };
  for (let at = 0; at < good.length; at += 64 * KiB) {
    const chunk = good.slice(at, at + 64 * KiB);
    const signature = sign(chunk);
    if (!final && at + 64 * KiB >= good.length) chunk[chunk.length - 1]! ^= 0xff;
    parts.push(enc.encode(`${chunk.length.toString(16)};chunk-signature=${signature}\r\n`));
    parts.push(chunk, enc.encode("\r\n"));
  }
  const closing = final ? "0".repeat(64) : sign(new Uint8Array(0));
  parts.push(enc.encode(`0;chunk-signature=${closing}\r\n\r\n`));
  return concatBytes(parts);
}

/** A signed upload request (PUT to `path`) whose body fails `failure` at its end. */
async function failingUpload(path: string, size: number, failure: Failure): Promise<Request> {
  const { good, sent } = bodies(size);
  const url = new URL(BASE + path);
  const headers: Record<string, string> = { host: url.host };
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  const streaming = failure === "chunk-signature" || failure === "final-chunk-signature";
  if (failure === "sha256") {
    headers["x-amz-content-sha256"] = createHash("sha256").update(good).digest("hex");
  } else if (!streaming) {
    headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD";
    if (failure === "crc32") {
      const h = createHasher("CRC32");
      h.update(good);
      headers["x-amz-checksum-crc32"] = toBase64(h.digest());
    } else headers["content-md5"] = createHash("md5").update(good).digest("base64");
  } else {
    headers["x-amz-content-sha256"] = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    headers["content-encoding"] = "aws-chunked";
    headers["x-amz-decoded-content-length"] = String(size);
  }
  // The framed length is known before signing: the chunk signatures change no sizes.
  const framedLength = streaming ? signedChunks(good, "0".repeat(64), false).length : size;
  headers["content-length"] = String(framedLength);
  const signed = await testSigner(ADMIN).sign({
    method: "PUT",
    protocol: "http:",
    hostname: url.hostname,
    path: url.pathname,
    query,
    headers,
  }, { signingDate: new Date(NOW) });
  const signedHeaders = signed.headers as Record<string, string>;
  let body = sent;
  if (streaming) {
    const seed = /Signature=([0-9a-f]{64})/.exec(signedHeaders.authorization ?? "")?.[1];
    assert.ok(seed, "the request is signed");
    body = signedChunks(good, seed, failure === "final-chunk-signature");
    assert.equal(body.length, framedLength);
  }
  return new Request(url, {
    method: "PUT",
    headers: signedHeaders,
    body: streamOf(body),
    duplex: "half",
  } as RequestInit);
}

/** A request signed with the admin key, with a small body (or none), for the checks around the failing one. */
function signedRequest(method: string, path: string, body?: Uint8Array): Promise<Request> {
  return makeRequest(path, { method, key: ADMIN, ...(body ? { body } : {}) });
}

// ---------------------------------------------------------------- the cases

/** The app over one backend, as bucket `vb`. */
function appOver(backend: Backend) {
  const config = testConfig({
    buckets: [{
      name: BUCKET,
      backend: { type: "memory" },
      anonymousAccess: false,
      backendPrefix: "",
      allowedRoles: [],
    }],
  });
  const app = createApp({
    config,
    backends: new Map([[BUCKET, backend]]),
    clock: fixedClock(NOW),
    log: () => {},
    signingKeys: createSigningKeyCache(),
  });
  return async (req: Request) => await app(req);
}

type Handle = ReturnType<typeof appOver>;

async function ok200(handle: Handle, req: Request, what: string): Promise<string> {
  const res = await handle(req);
  const text = await res.text();
  assert.equal(res.status, 200, `${what}: ${res.status} ${text}`);
  return res.headers.get("etag") ?? text;
}

/** Asserts the answer is `failure`'s precise error. */
async function assertRefused(res: Response, failure: Failure, what: string): Promise<void> {
  const want = EXPECTED[failure];
  const text = await res.text();
  assert.equal(res.status, want.status, `${what}: ${res.status} ${text}`);
  assert.equal(/<Code>([^<]*)<\/Code>/.exec(text)?.[1], want.code, `${what}: ${text}`);
}

/** Asserts the key has no object, through the gateway and in the backend itself. */
async function assertNoObject(
  handle: Handle,
  backend: Backend,
  key: string,
  what: string,
): Promise<void> {
  const got = await handle(await signedRequest("GET", `/${BUCKET}/${key}`));
  assert.equal(got.status, 404, `${what}: GET answered ${got.status}`);
  assert.equal(await errorCode(got), "NoSuchKey", what);
  const head = await backend.head(key);
  assert.ok(!head.ok && head.error.kind === "NoSuchKey", `${what}: the backend holds the key`);
  const listed = await backend.list({ prefix: key, maxKeys: 10 });
  assert.ok(listed.ok, what);
  assert.deepEqual(listed.value.objects.map((o) => o.key), [], `${what}: listed`);
}

/** Asserts fs left no file behind: none at the key, none in its temp directory. */
async function assertNoFsLeftovers(root: string | undefined, key: string, what: string) {
  if (!root) return;
  const exists = await Deno.stat(`${root}/${key}`).then(() => true, () => false);
  assert.equal(exists, false, `${what}: a file at the key`);
  const tmp: string[] = [];
  try {
    for await (const e of Deno.readDir(`${root}/.bucketgate/tmp`)) tmp.push(e.name);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  assert.deepEqual(tmp, [], `${what}: temp files left`);
}

/** Everything a case needs: the app over a fresh bucket, through a fresh relay when remote. */
async function setUp(store: Store) {
  const target = store.port ? await store.port() : undefined;
  const tunnel = target !== undefined ? relay(target) : undefined;
  const made = await store.make(tunnel?.port);
  return { ...made, handle: appOver(made.backend), close: async () => await tunnel?.close() };
}

async function putObjectCase(
  store: Store,
  size: number,
  warm: boolean,
  failure: Failure,
): Promise<void> {
  const what = `${store.name} PutObject ${size} B ${warm ? "warm" : "cold"} ${failure}`;
  const s = await setUp(store);
  try {
    if (warm) {
      await ok200(s.handle, await signedRequest("PUT", `/${BUCKET}/warm`, bodies(KiB).good), what);
    }
    const res = await s.handle(await failingUpload(`/${BUCKET}/victim`, size, failure));
    await assertRefused(res, failure, what);
    await assertNoObject(s.handle, s.backend, "victim", what);
    await assertNoFsLeftovers(s.root, "victim", what);
  } finally {
    await s.close();
    if (s.root) await Deno.remove(s.root, { recursive: true });
  }
}

async function uploadPartCase(
  store: Store,
  size: number,
  warm: boolean,
  failure: Failure,
): Promise<void> {
  const what = `${store.name} UploadPart ${size} B ${warm ? "warm" : "cold"} ${failure}`;
  const s = await setUp(store);
  try {
    const created = await ok200(
      s.handle,
      await signedRequest("POST", `/${BUCKET}/victim?uploads`),
      what,
    );
    const id = /<UploadId>([^<]+)<\/UploadId>/.exec(created)?.[1];
    assert.ok(id, what);
    const q = (more: string) => `/${BUCKET}/victim?${more}uploadId=${encodeURIComponent(id)}`;
    if (warm) {
      // Part 2 succeeds first: a pooled connection, and an upload that has a part.
      await ok200(s.handle, await signedRequest("PUT", q("partNumber=2&"), bodies(KiB).good), what);
    }
    const res = await s.handle(await failingUpload(q("partNumber=1&"), size, failure));
    await assertRefused(res, failure, what);
    const listing = await s.handle(await signedRequest("GET", q("")));
    const xml = await listing.text();
    assert.equal(listing.status, 200, `${what}: ListParts ${xml}`);
    const listed = [...xml.matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((m) => m[1]);
    assert.deepEqual(listed, warm ? ["2"] : [], `${what}: ListParts lists ${listed}`);
    // Complete naming the part with the ETag it would have had (the MD5 of what was sent).
    const etag = `"${createHash("md5").update(bodies(size).sent).digest("hex")}"`;
    const complete = new TextEncoder().encode(
      `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${etag}</ETag></Part></CompleteMultipartUpload>`,
    );
    const done = await s.handle(await signedRequest("POST", q(""), complete));
    const doneText = await done.text();
    assert.equal(done.status, 400, `${what}: Complete answered ${done.status} ${doneText}`);
    assert.equal(/<Code>([^<]*)<\/Code>/.exec(doneText)?.[1], "InvalidPart", what);
    await assertNoObject(s.handle, s.backend, "victim", what);
    const aborted = await s.handle(await signedRequest("DELETE", q("")));
    await aborted.body?.cancel();
    assert.equal(aborted.status, 204, `${what}: abort`);
    await assertNoFsLeftovers(s.root, "victim", what);
  } finally {
    await s.close();
    if (s.root) await Deno.remove(s.root, { recursive: true });
  }
}

/** Registers the PutObject and UploadPart cases of one store. */
function registerStore(store: Store, register: RegisterCase): void {
  for (const op of ["PutObject", "UploadPart"] as const) {
    register(
      `${store.name}: ${op} whose body fails verification at its end stores nothing (1 KiB, 8 MiB; warm, cold pool)`,
      async (t) => {
        for (const failure of FAILURES) {
          for (const size of [KiB, 8 * MiB]) {
            for (const warm of [true, false]) {
              await t.step(`${failure}, ${size} B, ${warm ? "warm" : "cold"}`, async () => {
                if (op === "PutObject") await putObjectCase(store, size, warm, failure);
                else await uploadPartCase(store, size, warm, failure);
              });
            }
          }
        }
      },
    );
  }
}

for (const store of [memoryStore, fsStore]) {
  registerStore(store, (name, fn) =>
    Deno.test({
      name,
      sanitizeResources: false, // keep-alive pools hold sockets open on purpose
      sanitizeOps: false,
      fn,
    }));
}
registerStore(s3Store, motoSuite.test);
registerStore(azStore(true), azuriteSuite.test);
registerStore(azStore(false), azuriteSuite.test);
