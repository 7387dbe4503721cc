/**
 * The gateway process in front of a remote backend (s3, az) that fails: stopped, stalled,
 * or cut off in the middle of a body. The client gets a clean answer (503
 * ServiceUnavailable with a generic message, or a body it can tell is short),
 * the gateway keeps serving its other buckets, and after the failure is
 * repeated about 50 times its open file descriptors are back where they were
 * and its RSS has not grown by more than 50 MiB.
 */
import assert from "node:assert/strict";
import { type Gateway, signedFetch, type SignedFetchOptions, startGateway } from "./_gateway.ts";
import { fdCount, memory } from "../_support/proc.ts";
import { motoBucket, motoMissing, startMoto } from "../_support/moto.ts";
import { azuriteBucket, azuriteMissing, startAzurite } from "../_support/azurite.ts";
import { skippable } from "../_support/tools.ts";
import { tally } from "../_support/tally.ts";

const MiB = 1024 * 1024;
const GENERIC = "We encountered an internal error. Please try again.";
/** How many more descriptors than before the failures count as "back where they were". */
const FD_MARGIN = 5;
const RSS_GROWTH_LIMIT = 50 * MiB;

/** Why moto, and Azurite, cannot run here; under CI=true, throws. */
const noMoto = await motoMissing();
const noAzurite = await azuriteMissing();

/**
 * Bucket entries over a fake backend at `url` (`options` added to its
 * backend_options, default a 1 s request timeout), as an s3 and as an az backend.
 */
const FAKE_REMOTES: readonly (readonly [string, (url: string, options?: string) => string])[] = [
  [
    "s3",
    (url, options = "request_timeout_secs: 1") =>
      motoBucket(url, "backing", options ? { options } : {}),
  ],
  [
    "az",
    (url, options = "request_timeout_secs: 1") =>
      azuriteBucket(`${url}/devstoreaccount1`, "backing", options ? { options } : {}),
  ],
];

/** A client that keeps no idle connections, so the gateway's count of sockets is not ours. */
function newClient(): Deno.HttpClient {
  return Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
}

/** Sends a request to the gateway signed with the development key, on `client`. */
function signed(
  gw: Gateway,
  client: Deno.HttpClient,
  method: string,
  path: string,
  opts: Omit<SignedFetchOptions, "client"> = {},
): Promise<Response> {
  return signedFetch(gw, method, path, { ...opts, client });
}

/**
 * Runs `round` (a few failing requests) until warmed up, takes the gateway's
 * fds and RSS, runs it `times` more, and checks both came back.
 */
async function assertNoLeak(
  gw: Gateway,
  times: number,
  round: (i: number) => Promise<void>,
  warmup = 3,
) {
  const pid = gw.pid;
  for (let i = 0; i < warmup; i++) await round(i);
  await settle();
  const fdsBefore = await fdCount(pid);
  const rssBefore = await memory(pid);
  for (let i = 0; i < times; i++) await round(i);
  // Sockets close asynchronously: give them a moment.
  let fdsAfter = await fdCount(pid);
  for (let i = 0; i < 50 && fdsAfter > fdsBefore + FD_MARGIN; i++) {
    await settle();
    fdsAfter = await fdCount(pid);
  }
  const rssAfter = await memory(pid);
  tally("faults", "backend chaos: failing rounds without a leak", times);
  assert.ok(
    fdsAfter <= fdsBefore + FD_MARGIN,
    `open fds grew from ${fdsBefore} to ${fdsAfter} after ${times} rounds of failures`,
  );
  assert.ok(
    rssAfter - rssBefore < RSS_GROWTH_LIMIT,
    `RSS grew from ${rssBefore >> 20} MiB to ${
      rssAfter >> 20
    } MiB after ${times} rounds of failures`,
  );
}

const settle = () => new Promise((r) => setTimeout(r, 100));

