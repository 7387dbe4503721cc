import assert from "node:assert/strict";
import { Connection } from "../../../src/transport/connection.ts";
import { FakeConn, settle } from "./_fake_conn.ts";

const text = (b: Uint8Array, n: number) => new TextDecoder().decode(b.subarray(0, n));

Deno.test("Connection: Nagle is off, the head buffer is its size (16 KiB by default)", () => {
  const fake = new FakeConn();
  assert.equal(new Connection(fake.asConn()).headBuffer.length, 16384);
  assert.equal(new Connection(fake.asConn(), { headBufferBytes: 100 }).headBuffer.length, 100);
  assert.equal(fake.noDelay, 2);
});

Deno.test("Connection.write() writes every byte, however little each socket write takes", async () => {
  const fake = new FakeConn();
  fake.writeLimit = 3;
  await new Connection(fake.asConn()).write(new TextEncoder().encode("GET / HTTP/1.1"));
  assert.equal(fake.text(), "GET / HTTP/1.1");
  assert.deepEqual(fake.writes.map((w) => w.length), [3, 3, 3, 3, 2]);
});

Deno.test("Connection.watchIdle(): a server that closes an idle connection is seen at once", async () => {
  const fake = new FakeConn();
  const conn = new Connection(fake.asConn());
  let ended = 0;
  conn.watchIdle(() => ended++);
  await settle();
  assert.equal(ended, 0);
  fake.end();
  await settle();
  assert.equal(ended, 1);
  assert.equal(conn.takeIdleRead(), undefined); // nothing left to take over
});

Deno.test("Connection.takeIdleRead(): the idle read becomes the response's first bytes, not an end", async () => {
  const fake = new FakeConn();
  const conn = new Connection(fake.asConn(), { headBufferBytes: 64 });
  let ended = 0;
  conn.watchIdle(() => ended++);
  const first = conn.takeIdleRead();
  assert.ok(first);
  assert.equal(conn.takeIdleRead(), undefined);
  fake.push("HTTP/1.1 200 OK\r\n");
  const n = await first;
  assert.equal(text(conn.headBuffer, n!), "HTTP/1.1 200 OK\r\n");
  await settle();
  assert.equal(ended, 0);
});

Deno.test("Connection.close() closes the socket once; reads after it reject", async () => {
  const fake = new FakeConn();
  const conn = new Connection(fake.asConn());
  conn.watchIdle(() => {});
  assert.equal(conn.closed, false);
  conn.close();
  conn.close();
  assert.equal(conn.closed, true);
  assert.equal(fake.closes, 1);
  await assert.rejects(conn.read(new Uint8Array(4)), Deno.errors.BadResource);
});
