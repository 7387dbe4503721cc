/**
 * What the backends' transport (`send`: fetch, and node:http for streamed
 * uploads) keeps: keep-alive, deadlines, aborts, identity encoding, early
 * answers, the idle cut, the mapping of failures.
 */
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { release, send, type SendRequest } from "../../../../src/backends/http/send.ts";
import { backendRequest } from "../../../../src/backends/http/retry.ts";
import { ProxyStreamError } from "../../../../src/errors.ts";
import { bindIdleWatchdog, createIdleWatchdog } from "../../../../src/streams/idle.ts";
import { closeQuietly, readHead, tcpServer } from "../../../_support/tcp.ts";

const enc = new TextEncoder();
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const isTimeout = (e: unknown) => e instanceof DOMException && e.name === "TimeoutError";

/** A raw server: reads one request head, then runs `answer` on the connection. */
function rawServer(answer: (conn: Deno.Conn, head: string) => Promise<void>) {
  const heads: string[] = [];
  const server = tcpServer(async (conn) => {
    try {
      const read = await readHead(conn);
      if (!read) return;
      heads.push(read.head);
      await answer(conn, read.head);
    } catch {
      // the client went away
    } finally {
      closeQuietly(conn);
    }
  });
  return {
    url: new URL(`http://127.0.0.1:${server.port}/b/k`),
    heads,
    close: () => server.close(),
  };
}

const opts = { sanitizeResources: false, sanitizeOps: false };

/** A GET through `send` with defaults. */
function get(url: URL, more: Partial<SendRequest> = {}) {
  return send({
    method: "GET",
    url,
    headers: { "accept-encoding": "identity" },
    timeoutMs: 300,
    ...more,
  });
}

Deno.test({
  name: "send() keeps backend connections alive: streamed uploads and reads reuse one socket",
  sanitizeResources: false, // the keep-alive pool holds the socket open on purpose
  sanitizeOps: false,
  async fn() {
    const ports: number[] = [];
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      async (req, info) => {
        ports.push(info.remoteAddr.port);
        await req.arrayBuffer();
        return new Response("<ok/>");
      },
    );
    try {
      const url = new URL(`http://127.0.0.1:${server.addr.port}/k`);
      for (let i = 0; i < 3; i++) {
        const body = { kind: "stream" as const, stream: new Blob(["abc"]).stream(), length: 3 };
        await release(
          await send({ method: "PUT", url, headers: {}, body, timeoutMs: 5000 }),
        );
      }
      for (let i = 0; i < 3; i++) {
        await release(await send({ method: "GET", url, headers: {}, timeoutMs: 5000 }));
      }
      assert.equal(new Set(ports.slice(0, 3)).size, 1, `uploads: ${ports}`);
      assert.equal(new Set(ports.slice(3)).size, 1, `reads: ${ports}`);
    } finally {
      await server.shutdown();
    }
  },
});

Deno.test({
  name: "send() times out an answer whose head never comes",
  ...opts,
  async fn() {
    const s = rawServer(() => sleep(3000));
    try {
      await assert.rejects(get(s.url), isTimeout);
    } finally {
      await s.close();
    }
  },
});

Deno.test({
  name: "send() bounds the whole exchange, body included, unless streamBody on a 2xx",
  ...opts,
  async fn() {
    // 10 bytes of body, one every 100 ms: the whole body takes longer than the 300 ms deadline.
    const s = rawServer(async (conn) => {
      await conn.write(enc.encode("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n"));
      for (let i = 0; i < 10; i++) {
        await sleep(100);
        await conn.write(enc.encode("x"));
      }
    });
    try {
      const bounded = await get(s.url);
      await assert.rejects(new Response(bounded.body).text(), isTimeout);
      const streamed = await get(s.url, { streamBody: true });
      assert.equal(await new Response(streamed.body).text(), "x".repeat(10));
    } finally {
      await s.close();
    }
  },
});

