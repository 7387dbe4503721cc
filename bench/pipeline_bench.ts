/**
 * The per-request stages of a 1 KiB GET, each on its own (issue 20 part 2),
 * and the whole in-process handler for the same GET over the memory and fs
 * backends, anonymous and presigned SigV4. Requests are shaped as wrk sends
 * them (only `Host`); the presigned URL is signed as the AWS SDK presigner
 * signs it. `deno task bench:micro`, or `deno bench -A bench/pipeline_bench.ts`.
 */
import { accessLogEntry } from "../src/log/entry.ts";
import { accessLogJson } from "../src/log/format.ts";
import { createMetrics } from "../src/admin/metrics.ts";
import { createApp } from "../src/app.ts";
import { authenticate } from "../src/auth/authenticate.ts";
import { ANONYMOUS, type Identity } from "../src/auth/identity.ts";
import { createAuthorizer } from "../src/authz/authorizer.ts";
import type { Backend, ObjectMeta } from "../src/backends/backend.ts";
import { createFsBackend } from "../src/backends/fs/fs.ts";
import { validateKey } from "../src/backends/keys.ts";
import { createMemoryBackend } from "../src/backends/memory.ts";
import { fixedClock } from "../src/clock.ts";
import { finishResponse } from "../src/http/finish_response.ts";
import { queryOf, requestTarget } from "../src/http/target.ts";
import { randomRequestId } from "../src/http/request_id.ts";
import { ok } from "../src/result.ts";
import { parseS3Request } from "../src/s3/request.ts";
import { objectHeaders, setLengthHeaders } from "../src/s3/headers.ts";
import { signRequest } from "../src/sigv4/sign.ts";
import { createSigningKeyCache } from "../src/sigv4/signing_key.ts";
import { presignQuery } from "../tests/_support/signer.ts";
import { ADMIN, NOW, testConfig } from "../tests/integration/_harness.ts";

const HOST = "gateway.test";
const ANON_URL = `http://${HOST}/public/1k.bin`;
const SIGNED_URL = `http://${HOST}/private/1k.bin?` +
  await presignQuery(ADMIN, `http://${HOST}/private/1k.bin`, { signedAt: NOW, expiresIn: 3600 });
const anonReq = new Request(ANON_URL, { headers: { host: HOST } });
const signedReq = new Request(SIGNED_URL, { headers: { host: HOST } });

const config = testConfig();
const clock = fixedClock(NOW);
const credentials = new Map(config.credentials.map((c) => [c.accessKeyId, c]));
const authDeps = { credentials, clock, signingKeys: createSigningKeyCache(), host: HOST };

// ---- route: the request target, its query decoded once, the S3 operation

Deno.bench("stage route: anonymous GET (target + query + parseS3Request)", {
  group: "route",
}, () => {
  const target = requestTarget(anonReq.url);
  const r = parseS3Request(anonReq.method, target, anonReq.headers, { host: HOST });
  if (!r.ok) throw new Error(r.error.message);
});

Deno.bench("stage route: presigned GET (target + query + parseS3Request)", {
  group: "route",
}, () => {
  const target = requestTarget(signedReq.url);
  const q = queryOf(target);
  if (!q.ok) throw new Error(q.error.message);
  const r = parseS3Request(signedReq.method, target, signedReq.headers, { host: HOST });
  if (!r.ok) throw new Error(r.error.message);
});

// ---- authenticate: the query was decoded by the router (shared per target)

const anonTarget = requestTarget(anonReq.url);
const signedTarget = requestTarget(signedReq.url);
queryOf(signedTarget);

Deno.bench("stage authenticate: anonymous", { group: "authenticate" }, async () => {
  const r = await authenticate(anonReq, anonTarget, authDeps);
  if (!r.ok) throw new Error(r.error.message);
});

Deno.bench("stage authenticate: presigned SigV4 (signing key cached)", {
  group: "authenticate",
}, async () => {
  const r = await authenticate(signedReq, signedTarget, authDeps);
  if (!r.ok) throw new Error(r.error.message);
});

// ---- authorize: the key, the request's condition keys, the policy decision

const admin: Identity = {
  kind: "access_key",
  accessKeyId: ADMIN.id,
  principal: "admin",
  scopes: config.credentials[0]!.allowedScopes,
};
const publicBucket = config.buckets[0]!;
const scene = {
  config,
  secureTransport: false,
  now: Date.now(),
  headers: new Headers(),
  query: new URLSearchParams(),
};
const privateBucket = config.buckets[1]!;

Deno.bench("stage authorize: anonymous GetObject", { group: "authorize" }, () => {
  if (validateKey("1k.bin")) throw new Error("bad key");
  const denied = createAuthorizer(scene)({
    identity: ANONYMOUS,
    bucket: publicBucket,
    operation: "GetObject",
    key: "1k.bin",
  });
  if (denied) throw new Error(denied.message);
});

Deno.bench("stage authorize: access key GetObject", { group: "authorize" }, () => {
  if (validateKey("1k.bin")) throw new Error("bad key");
  const denied = createAuthorizer(scene)({
    identity: admin,
    bucket: privateBucket,
    operation: "GetObject",
    key: "1k.bin",
  });
  if (denied) throw new Error(denied.message);
});

// ---- the s3 backend's request build: sign the outbound GET, its URL

const backendKeys = createSigningKeyCache(64);
const backendCreds = { accessKeyId: "AKIDBACKEND000000001", secretAccessKey: "backend-secret" };

