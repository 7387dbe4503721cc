import assert from "node:assert/strict";
import { type Attempt, attempt, type Prepared } from "../../../src/transport/attempt.ts";
import type { Connection } from "../../../src/transport/connection.ts";
import { Exchange } from "../../../src/transport/exchange.ts";
import { OriginPool } from "../../../src/transport/pool.ts";
import { serializeRequestHead } from "../../../src/transport/request_head.ts";
import { Sweeper } from "../../../src/transport/sweeper.ts";
import { TransportError } from "../../../src/transport/transport_error.ts";
import type { StreamBody } from "../../../src/transport/body_writer.ts";
import { complete, FakeConn, readText, serve } from "./_fake_conn.ts";

const LIMITS = { maxHeadBytes: 4096, continueTimeoutMs: 5000, readBytes: 1 << 20 };

function prepared(
  method: string,
  body?: Uint8Array | StreamBody,
  headers: Record<string, string> = {},
): Prepared {
  return {
    method,
    head: serializeRequestHead({
      method,
      target: "/b/k",
      host: "store:9000",
      headers,
      contentLength: body?.length,
    }),
    body,
    expect: headers["expect"] === "100-continue",
  };
}

/** Runs `fn` with one attempt's parts over a FakeConn, all closed after. */
async function withAttempt(
  req: Prepared,
  fn: (a: Attempt, fake: FakeConn, pool: OriginPool) => Promise<void>,
): Promise<void> {
  const sweeper = new Sweeper(5);
  const fake = new FakeConn();
  const pool = new OriginPool({ hostname: "store", port: 9000, tls: false }, {
    connect: () => Promise.resolve(fake.asConn()),
    sweeper,
    maxSockets: 1,
    idleTimeoutMs: 10_000,
    headBufferBytes: 1024,
  });
  const ex = new Exchange({ sweeper, timeoutMs: 10_000 });
  try {
    const conn: Connection = await pool.acquire(ex, false);
    await fn({ pool, conn, ex, req, touched: { body: false }, limits: LIMITS }, fake, pool);
  } finally {
    ex.end();
    pool.close();
    sweeper.close();
  }
}

const enc = (s: string) => new TextEncoder().encode(s);

Deno.test("attempt(): a small body goes out in the head's write; a body in hand releases the connection", async () => {
  await withAttempt(prepared("PUT", enc("hello")), async (a, fake, pool) => {
    serve(
      fake,
      (r) => complete(r, 5) ? "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" : undefined,
    );
    const res = await attempt(a);
    assert.equal(fake.writes.length, 1);
    assert.match(fake.text(), /^PUT \/b\/k HTTP\/1\.1\r\n[^]*content-length: 5\r\n\r\nhello$/i);
    assert.equal(res.status, 200);
    assert.equal(new TextDecoder().decode(res.bytes), "ok");
    assert.equal(await readText(res.body), "ok");
    assert.equal(pool.stats().idle, 1);
    assert.equal(a.ex.sent, fake.writes[0]!.length);
  });
});

Deno.test("attempt(): a body over 64 KiB is its own write after the head", async () => {
  const big = new Uint8Array(70_000).fill(0x61);
  await withAttempt(prepared("PUT", big), async (a, fake) => {
    serve(
      fake,
      (r) => complete(r, big.length) ? "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" : undefined,
    );
    const res = await attempt(a);
    assert.equal(res.status, 200);
    assert.equal(fake.writes.length, 2);
    assert.equal(fake.writes[1]!.length, 70_000);
  });
});

Deno.test("attempt(): a body not in hand is streamed; the connection comes back once it is read", async () => {
  await withAttempt(prepared("GET"), async (a, fake, pool) => {
    serve(
      fake,
      (r) => complete(r) ? "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello" : undefined,
    );
    const res = await attempt(a);
    assert.equal(res.bytes, undefined);
    assert.equal(res.headers.get("content-length"), "10");
    assert.equal(pool.stats().idle, 0);
    setTimeout(() => fake.push("world"), 5);
    assert.equal(await readText(res.body), "helloworld");
    assert.equal(pool.stats().idle, 1);
  });
});

Deno.test("attempt(): Expect: 100-continue sends the body only after the 100", async () => {
  const req = prepared("PUT", enc("body"), { expect: "100-continue" });
  await withAttempt(req, async (a, fake) => {
    let sawHeadAlone = false;
    serve(fake, (r) => {
      if (complete(r) && !complete(r, 1)) {
        sawHeadAlone = true;
        setTimeout(() => fake.push("HTTP/1.1 100 Continue\r\n\r\n"), 5);
        return undefined;
      }
      return complete(r, 4) ? "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" : undefined;
    });
    const res = await attempt(a);
    assert.equal(res.status, 200);
    assert.ok(sawHeadAlone);
    assert.equal(fake.writes.length, 2);
    assert.equal(new TextDecoder().decode(fake.writes[1]), "body");
  });
});

Deno.test("attempt(): a final answer instead of 100 Continue: the body is not sent, the connection not kept", async () => {
  const req = prepared("PUT", enc("body"), { expect: "100-continue" });
  await withAttempt(req, async (a, fake, pool) => {
    serve(
      fake,
      (r) => complete(r) ? "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n" : undefined,
    );
    const res = await attempt(a);
    assert.equal(res.status, 403);
    assert.equal(fake.writes.length, 1);
    assert.equal(pool.stats().idle, 0);
    assert.equal(fake.closed, true);
  });
});

Deno.test("attempt(): a head write to a server gone is ConnectionClosed; the connection is closed", async () => {
  await withAttempt(prepared("GET"), async (a, fake) => {
    fake.writeError = new Deno.errors.BrokenPipe("Broken pipe (os error 32)");
    await assert.rejects(attempt(a), (e: unknown) => {
      assert.ok(e instanceof TransportError);
      assert.equal(e.code, "ConnectionClosed");
      assert.equal(e.message, "Cannot send the request: the connection closed");
      return true;
    });
    assert.equal(fake.closed, true);
  });
});

Deno.test("attempt(): a stream body's first read marks it touched (it cannot be replayed)", async () => {
  const stream = new Blob(["abc"]).stream();
  await withAttempt(prepared("PUT", { stream, length: 3 }), async (a, fake) => {
    serve(fake, (r) => complete(r, 3) ? "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" : undefined);
    assert.equal((await attempt(a)).status, 200);
    assert.equal(a.touched.body, true);
    assert.match(fake.text(), /\r\n\r\nabc$/);
  });
});
