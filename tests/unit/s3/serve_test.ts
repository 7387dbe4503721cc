/**
 * The S3 path's order over memory backends: route → authenticate → bucket →
 * key → authorize → handler. Each test sends a request that two steps would
 * refuse and checks that the earlier one answers.
 */
import assert from "node:assert/strict";
import { createMemoryBackend } from "../../../src/backends/memory.ts";
import type { Backend } from "../../../src/backends/backend.ts";
import { fixedClock } from "../../../src/clock.ts";
import { requestTarget } from "../../../src/http/target.ts";
import type { ResolvedBucket } from "../../../src/s3/context.ts";
import type { RequestOutcome } from "../../../src/s3/outcome.ts";
import { createS3Server } from "../../../src/s3/serve.ts";
import { createSigningKeyCache } from "../../../src/sigv4/signing_key.ts";
import {
  ADMIN,
  makeRequest,
  NOW,
  READER,
  type RequestOptions,
  SCOPED,
  testConfig,
} from "../../integration/_harness.ts";

const UNKNOWN = { id: "AKIDUNKNOWN00000001", secret: "unknown-secret-key-1" } as const;

function server() {
  const config = testConfig();
  const backends = new Map<string, Backend>();
  const buckets = new Map<string, ResolvedBucket>();
  for (const b of config.buckets) {
    const backend = createMemoryBackend({ clock: { now: () => NOW } });
    backends.set(b.name, backend);
    buckets.set(b.name, { config: b, backend });
  }
  const serve = createS3Server({
    config,
    buckets,
    clock: fixedClock(NOW),
    signingKeys: createSigningKeyCache(),
  });
  const send = async (path: string, o: RequestOptions = {}): Promise<RequestOutcome> => {
    const req = await makeRequest(path, o);
    return await serve(req, {
      target: requestTarget(req.url),
      addressing: { host: req.headers.get("host") },
      requestId: "REQ",
      client: { host: req.headers.get("host"), scheme: "http" },
    });
  };
  return { send, backends };
}

const kindOf = (
  o: RequestOutcome,
) => (o.result.ok ? `${o.result.value.status}` : o.result.error.kind);

Deno.test("serveS3: a request that does not route is refused before its signature is read", async () => {
  const { send } = server();
  const o = await send("/public/k?uploadId=1", { method: "PATCH", key: UNKNOWN });
  assert.notEqual(kindOf(o), "InvalidAccessKeyId");
  assert.ok(!o.result.ok);
  assert.equal(o.route, undefined);
  assert.equal(o.identity, undefined);
  assert.equal(o.authMs, undefined);
});

Deno.test("serveS3: authentication answers before the bucket is looked up", async () => {
  const { send } = server();
  const o = await send("/no-such-bucket/k", { key: UNKNOWN });
  assert.equal(kindOf(o), "InvalidAccessKeyId");
  assert.equal(o.route?.bucket, "no-such-bucket");
  assert.equal(o.identity, undefined);
  assert.equal(typeof o.authMs, "number");
});

Deno.test("serveS3: an unknown bucket is NoSuchBucket even for a caller with no rights to it", async () => {
  const { send } = server();
  const o = await send("/no-such-bucket/k", { key: SCOPED });
  assert.equal(kindOf(o), "BucketNotFound");
  assert.equal(o.identity?.kind, "access_key");
});

Deno.test("serveS3: the key is checked before authorization", async () => {
  const { send } = server();
  const long = "k".repeat(1025);
  assert.equal(kindOf(await send(`/private/${long}`)), "KeyTooLong");
  assert.equal(kindOf(await send(`/private/short`)), "MissingAuth");
  assert.equal(
    kindOf(await send(`/private/${long}`, { key: READER, method: "PUT" })),
    "KeyTooLong",
  );
});

Deno.test("serveS3: a refused authorization never reaches the backend", async () => {
  const { send, backends } = server();
  const o = await send("/private/k", { method: "PUT", body: "data", key: READER });
  assert.equal(kindOf(o), "AccessDenied");
  assert.equal(o.backendMs, undefined);
  const head = await backends.get("private")!.head("k");
  assert.ok(!head.ok, "nothing was written");
});

Deno.test("serveS3: an admitted operation runs, and the outcome records caller, bytes and times", async () => {
  const { send } = server();
  const put = await send("/private/k", { method: "PUT", body: "hello", key: ADMIN });
  assert.equal(kindOf(put), "200");
  assert.equal(put.route?.op, "PutObject");
  assert.equal(put.identity?.kind, "access_key");
  assert.equal(put.bytesIn, 5);
  assert.equal(typeof put.backendMs, "number");
  const get = await send("/private/k", { key: READER });
  assert.ok(get.result.ok);
  assert.equal(await get.result.value.text(), "hello");
});

Deno.test("serveS3: ListBuckets is answered after authentication, without a bucket", async () => {
  const { send } = server();
  const o = await send("/", { key: ADMIN });
  assert.ok(o.result.ok);
  assert.equal(o.route?.op, "ListBuckets");
  assert.match(await o.result.value.text(), /<Name>private<\/Name>/);
  assert.equal(kindOf(await send("/", { key: UNKNOWN })), "InvalidAccessKeyId");
});