Deno.test({
  name: "send() aborts on the client's signal, body included",
  ...opts,
  async fn() {
    const s = rawServer(async (conn) => {
      await conn.write(enc.encode("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nxx"));
      await sleep(2000);
    });
    try {
      const ac = new AbortController();
      const res = await get(s.url, { signal: ac.signal, streamBody: true });
      const reading = new Response(res.body).text();
      ac.abort(new Error("client gone"));
      await assert.rejects(reading);
      await assert.rejects(get(s.url, { signal: ac.signal }), /client gone/);
    } finally {
      await s.close();
    }
  },
});

Deno.test({
  name:
    "send() keeps its deadline under the client's signal: the head, a bounded body, a failure's",
  ...opts,
  async fn() {
    const silent = rawServer(() => sleep(3000));
    // 10 bytes of body, one every 100 ms: longer than the 300 ms deadline.
    const slowBody = (status: string) =>
      rawServer(async (conn) => {
        await conn.write(enc.encode(`HTTP/1.1 ${status}\r\ncontent-length: 10\r\n\r\n`));
        for (let i = 0; i < 10; i++) {
          await sleep(100);
          await conn.write(enc.encode("x"));
        }
      });
    const ok = slowBody("200 OK");
    const missing = slowBody("404 Not Found");
    try {
      const signal = new AbortController().signal;
      await assert.rejects(get(silent.url, { signal }), isTimeout);
      await assert.rejects(get(silent.url, { signal, streamBody: true }), isTimeout);
      const bounded = await get(ok.url, { signal });
      await assert.rejects(new Response(bounded.body).text(), isTimeout);
      const failure = await get(missing.url, { signal, streamBody: true });
      assert.equal(failure.status, 404);
      await assert.rejects(new Response(failure.body).text(), isTimeout);
      const streamed = await get(ok.url, { signal, streamBody: true });
      assert.equal(await new Response(streamed.body).text(), "x".repeat(10));
    } finally {
      await Promise.all([silent.close(), ok.close(), missing.close()]);
    }
  },
});

Deno.test({
  name:
    "send() lets a timed-out exchange go at its deadline, though the client's signal never aborts",
  ...opts,
  async fn() {
    // Under no-legacy-abort (deno.json) a request's signal aborts only when its client goes away,
    // so a stalled backend's connection must be closed by the deadline itself.
    const closed: number[] = [];
    const s = rawServer(async (conn) => {
      // Waits for the client to close the connection (a read of null or a reset).
      await conn.read(new Uint8Array(16)).catch(() => null);
      closed.push(performance.now());
    });
    try {
      const signal = new AbortController().signal;
      await assert.rejects(get(s.url, { signal }), isTimeout);
      await assert.rejects(get(s.url, { signal, streamBody: true }), isTimeout);
      for (let i = 0; i < 50 && closed.length < 2; i++) await sleep(20);
      assert.equal(closed.length, 2, "both stalled connections closed");
    } finally {
      await s.close();
    }
  },
});

Deno.test({
  name: "send() asks for identity and never decodes a gzip body",
  ...opts,
  async fn() {
    const gz = gzipSync(enc.encode("hello hello hello"));
    const s = rawServer(async (conn) => {
      await conn.write(enc.encode(
        `HTTP/1.1 200 OK\r\ncontent-encoding: gzip\r\ncontent-length: ${gz.length}\r\n\r\n`,
      ));
      await conn.write(gz);
    });
    try {
      const res = await get(s.url);
      const got = new Uint8Array(await new Response(res.body).arrayBuffer());
      assert.deepEqual(got, new Uint8Array(gz));
      assert.match(s.heads[0]!, /accept-encoding: identity/i);
    } finally {
      await s.close();
    }
  },
});

Deno.test({
  name: "send() hears an early 403 and stops sending the upload",
  ...opts,
  async fn() {
    const s = rawServer(async (conn) => {
      await conn.write(enc.encode("HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n"));
      await sleep(200);
    });
    try {
      let pulled = 0;
      const length = 64 * 1024 * 1024;
      const stream = new ReadableStream<Uint8Array>({
        async pull(c) {
          await sleep(5);
          pulled += 1024 * 1024;
          c.enqueue(new Uint8Array(1024 * 1024));
        },
      });
      const res = await send({
        method: "PUT",
        url: s.url,
        headers: {},
        body: { kind: "stream", stream, length },
        timeoutMs: 5000,
      });
      assert.equal(res.status, 403);
      await res.body?.cancel();
      assert.ok(pulled < length, `the whole body was read: ${pulled}`);
    } finally {
      await s.close();
    }
  },
});

