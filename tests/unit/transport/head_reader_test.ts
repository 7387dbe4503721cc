import assert from "node:assert/strict";
import { isPeerGone, readFinalHead } from "../../../src/transport/head_reader.ts";
import { TransportError } from "../../../src/transport/transport_error.ts";
import { fakeConnection, withExchange } from "./_fake_conn.ts";

const dec = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("readFinalHead(): a head over several reads, parsed; the bytes after it are the body's start", async () => {
  const { fake, conn } = fakeConnection(1024);
  fake.push("HTTP/1.1 200 OK\r\nContent-");
  fake.push('Length: 5\r\nETag: "x"\r\n\r\nhel');
  await withExchange({}, async (ex) => {
    const { head, rest } = await readFinalHead(conn, ex, { limit: 4096 });
    assert.equal(head.status, 200);
    assert.equal(head.reason, "OK");
    assert.deepEqual(head.fields, [["content-length", "5"], ["etag", '"x"']]);
    assert.equal(dec(rest), "hel");
    assert.equal(ex.received, 52);
    conn.headBuffer.fill(0);
    assert.equal(dec(rest), "hel"); // a copy, not a view of the reused buffer
  });
});

Deno.test("readFinalHead(): interim heads (100, 103) are told and skipped, even in one read with the final", async () => {
  const { fake, conn } = fakeConnection(1024);
  fake.push("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n");
  fake.push("HTTP/1.1 204 No Content\r\n\r\n");
  const interim: number[] = [];
  await withExchange({}, async (ex) => {
    const { head, rest } = await readFinalHead(conn, ex, {
      limit: 4096,
      onInterim: (s) => void interim.push(s),
    });
    assert.equal(head.status, 204);
    assert.equal(rest.length, 0);
  });
  assert.deepEqual(interim, [100, 103]);
});

Deno.test("readFinalHead(): 101 Switching Protocols is refused (no upgrade is asked for)", async () => {
  const { fake, conn } = fakeConnection();
  fake.push("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n");
  await withExchange({}, async (ex) => {
    await assert.rejects(readFinalHead(conn, ex, { limit: 4096 }), {
      code: "MalformedResponse",
      message: "Cannot read the response: 101 Switching Protocols, and no upgrade was asked for",
    });
  });
});

Deno.test("readFinalHead(): the buffer grows for a large head up to the limit, never past it", async () => {
  const big = `HTTP/1.1 200 OK\r\nx-big: ${"a".repeat(3000)}\r\n\r\n`;
  const { fake, conn } = fakeConnection(1024);
  fake.push(big);
  await withExchange({}, async (ex) => {
    const { head } = await readFinalHead(conn, ex, { limit: 4096 });
    assert.equal(head.fields[0]?.[1].length, 3000);
  });
  const small = fakeConnection(1024);
  small.fake.push(big);
  await withExchange({}, async (ex) => {
    await assert.rejects(readFinalHead(small.conn, ex, { limit: 2048 }), {
      code: "HeadTooLarge",
      message: "Cannot read the response head: larger than 2048 bytes",
    });
  });
});

Deno.test("readFinalHead(): closed before any byte is ConnectionClosed; within the head, Truncated", async () => {
  const a = fakeConnection();
  a.fake.end();
  await withExchange({}, async (ex) => {
    await assert.rejects(readFinalHead(a.conn, ex, { limit: 4096 }), {
      code: "ConnectionClosed",
      message: "Cannot read the response: the connection closed before any byte of it",
    });
  });
  const b = fakeConnection();
  b.fake.push("HTTP/1.1 200 OK\r\nContent-Le");
  b.fake.end();
  await withExchange({}, async (ex) => {
    await assert.rejects(readFinalHead(b.conn, ex, { limit: 4096 }), {
      code: "Truncated",
      message: "Cannot read the response head: the connection closed within it",
    });
  });
});

Deno.test("readFinalHead(): a reset before any byte is ConnectionClosed with the I/O error as cause", async () => {
  const { fake, conn } = fakeConnection();
  const reset = new Deno.errors.ConnectionReset("Connection reset by peer (os error 104)");
  fake.fail(reset);
  await withExchange({}, async (ex) => {
    await assert.rejects(readFinalHead(conn, ex, { limit: 4096 }), (e: unknown) => {
      assert.ok(e instanceof TransportError);
      assert.equal(e.code, "ConnectionClosed");
      assert.equal(e.cause, reset);
      return true;
    });
  });
  const other = fakeConnection();
  other.fake.fail(new Deno.errors.PermissionDenied("no"));
  await withExchange({}, async (ex) => {
    await assert.rejects(
      readFinalHead(other.conn, ex, { limit: 4096 }),
      Deno.errors.PermissionDenied,
    );
  });
});

Deno.test("readFinalHead(): the idle read a pooled connection kept pending is taken over", async () => {
  const { fake, conn } = fakeConnection();
  let ended = false;
  conn.watchIdle(() => void (ended = true));
  await withExchange({}, async (ex) => {
    const reading = readFinalHead(conn, ex, { limit: 4096 });
    fake.push("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    assert.equal((await reading).head.status, 200);
  });
  assert.equal(ended, false);
});

Deno.test("isPeerGone(): reset, broken pipe, unexpected EOF and aborted; nothing else", () => {
  for (
    const E of [
      Deno.errors.ConnectionReset,
      Deno.errors.BrokenPipe,
      Deno.errors.UnexpectedEof,
      Deno.errors.ConnectionAborted,
    ]
  ) {
    assert.equal(isPeerGone(new E("gone")), true, E.name);
  }
  assert.equal(isPeerGone(new Deno.errors.TimedOut("slow")), false);
  assert.equal(isPeerGone(new Error("connection reset")), false);
  assert.equal(isPeerGone("reset"), false);
});
