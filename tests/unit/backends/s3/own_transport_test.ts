/**
 * What every backend `Transport` keeps, pinned on both: `send` (fetch and
 * node:http, http.ts) and `ownSend` (src/transport, own_transport.ts):
 * deadlines, aborts, identity encoding, early answers, the idle cut, the
 * mapping of failures, and (own client only) a small body in hand.
 */
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { send, type SendRequest, type Transport } from "../../../../src/backends/s3/http.ts";
import { ownSend } from "../../../../src/backends/s3/own_transport.ts";
import { backendRequest } from "../../../../src/backends/retry.ts";
import { ProxyStreamError } from "../../../../src/errors.ts";
import { bindIdleWatchdog, createIdleWatchdog } from "../../../../src/streams/idle.ts";
import { closeQuietly, tcpServer } from "../../../_support/tcp.ts";

const TRANSPORTS: readonly (readonly [string, Transport])[] = [
  ["send", send],
  ["ownSend", ownSend],
];

const enc = new TextEncoder();
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const isTimeout = (e: unknown) => e instanceof DOMException && e.name === "TimeoutError";

/** A raw server: reads one request head, then runs `answer` on the connection. */
function rawServer(answer: (conn: Deno.Conn, head: string) => Promise<void>) {
  const heads: string[] = [];
  const server = tcpServer(async (conn) => {
    const buf = new Uint8Array(65536);
    let text = "";
    try {
      while (!text.includes("\r\n\r\n")) {
        const n = await conn.read(buf);
        if (n === null) return;
        text += new TextDecoder().decode(buf.subarray(0, n));
      }
      const head = text.slice(0, text.indexOf("\r\n\r\n"));
      heads.push(head);
      await answer(conn, head);
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

/** Sends through `t` with defaults. */
function get(t: Transport, url: URL, more: Partial<SendRequest> = {}) {
  return t({
    method: "GET",
    url,
    headers: { "accept-encoding": "identity" },
    timeoutMs: 300,
    ...more,
  });
}

for (const [name, transport] of TRANSPORTS) {
  Deno.test({
    name: `${name}() times out an answer whose head never comes`,
    ...opts,
    async fn() {
      const s = rawServer(() => sleep(3000));
      try {
        await assert.rejects(get(transport, s.url), isTimeout);
      } finally {
        await s.close();
      }
    },
  });

  Deno.test({
    name: `${name}() bounds the whole exchange, body included, unless streamBody on a 2xx`,
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
        const bounded = await get(transport, s.url);
        await assert.rejects(new Response(bounded.body).text(), isTimeout);
        const streamed = await get(transport, s.url, { streamBody: true });
        assert.equal(await new Response(streamed.body).text(), "x".repeat(10));
      } finally {
        await s.close();
      }
    },
  });

  Deno.test({
    name: `${name}() aborts on the client's signal, body included`,
    ...opts,
    async fn() {
      const s = rawServer(async (conn) => {
        await conn.write(enc.encode("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nxx"));
        await sleep(2000);
      });
      try {
        const ac = new AbortController();
        const res = await get(transport, s.url, { signal: ac.signal, streamBody: true });
        const reading = new Response(res.body).text();
        ac.abort(new Error("client gone"));
        await assert.rejects(reading);
        await assert.rejects(get(transport, s.url, { signal: ac.signal }), /client gone/);
      } finally {
        await s.close();
      }
    },
  });

  Deno.test({
    name: `${name}() asks for identity and never decodes a gzip body`,
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
        const res = await get(transport, s.url);
        const got = new Uint8Array(await new Response(res.bytes ?? res.body).arrayBuffer());
        assert.deepEqual(got, new Uint8Array(gz));
        assert.match(s.heads[0]!, /accept-encoding: identity/i);
      } finally {
        await s.close();
      }
    },
  });

  Deno.test({
    name: `${name}() hears an early 403 and stops sending the upload`,
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
        const res = await transport({
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
    name: `${name}() cuts an upload whose client went idle with RequestTimeout`,
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
          transport({
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
    name: `${name}() fails an upload longer than its length with InvalidRequest`,
    ...opts,
    async fn() {
      const s = rawServer(() => sleep(1000));
      try {
        await assert.rejects(
          transport({
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
    name: `${name}() through backendRequest: a refused connection is BackendError, a timeout too`,
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
      const refused = await backendRequest(req, { transport, sleep: () => Promise.resolve() });
      assert.equal(!refused.ok && refused.error.kind, "BackendError");
      const s = rawServer(() => sleep(3000));
      try {
        const late = await backendRequest({ ...req, url: s.url }, { transport });
        assert.ok(!late.ok && late.error.kind === "BackendError");
        assert.ok(isTimeout(late.error.detail), String(late.error.detail));
        assert.equal(s.heads.length, 1, "a timed-out read is not retried");
      } finally {
        await s.close();
      }
    },
  });

  Deno.test({
    name: `${name}() errors a body cut short of its Content-Length`,
    ...opts,
    async fn() {
      const s = rawServer(async (conn) => {
        await conn.write(enc.encode("HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\nxx"));
      });
      try {
        const res = await get(transport, s.url, { streamBody: true, timeoutMs: 3000 });
        await assert.rejects(new Response(res.body).arrayBuffer());
      } finally {
        await s.close();
      }
    },
  });
}

Deno.test({
  name: "ownSend() hands a small body over in hand as `bytes`",
  ...opts,
  async fn() {
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      () => new Response("a".repeat(1024)),
    );
    try {
      const url = new URL(`http://127.0.0.1:${server.addr.port}/b/k`);
      const res = await get(ownSend, url, { streamBody: true });
      assert.equal(res.bytes?.length, 1024);
      assert.equal(new TextDecoder().decode(res.bytes), "a".repeat(1024));
    } finally {
      await server.shutdown();
    }
  },
});