/** Checks a 503 ServiceUnavailable with the generic message and nothing about the backend. */
async function assertClean503(res: Response, what: string, backendPort: number, gw: Gateway) {
  const body = await res.text();
  assert.equal(res.status, 503, `${what}: ${body}`);
  const requestId = res.headers.get("x-amz-request-id");
  assert.ok(requestId, `${what}: x-amz-request-id`);
  if (res.status === 503 && body !== "") {
    assert.match(body, /<Code>ServiceUnavailable<\/Code>/, what);
    assert.ok(body.includes(`<Message>${GENERIC}</Message>`), `${what}: ${body}`);
    assert.ok(body.includes(`<RequestId>${requestId}</RequestId>`), what);
    for (const leak of [String(backendPort), "127.0.0.1", "refused", "timed out", "Error:"]) {
      assert.ok(!body.includes(leak), `${what}: the body mentions ${leak}: ${body}`);
    }
  }
  // The detail goes to the log under the same RequestId (the log reaches the pipe a moment later).
  const line = (await gw.waitForLog(new RegExp(requestId))).split("\n")
    .find((l) => l.includes(requestId));
  assert.ok(line, `${what}: no log line for ${requestId}`);
  assert.match(line, / 503 BackendError .*\(BackendError: /, `${what}: ${line}`);
  tally("faults", "backend chaos: clean 503");
}

/** The fs bucket of the same gateway still works. */
async function assertFsServes(gw: Gateway, client: Deno.HttpClient, tag: string) {
  const put = await signed(gw, client, "PUT", `/private-uploads/alive-${tag}.txt`, {
    body: `still here ${tag}`,
  });
  await put.body?.cancel();
  assert.equal(put.status, 200, "PUT to the fs bucket");
  const got = await signed(gw, client, "GET", `/private-uploads/alive-${tag}.txt`);
  assert.equal(got.status, 200, "GET from the fs bucket");
  assert.equal(await got.text(), `still here ${tag}`);
}

/** A remote backend process the test can stop: its gateway bucket entry and port. */
interface StoppableBackend {
  readonly bucket: string;
  readonly port: number;
  stop(): Promise<void>;
}

async function startMotoBackend(): Promise<StoppableBackend> {
  const moto = await startMoto();
  const made = await fetch(`${moto.endpoint}/backing`, { method: "PUT" });
  await made.body?.cancel();
  return {
    bucket: motoBucket(moto.endpoint, "backing", { options: "request_timeout_secs: 5" }),
    port: Number(new URL(moto.endpoint).port),
    stop: () => moto.stop(),
  };
}

async function startAzuriteBackend(): Promise<StoppableBackend> {
  const azurite = await startAzurite();
  await azurite.createContainer("backing");
  return {
    bucket: azuriteBucket(azurite.endpoint, "backing", { options: "request_timeout_secs: 5" }),
    port: azurite.port,
    stop: () => azurite.stop(),
  };
}

for (
  const [type, missing, start] of [
    ["s3 (moto)", noMoto, startMotoBackend],
    ["az (Azurite)", noAzurite, startAzuriteBackend],
  ] as const
) {
  Deno.test({
    ...skippable(
      `chaos: the ${type} backend is stopped mid-test: clean 503s, other buckets serve, no fd or RSS leak`,
      missing,
    ),
    async fn() {
      const backend = await start();
      const gw = await startGateway([backend.bucket]);
      const client = newClient();
      let running = true;
      try {
        const put = await signed(gw, client, "PUT", "/remote/k.txt", { body: "before the stop" });
        await put.body?.cancel();
        assert.equal(put.status, 200);
        const got = await signed(gw, client, "GET", "/remote/k.txt");
        assert.equal(await got.text(), "before the stop");

        await backend.stop();
        running = false;

        await assertClean503(
          await signed(gw, client, "GET", "/remote/k.txt"),
          "GET",
          backend.port,
          gw,
        );
        await assertClean503(
          await signed(gw, client, "HEAD", "/remote/k.txt"),
          "HEAD",
          backend.port,
          gw,
        );
        await assertClean503(
          await signed(gw, client, "PUT", "/remote/new.txt", { body: "x".repeat(1000) }),
          "PUT",
          backend.port,
          gw,
        );
        await assertClean503(
          await signed(gw, client, "GET", "/remote", { query: { "list-type": "2" } }),
          "ListObjectsV2",
          backend.port,
          gw,
        );
        await assertFsServes(gw, client, "a");

        await assertNoLeak(gw, 50, async (i) => {
          const ops = [
            signed(gw, client, "GET", "/remote/k.txt"),
            signed(gw, client, "PUT", `/remote/p${i}.bin`, { body: new Uint8Array(64 * 1024) }),
            signed(gw, client, "GET", "/remote", { query: { "list-type": "2" } }),
          ];
          for (const res of await Promise.all(ops)) {
            await res.body?.cancel();
            assert.equal(res.status, 503);
          }
        });
        await assertFsServes(gw, client, "b");
      } finally {
        client.close();
        await gw.stop();
        if (running) await backend.stop();
      }
    },
  });
}

for (const [type, fake] of FAKE_REMOTES) {
  Deno.test(`chaos (${type}): a backend that accepts and never answers: 503 after request_timeout_secs, no fd or RSS leak`, async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let stalled = 0;
    const stall = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async () => {
      stalled++;
      await released; // never answers before the teardown
      return new Response(null, { status: 500 });
    });
    const port = stall.addr.port;
    const gw = await startGateway([
      fake(`http://127.0.0.1:${port}`),
    ]);
    const client = newClient();
    try {
      for (
        const [method, path, body] of [
          ["GET", "/remote/k.txt", undefined],
          ["HEAD", "/remote/k.txt", undefined],
          ["PUT", "/remote/k.txt", "a small body"],
        ] as const
      ) {
        const started = Date.now();
        const res = await signed(gw, client, method, path, body ? { body } : {});
        const took = Date.now() - started;
        await assertClean503(res, method, port, gw);
        assert.ok(took >= 900, `${method}: answered after ${took} ms, before the timeout`);
        assert.ok(took < 5000, `${method}: answered after ${took} ms`);
      }
      assert.ok(stalled >= 3, "the requests reached the stalling backend");
      await assertFsServes(gw, client, "a");

      // 10 stalled requests at a time: 50 in about 5 s.
      await assertNoLeak(gw, 5, async (i) => {
        const all = await Promise.all(
          Array.from(
            { length: 10 },
            (_, j) =>
              j % 2
                ? signed(gw, client, "GET", `/remote/g${i}-${j}`)
                : signed(gw, client, "PUT", `/remote/p${i}-${j}`, { body: new Uint8Array(4096) }),
          ),
        );
        for (const res of all) {
          await res.body?.cancel();
          assert.equal(res.status, 503);
        }
      }, 1);
      await assertFsServes(gw, client, "b");
    } finally {
      client.close();
      await gw.stop();
      release();
      await stall.shutdown();
    }
  });
}

