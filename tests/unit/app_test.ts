/**
 * createApp(): which path a request takes (S3, STS, preflight), what wins
 * when several steps would refuse, and that every request gets one response
 * and one access-log entry carrying the same request id.
 */
import assert from "node:assert/strict";
import type { AccessLogEntry } from "../../src/log/entry.ts";
import { createApp, type InFlight } from "../../src/app.ts";
import type { Backend } from "../../src/backends/backend.ts";
import { createMemoryBackend } from "../../src/backends/memory.ts";
import { fixedClock } from "../../src/clock.ts";
import type { Config } from "../../src/config/types.ts";
import { createSigningKeyCache } from "../../src/sigv4/signing_key.ts";
import {
  ADMIN,
  makeRequest,
  NOW,
  type RequestOptions,
  testConfig,
} from "../integration/_harness.ts";

const UNKNOWN = { id: "AKIDUNKNOWN00000001", secret: "unknown-secret-key-1" } as const;

interface Setup {
  readonly config?: Config;
  readonly inFlight?: InFlight;
  readonly backend?: (b: Backend) => Backend;
}

function app(s: Setup = {}) {
  const config = s.config ?? testConfig();
  const backends = new Map<string, Backend>();
  for (const b of config.buckets) {
    const m = createMemoryBackend({ clock: { now: () => NOW } });
    backends.set(b.name, s.backend ? s.backend(m) : m);
  }
  const logs: AccessLogEntry[] = [];
  let n = 0;
  const handle = createApp({
    config,
    backends,
    clock: fixedClock(NOW),
    log: (e) => logs.push(e),
    signingKeys: createSigningKeyCache(),
    requestId: () => `RID${++n}`,
    ...(s.inFlight ? { inFlight: s.inFlight } : {}),
  });
  const send = async (path: string, o: RequestOptions = {}) => handle(await makeRequest(path, o));
  return { send, logs, handle };
}

const code = (xml: string) => /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];

Deno.test("createApp(): an S3 error is S3 XML with the request id, logged under the same id", async () => {
  const { send, logs } = app();
  const res = await send("/private/k");
  assert.equal(res.status, 403);
  assert.equal(res.headers.get("x-amz-request-id"), "RID1");
  const body = await res.text();
  assert.equal(code(body), "AccessDenied");
  assert.match(body, /<RequestId>RID1<\/RequestId>/);
  assert.equal(logs.length, 1);
  assert.equal(logs[0]!.requestId, "RID1");
  assert.equal(logs[0]!.status, 403);
  assert.equal(logs[0]!.operation, "GetObject");
  assert.equal(logs[0]!.bucket, "private");
});

Deno.test("createApp(): a query that does not decode is refused before routing and authentication", async () => {
  const { send, logs } = app();
  const res = await send("/private/k?prefix=%ZZ", { key: UNKNOWN });
  assert.equal(res.status, 400);
  assert.equal(code(await res.text()), "InvalidURI");
  assert.equal(logs[0]!.operation, undefined);
});

Deno.test("createApp(): a request over max_concurrent_requests is SlowDown, and is not counted on", async () => {
  const inFlight = { count: 0 };
  const { send } = app({ config: testConfig({ maxConcurrentRequests: 1 }), inFlight });
  inFlight.count = 1;
  const res = await send("/public/k", { key: ADMIN });
  assert.equal(res.status, 503);
  assert.equal(code(await res.text()), "SlowDown");
  assert.equal(inFlight.count, 1, "the refused request left the count as it found it");
  inFlight.count = 0;
  assert.equal((await send("/public/k", { key: ADMIN })).status, 404);
  assert.equal(inFlight.count, 0);
});

Deno.test("createApp(): an STS call takes the STS path; its error is STS XML", async () => {
  const { send, logs } = app();
  const res = await send("/?Action=AssumeRoleWithWebIdentity&Version=2011-06-15");
  const body = await res.text();
  assert.match(body, /<ErrorResponse/);
  assert.equal(res.status, 501);
  assert.equal(code(body), "NotImplemented", "StsNotConfigured: no SESSION_TOKEN_KEY");
  assert.equal(logs[0]!.operation, "AssumeRoleWithWebIdentity");
});

Deno.test("createApp(): an OPTIONS preflight is answered from CORS rules, without authentication", async () => {
  const { send } = app({
    config: testConfig({
      cors: {
        allowedOrigins: ["https://app.test"],
        allowedMethods: ["GET"],
        allowedHeaders: ["*"],
        exposeHeaders: [],
        maxAgeSecs: 60,
      },
    }),
  });
  const res = await send("/private/k", {
    method: "OPTIONS",
    headers: { origin: "https://app.test", "access-control-request-method": "GET" },
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("access-control-allow-origin"), "https://app.test");
});

Deno.test("createApp(): a backend exception is a generic 500; the detail goes to the log only", async () => {
  const throwing = (b: Backend) =>
    new Proxy(b, {
      get: () => () => {
        throw new Error("secret backend detail");
      },
    });
  const { send, logs } = app({ backend: throwing });
  const res = await send("/public/k", { key: ADMIN });
  assert.equal(res.status, 500);
  const body = await res.text();
  assert.equal(code(body), "InternalError");
  assert.doesNotMatch(body, /secret backend detail/);
  assert.match(logs[0]!.detail ?? "", /secret backend detail/);
});