Deno.test({
  name: "send() cuts an upload whose client went idle with RequestTimeout",
  ...opts,
  async fn() {
    const s = rawServer(() => sleep(3000));
    try {
      const ac = new AbortController();
      bindIdleWatchdog(ac.signal, createIdleWatchdog({ timeoutMs: 200 }));
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(new Uint8Array(10));
        },
      });
      await assert.rejects(
        send({
          method: "PUT",
          url: s.url,
          headers: {},
          body: { kind: "stream", stream, length: 100 },
          timeoutMs: 5000,
          signal: ac.signal,
        }),
        (e: unknown) => e instanceof ProxyStreamError && e.proxy.kind === "RequestTimeout",
      );
    } finally {
      await s.close();
    }
  },
});

Deno.test({
  name: "send() fails an upload longer than its length with InvalidRequest",
  ...opts,
  async fn() {
    const s = rawServer(() => sleep(1000));
    try {
      await assert.rejects(
        send({
          method: "PUT",
          url: s.url,
          headers: {},
          body: { kind: "stream", stream: new Blob(["abcdef"]).stream(), length: 3 },
          timeoutMs: 5000,
        }),
        (e: unknown) => e instanceof ProxyStreamError && e.proxy.kind === "InvalidRequest",
      );
    } finally {
      await s.close();
    }
  },
});

Deno.test({
  name: "send() through backendRequest: a refused connection is BackendError, a timeout too",
  ...opts,
  async fn() {
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = l.addr.port;
    l.close();
    const req = {
      method: "GET",
      url: new URL(`http://127.0.0.1:${port}/b/k`),
      headers: {},
      timeoutMs: 300,
    };
    const refused = await backendRequest(req, { transport: send, sleep: () => Promise.resolve() });
    assert.equal(!refused.ok && refused.error.kind, "BackendError");
    const s = rawServer(() => sleep(3000));
    try {
      const late = await backendRequest({ ...req, url: s.url }, { transport: send });
      assert.ok(!late.ok && late.error.kind === "BackendError");
      assert.ok(isTimeout(late.error.detail), String(late.error.detail));
      assert.equal(s.heads.length, 1, "a timed-out read is not retried");
    } finally {
      await s.close();
    }
  },
});

Deno.test({
  name: "send() errors a body cut short of its Content-Length",
  ...opts,
  async fn() {
    const s = rawServer(async (conn) => {
      await conn.write(enc.encode("HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\nxx"));
    });
    try {
      const res = await get(s.url, { streamBody: true, timeoutMs: 3000 });
      await assert.rejects(new Response(res.body).arrayBuffer());
    } finally {
      await s.close();
    }
  },
});

Deno.test({
  name:
    "send()'s deadline holds after a gap between requests (its sweep timer lingers, then stops)",
  ...opts,
  async fn() {
    const quick = rawServer(async (conn) => {
      await conn.write(enc.encode("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"));
    });
    const stalled = rawServer(() => sleep(3000));
    try {
      // A timeout of its own: a watchdog (sweeping every 60 ms) no other test shares.
      const timeoutMs = 240;
      // No gap (the timer still runs), then gaps past one and several sweeps (it stopped).
      for (const gap of [0, 100, 400]) {
        await release(await get(quick.url, { timeoutMs }));
        await sleep(gap);
        const began = Date.now();
        await assert.rejects(get(stalled.url, { timeoutMs }), isTimeout, `gap ${gap}`);
        const took = Date.now() - began;
        assert.ok(took >= timeoutMs && took < timeoutMs + 500, `gap ${gap}: ${took} ms`);
      }
    } finally {
      await quick.close();
      await stalled.close();
    }
  },
});
