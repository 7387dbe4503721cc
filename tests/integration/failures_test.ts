/** Backend failures become generic 5xx bodies with the detail in the log, never a stack trace. */
import assert from "node:assert/strict";
import { createApp } from "../../src/app.ts";
import { createSigningKeyCache } from "../../src/auth/signing_key.ts";
import type { Backend } from "../../src/backends/backend.ts";
import { createMemoryBackend } from "../../src/backends/memory.ts";
import { fixedClock } from "../../src/clock.ts";
import { proxyError } from "../../src/errors.ts";
import { ADMIN, errorCode, harness, makeRequest, NOW, send, testConfig } from "./_harness.ts";
import type { AccessLogEntry } from "../../src/app.ts";

function appWith(backend: Backend) {
  const logs: AccessLogEntry[] = [];
  const config = testConfig();
  const backends = new Map(config.buckets.map((b) => [b.name, backend]));
  const app = createApp({
    config,
    backends,
    clock: fixedClock(NOW),
    log: (e) => logs.push(e),
    signingKeys: createSigningKeyCache(),
  });
  return { app, logs };
}

Deno.test("a backend that is unreachable gives 503 ServiceUnavailable with a generic body", async () => {
  const down: Backend = {
    ...createMemoryBackend(),
    get: () =>
      Promise.resolve({
        ok: false,
        error: proxyError("BackendError", "connect ECONNREFUSED 10.0.0.7:9000 secret-host"),
      }),
  };
  const { app, logs } = appWith(down);
  const res = await app(await makeRequest("/private/x", { key: ADMIN }));
  assert.equal(res.status, 503);
  const body = await res.text();
  assert.match(body, /<Code>ServiceUnavailable<\/Code>/);
  assert.doesNotMatch(body, /secret-host|ECONNREFUSED/);
  assert.match(logs.at(-1)?.detail ?? "", /ECONNREFUSED/);
});

Deno.test("a backend that throws gives 500 InternalError, never a stack trace", async () => {
  const broken: Backend = {
    ...createMemoryBackend(),
    head: () => {
      throw new TypeError("boom at /srv/internal/path.ts:12");
    },
  };
  const { app, logs } = appWith(broken);
  const res = await app(await makeRequest("/private/x", { method: "HEAD", key: ADMIN }));
  assert.equal(res.status, 500);
  assert.equal(res.body, null);
  assert.match(logs.find((l) => l.status === 500)?.detail ?? "", /boom/);
});

Deno.test("a 500 body says nothing of the cause", async () => {
  const broken: Backend = {
    ...createMemoryBackend(),
    list: () => Promise.reject(new Error("database password is hunter2")),
  };
  const { app } = appWith(broken);
  const res = await app(await makeRequest("/private?list-type=2", { key: ADMIN }));
  assert.equal(res.status, 500);
  assert.equal(await errorCode(res.clone()), "InternalError");
  assert.doesNotMatch(await res.text(), /hunter2/);
});

Deno.test("beyond max_concurrent_requests: 503 SlowDown with Retry-After, the others served", async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => release = r);
  const h = harness(testConfig({ maxConcurrentRequests: 2 }), {
    wrapBackend: (b) => ({
      ...b,
      async head(key) {
        await gate; // holds the first requests in the handler
        return await b.head(key);
      },
    }),
  });
  const held = [1, 2].map(() => send(h, "/public/k", { method: "HEAD" }));
  await new Promise((r) => setTimeout(r, 10));
  const third = await send(h, "/public/k", { method: "GET" });
  assert.equal(third.status, 503);
  assert.equal(third.headers.get("retry-after"), "1");
  const body = await third.text();
  assert.match(body, /<Code>SlowDown<\/Code><Message>Please reduce your request rate\.<\/Message>/);
  release();
  for (const res of await Promise.all(held)) assert.equal(res.status, 404);
  const after = await send(h, "/public/k", { method: "HEAD" });
  assert.equal(after.status, 404, "served again once the others finished");
});

Deno.test("max_concurrent_requests holds across a reload: the old and the new app share one count", async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => release = r);
  const inFlight = { count: 0 };
  const config = testConfig({ maxConcurrentRequests: 2 });
  const old = harness(config, {
    inFlight,
    wrapBackend: (b) => ({
      ...b,
      async head(key) {
        await gate;
        return await b.head(key);
      },
    }),
  });
  const reloaded = harness(config, { inFlight });
  const held = [1, 2].map(() => send(old, "/public/k", { method: "HEAD" }));
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(inFlight.count, 2);
  const refused = await send(reloaded, "/public/k", { method: "HEAD" });
  assert.equal(refused.status, 503, "the new app counts the old app's requests");
  release();
  await Promise.all(held);
  assert.equal(inFlight.count, 0);
  assert.equal((await send(reloaded, "/public/k", { method: "HEAD" })).status, 404);
});
