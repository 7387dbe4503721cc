import assert from "node:assert/strict";
import { Exchange } from "../../../src/transport/exchange.ts";
import { type Connector, type Endpoint, OriginPool } from "../../../src/transport/pool.ts";
import { Sweeper } from "../../../src/transport/sweeper.ts";
import { FakeConn, keepingAlive, settle } from "./_fake_conn.ts";

const ORIGIN: Endpoint = { hostname: "127.0.0.1", port: 9000, tls: false };

/** A pool whose connector makes FakeConns (or fails with `connectError`). */
function setup(o: { maxSockets?: number; idleTimeoutMs?: number; connectError?: Error } = {}) {
  const sweeper = new Sweeper(5);
  const made: FakeConn[] = [];
  const asked: Endpoint[] = [];
  const connect: Connector = (e) => {
    asked.push(e);
    if (o.connectError) return Promise.reject(o.connectError);
    const f = new FakeConn();
    made.push(f);
    return Promise.resolve(f.asConn());
  };
  const pool = new OriginPool(ORIGIN, {
    connect,
    sweeper,
    maxSockets: o.maxSockets ?? 4,
    idleTimeoutMs: o.idleTimeoutMs ?? 10_000,
    headBufferBytes: 512,
  });
  const exchanges: Exchange[] = [];
  const ex = (timeoutMs = 10_000) => {
    const e = new Exchange({ sweeper, timeoutMs });
    exchanges.push(e);
    return e;
  };
  const done = () => {
    pool.close();
    for (const e of exchanges) e.end();
    sweeper.close();
  };
  return { pool, made, asked, ex, done };
}

Deno.test("OriginPool: a connection is opened to its endpoint, kept when released reusable, and reused", async () => {
  const t = setup();
  try {
    const c = await t.pool.acquire(t.ex(), false);
    assert.deepEqual(t.asked, [ORIGIN]);
    assert.equal(c.headBuffer.length, 512);
    assert.deepEqual(t.pool.stats(), { open: 1, idle: 0, waiting: 0, opened: 1 });
    t.pool.release(c, true);
    assert.deepEqual(t.pool.stats(), { open: 1, idle: 1, waiting: 0, opened: 1 });
    assert.equal(await t.pool.acquire(t.ex(), false), c);
    assert.equal(t.made.length, 1);
  } finally {
    t.done();
  }
});

Deno.test("OriginPool: idle connections are reused most recent first; fresh skips them", async () => {
  const t = setup();
  try {
    const a = await t.pool.acquire(t.ex(), false);
    const b = await t.pool.acquire(t.ex(), false);
    t.pool.release(a, true);
    t.pool.release(b, true);
    assert.equal(await t.pool.acquire(t.ex(), false), b);
    const fresh = await t.pool.acquire(t.ex(), true);
    assert.notEqual(fresh, a);
    assert.equal(t.pool.stats().opened, 3);
  } finally {
    t.done();
  }
});

Deno.test("OriginPool: a connection released unreusable is closed and its slot freed", async () => {
  const t = setup();
  try {
    const c = await t.pool.acquire(t.ex(), false);
    t.pool.release(c, false);
    assert.equal(c.closed, true);
    assert.equal(t.made[0]!.closes, 1);
    assert.deepEqual(t.pool.stats(), { open: 0, idle: 0, waiting: 0, opened: 1 });
  } finally {
    t.done();
  }
});

Deno.test("OriginPool: beyond maxSockets requests wait in order for a connection or a freed slot", async () => {
  const t = setup({ maxSockets: 1 });
  try {
    const c = await t.pool.acquire(t.ex(), false);
    const order: string[] = [];
    const second = t.pool.acquire(t.ex(), false).then((x) => (order.push("second"), x));
    const third = t.pool.acquire(t.ex(), false).then((x) => (order.push("third"), x));
    await settle();
    assert.equal(t.pool.stats().waiting, 2);
    t.pool.release(c, true);
    assert.equal(await second, c); // handed over, not put idle
    t.pool.release(c, false); // closed: its slot goes to the third, which connects
    const other = await third;
    assert.notEqual(other, c);
    assert.deepEqual(order, ["second", "third"]);
    assert.deepEqual(t.pool.stats(), { open: 1, idle: 0, waiting: 0, opened: 2 });
  } finally {
    t.done();
  }
});

Deno.test("OriginPool: a request that times out while queued leaves; the slot goes to the next", async () => {
  const t = setup({ maxSockets: 1 });
  try {
    const c = await t.pool.acquire(t.ex(), false);
    const late = t.pool.acquire(t.ex(20), false);
    await assert.rejects(keepingAlive(() => late), { name: "TimeoutError" });
    const next = t.pool.acquire(t.ex(), false);
    t.pool.release(c, true);
    assert.equal(await next, c);
    assert.equal(t.pool.stats().waiting, 0);
  } finally {
    t.done();
  }
});

Deno.test("OriginPool: an idle connection the server closes is dropped before any reuse", async () => {
  const t = setup();
  try {
    const c = await t.pool.acquire(t.ex(), false);
    t.pool.release(c, true);
    t.made[0]!.end();
    await settle();
    assert.equal(c.closed, true);
    assert.deepEqual(t.pool.stats(), { open: 0, idle: 0, waiting: 0, opened: 1 });
    assert.notEqual(await t.pool.acquire(t.ex(), false), c);
  } finally {
    t.done();
  }
});

Deno.test("OriginPool: a connection idle longer than idleTimeoutMs is closed", async () => {
  const t = setup({ idleTimeoutMs: 15 });
  try {
    const c = await t.pool.acquire(t.ex(), false);
    t.pool.release(c, true);
    await settle(60);
    assert.equal(c.closed, true);
    assert.equal(t.pool.stats().idle, 0);
  } finally {
    t.done();
  }
});

Deno.test("OriginPool: a failed connect frees its slot; a closed pool refuses requests", async () => {
  const t = setup({ maxSockets: 1, connectError: new Deno.errors.ConnectionRefused("refused") });
  try {
    await assert.rejects(t.pool.acquire(t.ex(), false), Deno.errors.ConnectionRefused);
    assert.equal(t.pool.stats().open, 0);
  } finally {
    t.done();
  }
  const u = setup();
  try {
    const c = await u.pool.acquire(u.ex(), false);
    u.pool.release(c, true);
    u.pool.close();
    assert.equal(c.closed, true);
    await assert.rejects(u.pool.acquire(u.ex(), false), {
      name: "TypeError",
      message: "Cannot send a request: the transport is closed",
    });
  } finally {
    u.done();
  }
});