/** What a raw backend does after the response head (200, Content-Length `length`). */
type BodyPlan =
  /** Sends `sent` bytes, then closes the socket. */
  | { readonly kind: "cut"; readonly sent: number }
  /** Sends the whole body one byte at a time, `delayMs` apart. */
  | { readonly kind: "trickle"; readonly delayMs: number }
  /** Sends `sent` bytes, then nothing, until the gateway closes the connection. */
  | { readonly kind: "stall"; readonly sent: number };

/**
 * A raw TCP backend (no HTTP library to tidy up after it) that answers every
 * request with 200 and a Content-Length of `length`, then follows `plan`.
 */
function rawBackend(length: number, plan: BodyPlan) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  let closedByGateway = 0;
  const write = async (conn: Deno.Conn, chunk: Uint8Array) => {
    let at = 0;
    while (at < chunk.length) at += await conn.write(chunk.subarray(at));
  };
  const serveOne = async (conn: Deno.Conn) => {
    conns.add(conn);
    try {
      const buf = new Uint8Array(16 * 1024);
      let head = "";
      while (!head.includes("\r\n\r\n")) {
        const n = await conn.read(buf);
        if (n === null) return;
        head += new TextDecoder().decode(buf.subarray(0, n));
      }
      await write(
        conn,
        new TextEncoder().encode([
          "HTTP/1.1 200 OK",
          `Content-Length: ${length}`,
          "Content-Type: application/octet-stream",
          'ETag: "0123456789abcdef0123456789abcdef"',
          "Last-Modified: Wed, 01 Jan 2025 00:00:00 GMT",
          "",
          "",
        ].join("\r\n")),
      );
      switch (plan.kind) {
        case "cut":
          await write(conn, new Uint8Array(plan.sent).fill(0x61));
          break;
        case "trickle":
          for (let i = 0; i < length; i++) {
            await new Promise((r) => setTimeout(r, plan.delayMs));
            await write(conn, new Uint8Array([0x30 + (i % 10)]));
          }
          break;
        case "stall":
          await write(conn, new Uint8Array(plan.sent).fill(0x61));
          // Nothing more; a read ends when the gateway closes its side.
          while ((await conn.read(buf)) !== null) { /* ignore */ }
          closedByGateway++;
          break;
        default: {
          const never: never = plan;
          throw new TypeError(`Cannot serve plan ${never}`);
        }
      }
    } catch {
      if (plan.kind === "stall") closedByGateway++; // reset by the gateway
    } finally {
      conns.delete(conn);
      try {
        conn.close();
      } catch { /* closed */ }
    }
  };
  const accepting = (async () => {
    for await (const conn of listener) serveOne(conn);
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    /** Connections the gateway closed while the body stalled. */
    closedByGateway: () => closedByGateway,
    /** Connections still open. */
    open: () => conns.size,
    async close() {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch { /* closed */ }
      }
      await accepting;
    },
  };
}

