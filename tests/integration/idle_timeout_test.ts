/**
 * `client_idle_timeout_secs` through the whole app on a real Deno.serve: an
 * upload to an s3 or az backend whose client stalls is answered
 * RequestTimeout and its backend request is abandoned (the store never gets
 * the whole body); one that is slow but steady goes through.
 */
import assert from "node:assert/strict";
import { eventually } from "../_support/eventually.ts";
import { createApp } from "../../src/app.ts";
import { createSigningKeyCache } from "../../src/sigv4/signing_key.ts";
import { createS3Backend } from "../../src/backends/s3/s3.ts";
import { createAzBackend } from "../../src/backends/az/az.ts";
import { azOptionsOf, s3OptionsOf } from "../_support/backend_options.ts";
import { systemClock } from "../../src/clock.ts";
import {
  RawClient,
  readRequestTimeout,
  signedRequestHead,
  trickleUpload,
} from "../_support/raw_http.ts";
import { ADMIN, testConfig } from "./_harness.ts";

/** What the fake store saw of one PUT. */
interface Seen {
  readonly declared: number;
  received: number;
  outcome?: "complete" | "aborted";
}

/** A fake S3 that reads every PUT body and records how it ended. */
function fakeStore() {
  const puts = new Map<string, Seen>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const seen: Seen = { declared: Number(req.headers.get("content-length")), received: 0 };
    puts.set(new URL(req.url).pathname, seen);
    try {
      for await (const chunk of req.body!) seen.received += chunk.byteLength;
      seen.outcome = seen.received === seen.declared ? "complete" : "aborted";
    } catch {
      seen.outcome = "aborted";
    }
    return new Response(null, { status: 200, headers: { etag: '"fake"' } });
  });
  return { puts, server, endpoint: `http://127.0.0.1:${server.addr.port}` };
}

/** The backend options of each remote kind, in front of the fake store. */
const OPTIONS = {
  s3: (endpoint: string) => ({ endpoint, bucket_name: "store", skip_signature: true }),
  az: (endpoint: string) => ({
    endpoint,
    account_name: "acct",
    container_name: "store",
    skip_signature: true,
  }),
} as const;

/** The app over one remote bucket (`remote`) in front of the fake store, on a real server. */
function gatewayOver(endpoint: string, idleSecs: number, kind: "s3" | "az" = "s3") {
  const backendConfig = kind === "s3"
    ? { type: kind, options: s3OptionsOf(OPTIONS.s3(endpoint)) }
    : { type: kind, options: azOptionsOf(OPTIONS.az(endpoint)) };
  const config = testConfig({
    clientIdleTimeoutSecs: idleSecs,
    buckets: [{
      name: "remote",
      backend: backendConfig,
      anonymousAccess: false,
      backendPrefix: "",
      allowedRoles: [],
    }],
  });
  const backend = backendConfig.type === "s3"
    ? createS3Backend(backendConfig.options)
    : createAzBackend(backendConfig.options);
  const codes: string[] = [];
  const app = createApp({
    config,
    backends: new Map([["remote", backend]]),
    clock: systemClock,
    log: (e) => codes.push(e.errorCode ?? String(e.status)),
    signingKeys: createSigningKeyCache(),
  });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => app(req));
  return { server, port: server.addr.port, codes };
}

for (const kind of ["s3", "az"] as const) {
  Deno.test({
    name:
      `a stalled upload to an ${kind} backend is RequestTimeout and the backend request is abandoned`,
    // node:http keeps the gateway's backend connections in a pool.
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      const store = fakeStore();
      const gw = gatewayOver(store.endpoint, 1, kind);
      const seenOf = () => [...store.puts].find(([path]) => path.endsWith("/stalled.bin"))?.[1];
      const client = await RawClient.connect(gw.port);
      try {
        const length = 1024 * 1024;
        await client.write(
          await signedRequestHead(gw.port, ADMIN, {
            method: "PUT",
            path: "/remote/stalled.bin",
            headers: { "content-length": String(length) },
          }),
        );
        await client.write(new Uint8Array(64 * 1024));
        const started = Date.now();
        assert.ok(
          await eventually(() => (seenOf()?.received ?? 0) > 0, 2000, 20),
          "the upload reached the store",
        );
        const { headAt } = await readRequestTimeout(client, 5000);
        const waited = headAt - started;
        assert.ok(waited >= 900 && waited < 4000, `answered after ${waited} ms`);
        assert.ok(
          await eventually(() => seenOf()?.outcome !== undefined, 2000, 20),
        );
        const seen = seenOf()!;
        assert.equal(seen.outcome, "aborted", "the store never got a whole body");
        assert.ok(seen.received < length);
        assert.deepEqual(gw.codes, ["RequestTimeout"]);
      } finally {
        client.close();
        await gw.server.shutdown();
        await store.server.shutdown();
      }
    },
  });
}

Deno.test({
  name: "a slow but steady upload to an s3 backend is not cut",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const store = fakeStore();
    const gw = gatewayOver(store.endpoint, 1);
    const client = await RawClient.connect(gw.port);
    try {
      const piece = new Uint8Array(8 * 1024);
      const pieces = 6; // one every 400 ms: 2.4 s, over twice the timeout
      await trickleUpload(client, gw.port, ADMIN, "/remote/steady.bin", piece, pieces, 400);
      const head = await client.readHead(5000);
      assert.equal(head.status, 200);
      assert.equal(store.puts.get("/store/steady.bin")?.outcome, "complete");
    } finally {
      client.close();
      await gw.server.shutdown();
      await store.server.shutdown();
    }
  },
});
