// deno-lint-ignore-file no-console -- the tests capture what serve.ts prints.
import assert from "node:assert/strict";
import type { Runtime, Serving } from "../../../src/cli/runtime.ts";
import {
  type Checked,
  drain,
  printListening,
  serveAdmin,
  serveGateway,
  type State,
} from "../../../src/cli/serve.ts";
import type { Config } from "../../../src/config/types.ts";
import { createUploadBuffer } from "../../../src/backends/upload_buffer.ts";
import { ok } from "../../../src/result.ts";
import { VERSION } from "../../../src/version.ts";

/** Runs `fn` with console[`stream`] captured. */
async function capturing(
  stream: "log" | "error",
  fn: () => Promise<void> | void,
): Promise<string[]> {
  const lines: string[] = [];
  const real = console[stream];
  console[stream] = (...args: unknown[]) => void lines.push(args.join(" "));
  try {
    await fn();
  } finally {
    console[stream] = real;
  }
  return lines;
}

const serving = (text: string): Serving => ({
  handler: () => Promise.resolve(new Response(text)),
  backends: new Map(),
  config: {} as Config,
});

function fakeRuntime(): Runtime & { warnings: string[]; flushes: () => number } {
  const warnings: string[] = [];
  let flushes = 0;
  return {
    metrics: undefined as never,
    warn: (m) => void warnings.push(m),
    inFlight: { count: 0 },
    accessLog: { write() {}, flush: () => void flushes++ },
    uploadBuffer: createUploadBuffer(0),
    build: () => ok(serving("built")),
    limits: () => undefined,
    warnings,
    flushes: () => flushes,
  };
}

Deno.test("printListening(): the first line names the version, address, buckets, STS and workers", async () => {
  const checked = {
    name: "c.yaml",
    source: { name: "c.yaml", text: "" },
    config: { buckets: [{ name: "a" }, { name: "b" }] } as unknown as Config,
    environment: {},
  } as Checked;
  const lines = await capturing("log", () => {
    printListening(checked, { hostname: "127.0.0.1", port: 8080 });
    printListening(checked, { hostname: "0.0.0.0", port: 9000 }, 4);
  });
  assert.deepEqual(lines, [
    `bucketgate ${VERSION} listening on http://127.0.0.1:8080 (buckets: a, b; STS off: SESSION_TOKEN_KEY not set)`,
    `bucketgate ${VERSION} listening on http://0.0.0.0:9000 (buckets: a, b; STS off: SESSION_TOKEN_KEY not set; 4 workers)`,
  ]);
});

Deno.test("serveGateway(): serves what the state serves now; 503 with Connection: close once draining", async () => {
  const runtime = fakeRuntime();
  const state: State = { serving: serving("first"), draining: false };
  let port = 0;
  const listened = Promise.withResolvers<void>();
  const server = serveGateway(
    {
      address: { hostname: "127.0.0.1", port: 0 },
      reusePort: false,
      onListen: (a) => {
        port = a.port;
        listened.resolve();
      },
    },
    runtime,
    state,
  );
  try {
    await listened.promise;
    const url = `http://127.0.0.1:${port}/`;
    assert.equal(await (await fetch(url)).text(), "first");
    state.serving = serving("reloaded");
    assert.equal(await (await fetch(url)).text(), "reloaded");
    state.draining = true;
    const res = await fetch(url, { method: "PUT", body: "ignored" });
    assert.equal(res.status, 503);
    assert.equal(res.headers.get("connection"), "close");
    assert.equal(await res.text(), "shutting down\n");
  } finally {
    await server.shutdown();
  }
});

Deno.test("serveAdmin(): listens on its address and prints the admin line", async () => {
  let server: Deno.HttpServer | undefined;
  const lines = await capturing("log", async () => {
    server = serveAdmin("127.0.0.1:0", () => Promise.resolve(new Response("admin")));
    await new Promise((r) => setTimeout(r, 50));
  });
  try {
    const m = lines[0]?.match(/^admin listening on http:\/\/127\.0\.0\.1:(\d+)$/);
    assert.ok(m, lines.join("\n"));
    assert.equal(await (await fetch(`http://127.0.0.1:${m[1]}/healthz`)).text(), "admin");
  } finally {
    await server?.shutdown();
  }
});

Deno.test("drain(): refuses new requests, waits for those in flight, shuts the servers, flushes the log", async () => {
  const runtime = fakeRuntime();
  runtime.inFlight.count = 1;
  const state: State = { serving: serving("x"), draining: false };
  const shut: string[] = [];
  const server = (name: string) =>
    ({ shutdown: () => (shut.push(name), Promise.resolve()) }) as unknown as Deno.HttpServer;
  const draining = drain(runtime, state, [server("gateway"), undefined, server("admin")]);
  assert.equal(state.draining, true);
  await new Promise((r) => setTimeout(r, 80));
  assert.deepEqual(shut, []); // a request still in flight
  runtime.inFlight.count = 0;
  await draining;
  assert.deepEqual(shut, ["gateway", "admin"]);
  assert.equal(runtime.flushes(), 1);
});