Deno.bench("stage backend request build: s3 GET signed (SigV4) + URL", {
  group: "backend",
}, () => {
  const headers = signRequest(
    {
      method: "GET",
      path: "/bench/1k.bin",
      query: "",
      headers: {
        host: "127.0.0.1:9000",
        "accept-encoding": "identity",
        "user-agent": "bucketgate/0.1.0",
      },
      payloadHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    },
    backendCreds,
    { region: "us-east-1", now: NOW, keys: backendKeys },
  );
  if (!headers.authorization) throw new Error("unsigned");
  new URL("http://127.0.0.1:9000/bench/1k.bin");
});

Deno.bench("stage backend request build: s3 GET unsigned (skip_signature) + URL", {
  group: "backend",
}, () => {
  const h = {
    host: "127.0.0.1:9000",
    "accept-encoding": "identity",
    "user-agent": "bucketgate/0.1.0",
  };
  if (!h.host) throw new Error("no host");
  new URL("http://127.0.0.1:9000/bench/1k.bin");
});

// ---- response build: the object's headers, the Response, finish_response

const kib = new Uint8Array(1024).fill(0x61);
const meta: ObjectMeta = {
  key: "1k.bin",
  size: 1024,
  etag: '"0f343b0931126a20f133d67c2b018a3b"',
  lastModified: new Date(NOW - 86_400_000),
  userMetadata: {},
};

Deno.bench("stage response build: headers + Response + finishResponse", {
  group: "response",
}, async () => {
  const h = objectHeaders(meta);
  setLengthHeaders(h, meta.size, undefined);
  const { response } = await finishResponse(anonReq, {
    requestId: "0123456789ABCDEF",
    result: ok(new Response(kib, { status: 200, headers: h })),
    sts: false,
    cors: undefined,
    clock,
    started: NOW,
  });
  if (response.status !== 200) throw new Error("status");
});

// ---- the access log entry and its JSON line; metrics

const route = parseS3Request("GET", anonTarget, anonReq.headers, { host: HOST });
if (!route.ok) throw new Error(route.error.message);
const loggedResponse = new Response(kib, {
  headers: { "content-length": "1024", "content-type": "binary/octet-stream" },
});
const entryOf = () =>
  accessLogEntry(anonReq, {
    requestId: randomRequestId(),
    started: NOW,
    totalMs: 1,
    outcome: {
      result: ok(loggedResponse),
      authMs: 0,
      backendMs: 1,
      route: route.value,
      identity: admin,
    },
    response: loggedResponse,
    client: ok({ host: HOST, scheme: "http", address: "127.0.0.1" }),
    peer: { hostname: "127.0.0.1" },
  });

Deno.bench("stage log: request id + access-log entry", { group: "log" }, () => {
  if (!entryOf().requestId) throw new Error("no id");
});

const entry = entryOf();
Deno.bench("stage log: its JSON line", { group: "log" }, () => {
  if (accessLogJson(entry).length === 0) throw new Error("empty");
});

const observe = createMetrics().observer(config.buckets.map((b) => b.name));
Deno.bench("stage metrics: observe", { group: "metrics" }, () => {
  observe(entry);
});

// ---- the whole handler, in process

async function appOver(backendOf: (name: string) => Backend) {
  const backends = new Map<string, Backend>();
  for (const b of config.buckets) backends.set(b.name, backendOf(b.name));
  for (const name of ["public", "private"]) {
    const put = await backends.get(name)!.put("1k.bin", ReadableStream.from([kib]), {
      contentLength: 1024,
      meta: { userMetadata: {} },
    });
    if (!put.ok) throw new Error(put.error.message);
  }
  const log = createMetrics().observer(config.buckets.map((b) => b.name));
  return createApp({
    config,
    backends,
    clock,
    log: (e) => {
      log(e);
      accessLogJson(e);
    },
    signingKeys: createSigningKeyCache(),
  });
}

const info = { remoteAddr: { hostname: "127.0.0.1", port: 40000 } };
const memoryApp = await appOver(() => createMemoryBackend({ clock: { now: () => NOW } }));
const fsRoot = await Deno.makeTempDir({ prefix: "bucketgate-pipeline-bench-" });
globalThis.addEventListener("unload", () => Deno.removeSync(fsRoot, { recursive: true }));
const fsApp = await appOver((name) => {
  Deno.mkdirSync(`${fsRoot}/${name}`, { recursive: true });
  return createFsBackend({ root: `${fsRoot}/${name}` });
});

async function get(app: typeof memoryApp, req: Request) {
  const res = await app(req, info);
  if (res.status !== 200) throw new Error(`status ${res.status}: ${await res.text()}`);
  await res.body?.cancel();
}

Deno.bench("whole handler: anonymous GET 1 KiB, memory backend", { group: "whole" }, async () => {
  await get(memoryApp, anonReq);
});

Deno.bench("whole handler: presigned GET 1 KiB, memory backend", { group: "whole" }, async () => {
  await get(memoryApp, signedReq);
});

Deno.bench("whole handler: anonymous GET 1 KiB, fs backend", { group: "whole" }, async () => {
  await get(fsApp, anonReq);
});

Deno.bench("whole handler: presigned GET 1 KiB, fs backend", { group: "whole" }, async () => {
  await get(fsApp, signedReq);
});

Deno.bench("floor: Deno.statSync of the fs object", { group: "whole" }, () => {
  Deno.statSync(`${fsRoot}/public/1k.bin`);
});