/** Reads a body; returns the bytes read and whether reading failed. */
async function readAll(res: Response): Promise<{ bytes: number; failed: boolean }> {
  let bytes = 0;
  try {
    for await (const chunk of res.body!) bytes += chunk.byteLength;
    return { bytes, failed: false };
  } catch {
    return { bytes, failed: true };
  }
}

for (const [type, fake] of FAKE_REMOTES) {
  Deno.test(`chaos (${type}): a backend that closes mid-body: the client sees a short body it can detect, no fd or RSS leak`, async () => {
    const backend = rawBackend(MiB, { kind: "cut", sent: MiB / 2 });
    const gw = await startGateway([fake(`http://127.0.0.1:${backend.port}`, "")]);
    const client = newClient();
    try {
      const once = async () => {
        const res = await signed(gw, client, "GET", "/remote/big.bin");
        assert.equal(res.status, 200);
        const declared = Number(res.headers.get("content-length"));
        assert.equal(declared, MiB, "the gateway declares the backend's length");
        const { bytes, failed } = await readAll(res);
        assert.ok(bytes < declared, `got ${bytes} of ${declared} bytes`);
        assert.ok(failed, `reading the short body did not fail (got ${bytes} of ${declared})`);
      };
      await once();
      await assertFsServes(gw, client, "a");
      await assertNoLeak(gw, 50, once);
      await assertFsServes(gw, client, "b");
    } finally {
      client.close();
      await gw.stop();
      await backend.close();
    }
  });
}

Deno.test("chaos: a body that trickles for longer than request_timeout_secs arrives whole, also when copied to another bucket", async () => {
  // 12 bytes 250 ms apart: 3 s in all, never more than 250 ms without a byte.
  const backend = rawBackend(12, { kind: "trickle", delayMs: 250 });
  const gw = await startGateway([
    motoBucket(`http://127.0.0.1:${backend.port}`, "backing", {
      options: "request_timeout_secs: 1",
    }),
  ]);
  const client = newClient();
  try {
    const started = Date.now();
    const res = await signed(gw, client, "GET", "/remote/slow.bin");
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "012345678901");
    assert.ok(Date.now() - started > 2500, "the body took longer than the timeout");
    // A copy across buckets reads the body in the gateway (GET hands it to Deno.serve whole).
    const copied = await signed(gw, client, "PUT", "/private-uploads/copied.bin", {
      headers: { "x-amz-copy-source": "/remote/slow.bin" },
    });
    const answer = await copied.text();
    assert.equal(copied.status, 200, answer);
    assert.equal(
      await Deno.readTextFile(`${gw.dataDir}/private-uploads/copied.bin`),
      "012345678901",
    );
  } finally {
    client.close();
    await gw.stop();
    await backend.close();
  }
});

Deno.test("chaos: a body that stalls mid-way is let go when the client gives up, no fd or RSS leak", async () => {
  const backend = rawBackend(MiB, { kind: "stall", sent: 64 * 1024 });
  const gw = await startGateway([
    motoBucket(`http://127.0.0.1:${backend.port}`, "backing", {
      options: "request_timeout_secs: 1",
    }),
  ]);
  const client = newClient();
  let requests = 0;
  try {
    // 10 clients at a time read what comes, wait 300 ms more, and hang up.
    const round = async () => {
      await Promise.all(Array.from({ length: 10 }, async () => {
        requests++;
        const res = await signed(gw, client, "GET", "/remote/stuck.bin");
        assert.equal(res.status, 200);
        const reader = res.body!.getReader();
        let got = 0;
        while (got < 64 * 1024) {
          const r = await reader.read();
          if (r.done) break;
          got += r.value.byteLength;
        }
        assert.equal(got, 64 * 1024);
        const more = await Promise.race([
          reader.read().then(() => "more", () => "failed"),
          new Promise((r) => setTimeout(() => r("stalled"), 300)),
        ]);
        assert.equal(more, "stalled", "nothing comes after the stall");
        await reader.cancel();
      }));
    };
    await assertNoLeak(gw, 5, round, 1);
    await assertFsServes(gw, client, "a");
    for (let i = 0; i < 50 && backend.open() > 0; i++) await settle();
    assert.equal(backend.open(), 0, "every stalled backend connection was closed");
    assert.equal(backend.closedByGateway(), requests);
  } finally {
    client.close();
    await gw.stop();
    await backend.close();
  }
});
