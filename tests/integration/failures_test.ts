/** Backend failures become generic 5xx bodies with the detail in the log, never a stack trace. */
import assert from "node:assert/strict";
import { createApp } from "../../src/app.ts";
import { createSigningKeyCache } from "../../src/sigv4/signing_key.ts";
import { type Backend, bodyStream } from "../../src/backends/backend.ts";
import { createMemoryBackend } from "../../src/backends/memory.ts";
import { fixedClock } from "../../src/clock.ts";
import { proxyError } from "../../src/errors.ts";
import { ok } from "../../src/result.ts";
import { ADMIN, errorCode, harness, makeRequest, NOW, send, testConfig } from "./_harness.ts";
import { RawClient } from "../_support/raw_http.ts";
import type { AccessLogEntry } from "../../src/log/entry.ts";

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

Deno.test({
  name:
    "a download still streaming counts against max_concurrent_requests until delivered or dropped",
  async fn() {
    const inFlight = { count: 0 };
    // Bodies as streams, as the fs, s3 and az backends send them (Deno.serve says a
    // response of bytes is complete once it holds them, before the client read them).
    const h = harness(testConfig({ maxConcurrentRequests: 1 }), {
      inFlight,
      wrapBackend: (b) => ({
        ...b,
        async get(key, opts) {
          const got = await b.get(key, opts);
          return got.ok ? ok({ ...got.value, body: bodyStream(got.value.body) }) : got;
        },
      }),
    });
    // Larger than loopback's socket buffers: a client that does not read holds the body.
    const size = 64 * 1024 * 1024;
    await h.raw.get("public")!.put("big.bin", new Response(new Uint8Array(size)).body!, {
      meta: { userMetadata: {} },
      contentLength: size,
    });
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, h.app);
    const url = (path: string) => `http://127.0.0.1:${server.addr.port}${path}`;
    const until = async (what: () => boolean) => {
      for (let i = 0; i < 200 && !what(); i++) await new Promise((r) => setTimeout(r, 10));
      return what();
    };
    const stalled = await RawClient.connect(server.addr.port);
    try {
      // A client that reads the head and then nothing.
      await stalled.write("GET /public/big.bin HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n");
      assert.equal((await stalled.readHead(5000)).status, 200);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(inFlight.count, 1, "its body is still being sent");
      const refused = await fetch(url("/public/k"), { method: "HEAD" });
      assert.equal(refused.status, 503, "the open download holds the only place");
      stalled.close();
      assert.ok(
        await until(() => inFlight.count === 0),
        "dropped by its client: the place is free",
      );
      const read = await fetch(url("/public/big.bin"));
      assert.equal((await read.arrayBuffer()).byteLength, size);
      assert.ok(await until(() => inFlight.count === 0), "delivered: the place is free");
      const after = await fetch(url("/public/k"), { method: "HEAD" });
      assert.equal(after.status, 404);
    } finally {
      stalled.close();
      await server.shutdown();
    }
  },
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
