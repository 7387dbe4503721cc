/**
 * src/transport against servers written here byte for byte (where the raw
 * bytes are the point: a server that cuts a body short, closes a reused
 * socket, answers 100 Continue or early, never answers, or sends a head
 * that breaks HTTP/1.1).
 */
import assert from "node:assert/strict";
import { withTransport } from "../_support/transport.ts";
import { TransportError } from "../../src/transport/mod.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** One accepted socket, read on demand. */
class Peer {
  readonly conn: Deno.Conn;
  #rest = new Uint8Array(0);
  constructor(conn: Deno.Conn) {
    this.conn = conn;
  }

  async #more(): Promise<boolean> {
    const buf = new Uint8Array(65536);
    const n = await this.conn.read(buf).catch(() => null);
    if (n === null) return false;
    const joined = new Uint8Array(this.#rest.length + n);
    joined.set(this.#rest);
    joined.set(buf.subarray(0, n), this.#rest.length);
    this.#rest = joined;
    return true;
  }

  /** The next request head (text up to the blank line), or null at the end. */
  async head(): Promise<string | null> {
    for (;;) {
      const at = dec.decode(this.#rest).indexOf("\r\n\r\n");
      if (at >= 0) {
        const head = dec.decode(this.#rest.subarray(0, at + 4));
        this.#rest = this.#rest.subarray(at + 4);
        return head;
      }
      if (!await this.#more()) return null;
    }
  }

  /** Exactly `n` body bytes (fewer if the connection ended). */
  async body(n: number): Promise<Uint8Array> {
    while (this.#rest.length < n) if (!await this.#more()) break;
    const out = this.#rest.slice(0, n);
    this.#rest = this.#rest.subarray(Math.min(n, this.#rest.length));
    return out;
  }

  /** Body bytes read so far, counted without keeping them. */
  async drain(n: number): Promise<number> {
    let got = 0;
    while (got < n) {
      if (this.#rest.length === 0 && !await this.#more()) break;
      const take = Math.min(this.#rest.length, n - got);
      got += take;
      this.#rest = this.#rest.subarray(take);
    }
    return got;
  }

  async send(s: string | Uint8Array): Promise<void> {
    const bytes = typeof s === "string" ? enc.encode(s) : s;
    for (let at = 0; at < bytes.length;) at += await this.conn.write(bytes.subarray(at));
  }

  close(): void {
    try {
      this.conn.close();
    } catch { /* closed */ }
  }
}

/** A server on 127.0.0.1 that runs `serve` for each accepted socket (its index from 0). */
function rawServer(serve: (peer: Peer, index: number) => Promise<void>) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const peers: Peer[] = [];
  const running: Promise<void>[] = [];
  (async () => {
    for await (const conn of listener) {
      const peer = new Peer(conn);
      peers.push(peer);
      running.push(serve(peer, peers.length - 1).catch(() => {}).finally(() => peer.close()));
    }
  })().catch(() => {});
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    /** Sockets accepted so far. */
    get accepted() {
      return peers.length;
    },
    async close() {
      listener.close();
      for (const p of peers) p.close();
      await Promise.all(running);
    },
  };
}

const OK = (body: string, extra = "") =>
  `HTTP/1.1 200 OK\r\ncontent-length: ${enc.encode(body).length}\r\n${extra}\r\n${body}`;

function transportError(code: string, pattern?: RegExp) {
  return (e: unknown) =>
    e instanceof TransportError && e.code === code && (!pattern || pattern.test(e.message));
}

async function text(body: ReadableStream<Uint8Array> | null): Promise<string> {
  return body ? await new Response(body).text() : "";
}

Deno.test("transport: one socket carries request after request (keep-alive), heads as sent", async () => {
  const heads: string[] = [];
  const server = rawServer(async (peer) => {
    for (let h = await peer.head(); h !== null; h = await peer.head()) {
      heads.push(h);
      await peer.send(OK("hello"));
    }
  });
  await withTransport({}, async (t) => {
    for (let i = 0; i < 5; i++) {
      const r = await t.request({ method: "GET", url: `${server.url}/b/k?i=${i}` });
      assert.equal(r.status, 200);
      assert.equal(dec.decode(r.bytes), "hello");
    }
    assert.equal(server.accepted, 1);
    assert.equal(Object.values(t.stats())[0]!.opened, 1);
  });
  assert.equal(
    heads[0],
    `GET /b/k?i=0 HTTP/1.1\r\nhost: ${
      new URL(server.url).host
    }\r\naccept-encoding: identity\r\n\r\n`,
  );
  await server.close();
});

Deno.test("transport: a streamed body goes out with Content-Length, never chunked", async () => {
  let head = "";
  let got = 0;
  const server = rawServer(async (peer) => {
    head = (await peer.head())!;
    got = await peer.drain(300_000);
    await peer.send(OK("stored"));
  });
  await withTransport({}, async (t) => {
    const chunk = new Uint8Array(100_000).fill(7);
    const stream = ReadableStream.from([chunk, chunk, chunk]);
    const r = await t.request({
      method: "PUT",
      url: `${server.url}/b/k`,
      body: { stream, length: 300_000 },
    });
    assert.equal(dec.decode(r.bytes), "stored");
  });
  assert.match(head, /\r\ncontent-length: 300000\r\n/);
  assert.doesNotMatch(head, /transfer-encoding/i);
  assert.equal(got, 300_000);
  await server.close();
});

Deno.test("transport: a stream longer or shorter than its length fails, and the socket is dropped", async () => {
  const server = rawServer(async (peer) => {
    await peer.head();
    await peer.drain(1 << 20);
  });
  await withTransport({}, async (t) => {
    for (const [parts, pattern] of [[[5, 6], /more than its 10 bytes/], [[4], /fewer/]] as const) {
      await assert.rejects(
        t.request({
          method: "PUT",
          url: `${server.url}/k`,
          body: { stream: ReadableStream.from(parts.map((n) => new Uint8Array(n))), length: 10 },
        }),
        transportError("BodyLengthMismatch", pattern),
      );
    }
    assert.equal(Object.values(t.stats())[0]!.open, 0);
  });
  await server.close();
});

Deno.test("transport: a body cut short by the server is an error (Content-Length and chunked)", async () => {
  const server = rawServer(async (peer, i) => {
    await peer.head();
    await peer.send(
      i === 0
        ? "HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n" + "x".repeat(70_000)
        : "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n",
    );
  });
  await withTransport({}, async (t) => {
    const a = await t.request({ method: "GET", url: `${server.url}/a` });
    assert.equal(a.bytes, undefined);
    await assert.rejects(text(a.body), transportError("Truncated", /30000 bytes before its end/));
    const b = await t.request({ method: "GET", url: `${server.url}/b` });
    await assert.rejects(text(b.body), transportError("Truncated", /before its last chunk/));
    assert.equal(Object.values(t.stats())[0]!.open, 0);
  });
  await server.close();
});

Deno.test("transport: chunked and close-delimited bodies are read whole; the first keeps its socket", async () => {
  const server = rawServer(async (peer, i) => {
    if (i === 0) {
      await peer.head();
      await peer.send("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n");
      await new Promise((r) => setTimeout(r, 20));
      await peer.send("4;ext=1\r\ndefg\r\n0\r\ntrailer: x\r\n\r\n");
      await peer.head();
      await peer.send("HTTP/1.1 200 OK\r\n\r\nuntil the end");
    } else throw new Error("a second socket");
  });
  await withTransport({}, async (t) => {
    const a = await t.request({ method: "GET", url: `${server.url}/a` });
    assert.equal(await text(a.body), "abcdefg");
    const b = await t.request({ method: "GET", url: `${server.url}/b` });
    assert.equal(await text(b.body), "until the end");
    assert.equal(server.accepted, 1);
    assert.deepEqual(Object.values(t.stats())[0]!.open, 0, "close-delimited: not reused");
  });
  await server.close();
});

Deno.test("transport: a reused socket the server closed is retried once on a fresh one (GET)", async () => {
  const server = rawServer(async (peer, i) => {
    await peer.head();
    await peer.send(OK(`socket ${i}`));
    if (i === 0) {
      // Takes the next request and closes without an answer (a keep-alive timeout race).
      await peer.head();
      peer.close();
      return;
    }
    for (let h = await peer.head(); h !== null; h = await peer.head()) await peer.send(OK("again"));
  });
  await withTransport({}, async (t) => {
    assert.equal(
      dec.decode((await t.request({ method: "GET", url: server.url + "/" })).bytes),
      "socket 0",
    );
    const r = await t.request({ method: "GET", url: server.url + "/" });
    assert.equal(dec.decode(r.bytes), "socket 1");
    assert.equal(server.accepted, 2);
  });
  await server.close();
});

Deno.test("transport: a non-idempotent request sent on a socket the server then closed is not retried", async () => {
  const server = rawServer(async (peer, i) => {
    await peer.head();
    await peer.send(OK(`socket ${i}`));
    await peer.head();
    peer.close();
  });
  await withTransport({}, async (t) => {
    await t.request({ method: "GET", url: server.url + "/" });
    await assert.rejects(
      t.request({ method: "POST", url: server.url + "/?uploads", body: new Uint8Array(3) }),
      transportError("ConnectionClosed"),
    );
    assert.equal(server.accepted, 1);
  });
  await server.close();
});

Deno.test("transport: a server closing an idle socket is seen before reuse: no request is lost", async () => {
  const server = rawServer(async (peer, i) => {
    await peer.head();
    await peer.send(OK(`socket ${i}`));
    if (i === 0) peer.close(); // closes while idle, without Connection: close
    else {for (let h = await peer.head(); h !== null; h = await peer.head()) {
        await peer.send(OK("x"));
      }}
  });
  await withTransport({}, async (t) => {
    await t.request({ method: "GET", url: server.url + "/" });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(Object.values(t.stats())[0]!.idle, 0, "dropped from the pool when it closed");
    const r = await t.request({ method: "POST", url: server.url + "/", body: new Uint8Array(1) });
    assert.equal(dec.decode(r.bytes), "socket 1");
  });
  await server.close();
});

Deno.test("transport: Expect: 100-continue waits for the 100, then sends the body", async () => {
  const order: string[] = [];
  const server = rawServer(async (peer) => {
    await peer.head();
    order.push("head");
    // Nothing of the body may come before the 100.
    let early = false;
    const body = peer.body(5).then((b) => {
      early = order.length === 1;
      return b;
    });
    await new Promise((r) => setTimeout(r, 300));
    order.push(`body before the 100: ${early}`);
    await peer.send("HTTP/1.1 100 Continue\r\n\r\n");
    order.push(`body: ${dec.decode(await body)}`);
    await peer.send(OK("done"));
  });
  await withTransport({ continueTimeoutMs: 5000 }, async (t) => {
    const r = await t.request({
      method: "PUT",
      url: server.url + "/k",
      headers: { expect: "100-continue" },
      body: { stream: ReadableStream.from([enc.encode("hello")]), length: 5 },
    });
    assert.equal(r.status, 200);
    assert.equal(dec.decode(r.bytes), "done");
  });
  assert.deepEqual(order, ["head", "body before the 100: false", "body: hello"]);
  await server.close();
});

Deno.test("transport: a final answer instead of 100 Continue: the body is never read or sent", async () => {
  let pulled = false;
  const server = rawServer(async (peer) => {
    await peer.head();
    await peer.send(OK("no", "connection: close\r\n"));
  });
  await withTransport({ continueTimeoutMs: 5000 }, async (t) => {
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled = true;
        c.enqueue(new Uint8Array(5));
        c.close();
      },
    }, { highWaterMark: 0 });
    const r = await t.request({
      method: "PUT",
      url: server.url + "/k",
      headers: { Expect: "100-continue" },
      body: { stream, length: 5 },
    });
    assert.equal(dec.decode(r.bytes), "no");
  });
  assert.equal(pulled, false);
  await server.close();
});

Deno.test("transport: 1xx answers (103 Early Hints) are skipped; 101 is refused", async () => {
  const server = rawServer(async (peer, i) => {
    await peer.head();
    await peer.send(
      i === 0
        ? "HTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\n" + OK("final")
        : "HTTP/1.1 101 Switching Protocols\r\nupgrade: h2c\r\n\r\n",
    );
    await peer.head();
  });
  await withTransport({}, async (t) => {
    const r = await t.request({ method: "GET", url: server.url + "/" });
    assert.equal(r.status, 200);
    assert.equal(dec.decode(r.bytes), "final");
    await assert.rejects(
      t.request({ method: "GET", url: server.url.replace("127.0.0.1", "localhost") + "/" }),
      transportError("MalformedResponse", /101/),
    );
  });
  await server.close();
});

Deno.test("transport: a head over the limit and a malformed head are errors, the socket closed", async () => {
  const server = rawServer(async (peer, i) => {
    await peer.head();
    if (i === 0) await peer.send(`HTTP/1.1 200 OK\r\nx-big: ${"a".repeat(70_000)}\r\n\r\n`);
    else await peer.send("HTTP/1.1 200 OK\r\ncontent-length: 1\r\n folded\r\n\r\nx");
  });
  await withTransport({}, async (t) => {
    await assert.rejects(
      t.request({ method: "GET", url: server.url + "/" }),
      transportError("HeadTooLarge", /larger than 65536 bytes/),
    );
    await assert.rejects(
      t.request({ method: "GET", url: server.url + "/" }),
      transportError("MalformedResponse", /obs-fold/),
    );
    assert.equal(Object.values(t.stats())[0]!.open, 0);
  });
  await server.close();
});

Deno.test("transport: HEAD, 204 and 304 have no body, and their socket is reused", async () => {
  const server = rawServer(async (peer) => {
    const answers = [
      "HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n",
      "HTTP/1.1 204 No Content\r\n\r\n",
      "HTTP/1.1 304 Not Modified\r\ncontent-length: 1000\r\n\r\n",
      OK("after"),
    ];
    for (const a of answers) {
      await peer.head();
      await peer.send(a);
    }
  });
  await withTransport({}, async (t) => {
    const head = await t.request({ method: "HEAD", url: server.url + "/" });
    assert.equal(head.body, null);
    assert.equal(head.headers.get("content-length"), "1000");
    assert.equal((await t.request({ method: "DELETE", url: server.url + "/" })).body, null);
    assert.equal((await t.request({ method: "GET", url: server.url + "/" })).status, 304);
    assert.equal(
      dec.decode((await t.request({ method: "GET", url: server.url + "/" })).bytes),
      "after",
    );
    assert.equal(server.accepted, 1);
  });
  await server.close();
});

Deno.test("transport: a server that never answers times out (TimeoutError), the socket closed", async () => {
  const server = rawServer(async (peer) => {
    await peer.head();
    await new Promise((r) => setTimeout(r, 800));
  });
  await withTransport({ tickMs: 20 }, async (t) => {
    const started = Date.now();
    await assert.rejects(
      t.request({ method: "GET", url: server.url + "/", timeoutMs: 200 }),
      (e) => e instanceof DOMException && e.name === "TimeoutError",
    );
    const took = Date.now() - started;
    assert.ok(took >= 200 && took < 1000, `took ${took} ms`);
    assert.equal(Object.values(t.stats())[0]!.open, 0);
  });
  await server.close();
});

Deno.test("transport: a stalled body times out; the caller's slow reading does not", async () => {
  const server = rawServer(async (peer) => {
    await peer.head();
    await peer.send("HTTP/1.1 200 OK\r\ncontent-length: 200000\r\n\r\n" + "a".repeat(100_000));
    await new Promise((r) => setTimeout(r, 600));
    await peer.send("a".repeat(50_000)); // then stalls
    await new Promise((r) => setTimeout(r, 800));
  });
  await withTransport({ tickMs: 20 }, async (t) => {
    const r = await t.request({ method: "GET", url: server.url + "/", timeoutMs: 300 });
    const reader = r.body!.getReader();
    let got = 0;
    got += (await reader.read()).value!.length;
    await new Promise((ok) => setTimeout(ok, 500)); // the caller is slow: no timeout for that
    await assert.rejects(
      (async () => {
        for (let c = await reader.read(); !c.done; c = await reader.read()) got += c.value.length;
      })(),
      (e) => e instanceof DOMException && e.name === "TimeoutError",
    );
    assert.equal(got, 150_000);
  });
  await server.close();
});

Deno.test("transport: abort before the answer rejects with the signal's reason", async () => {
  const server = rawServer(async (peer) => {
    await peer.head();
    await new Promise((r) => setTimeout(r, 1000));
  });
  await withTransport({}, async (t) => {
    const ac = new AbortController();
    const p = t.request({ method: "GET", url: server.url + "/", signal: ac.signal });
    setTimeout(() => ac.abort(new Error("client gone")), 50);
    await assert.rejects(p, /client gone/);
    await assert.rejects(
      t.request({
        method: "GET",
        url: server.url + "/",
        signal: AbortSignal.abort(new Error("early")),
      }),
      /early/,
    );
    assert.equal(Object.values(t.stats())[0]!.open, 0);
  });
  await server.close();
});

Deno.test("transport: requests beyond maxSocketsPerOrigin wait their turn; none is lost", async () => {
  let busy = 0;
  let peak = 0;
  const server = rawServer(async (peer) => {
    for (let h = await peer.head(); h !== null; h = await peer.head()) {
      peak = Math.max(peak, ++busy);
      await new Promise((r) => setTimeout(r, 10));
      busy--;
      await peer.send(OK(h.split(" ")[1]!));
    }
  });
  await withTransport({ maxSocketsPerOrigin: 2 }, async (t) => {
    const answers = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const r = await t.request({ method: "GET", url: `${server.url}/${i}` });
        return dec.decode(r.bytes);
      }),
    );
    assert.deepEqual(answers, Array.from({ length: 12 }, (_, i) => `/${i}`));
    assert.equal(server.accepted, 2);
    assert.equal(peak, 2);
  });
  await server.close();
});

Deno.test("transport: an early final answer stops a streamed upload; the caller's stream is cancelled", async () => {
  let cancelled = false;
  const server = rawServer(async (peer) => {
    await peer.head();
    await peer.drain(10_000);
    await peer.send(OK("too large", "connection: close\r\n"));
    await new Promise((r) => setTimeout(r, 200));
  });
  await withTransport({}, async (t) => {
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      async pull(c) {
        await new Promise((r) => setTimeout(r, 5));
        sent += 10_000;
        c.enqueue(new Uint8Array(10_000));
      },
      cancel() {
        cancelled = true;
      },
    }, { highWaterMark: 0 });
    const r = await t.request({
      method: "PUT",
      url: server.url + "/k",
      body: { stream, length: 100 << 20 },
    });
    assert.equal(dec.decode(r.bytes), "too large");
    await new Promise((ok) => setTimeout(ok, 50));
    assert.ok(sent < 1 << 20, `${sent} bytes pulled`);
  });
  assert.equal(cancelled, true);
  await server.close();
});
