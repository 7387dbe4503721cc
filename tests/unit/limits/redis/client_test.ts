import assert from "node:assert/strict";
import { RedisClient } from "../../../../src/limits/redis/client.ts";
import { RedisReplyError } from "../../../../src/limits/redis/resp.ts";
import { freePort } from "../../../_support/ports.ts";
import { missingRedis, startRedis } from "../../../_support/redis.ts";
import { tcpServer } from "../../../_support/tcp.ts";

const missing = await missingRedis();
const cfg = (port: number) => ({ kind: "redis" as const, host: "127.0.0.1", port, db: 0 });

Deno.test({
  name: `RedisClient pipelines, answers errors as values, and reconnects after a restart${
    missing ? ` (skipped: ${missing})` : ""
  }`,
  ignore: missing !== undefined,
  async fn() {
    let server = await startRedis();
    let now = 0;
    const client = new RedisClient(cfg(server.port), { retryMs: 1000, now: () => now });
    try {
      const replies = await client.pipeline([["SET", "a", "1"], ["INCRBY", "a", 41], ["GET", "a"], [
        "HGET",
        "a",
        "x",
      ]]);
      assert.deepEqual(replies.slice(0, 3), ["OK", 42, "42"]);
      assert.ok(replies[3] instanceof RedisReplyError && /WRONGTYPE/.test(replies[3].message));
      const many = await Promise.all(
        Array.from({ length: 200 }, (_, i) => client.command("ECHO", i)),
      );
      assert.deepEqual(many, Array.from({ length: 200 }, (_, i) => String(i)), "replies in order");
      const port = server.port;
      await server.stop();
      await assert.rejects(client.command("PING"));
      await assert.rejects(client.command("PING"), /not retried yet/, "no reconnect storm");
      server = await startRedis(port);
      now += 1000;
      assert.equal(await client.command("PING"), "PONG");
    } finally {
      await client.close();
      await server.stop();
    }
  },
});

Deno.test("RedisClient rejects at once when nothing listens, and times out a silent server", async () => {
  const none = new RedisClient(cfg(freePort()));
  await assert.rejects(none.command("PING"));
  await none.close();
  const silent = tcpServer(async (conn) => {
    await conn.readable.pipeTo(new WritableStream()).catch(() => {});
  });
  const client = new RedisClient(cfg(silent.port), { timeoutMs: 100 });
  const t0 = performance.now();
  await assert.rejects(client.command("PING"), /no reply within 100 ms/);
  assert.ok(performance.now() - t0 < 1000);
  await client.close();
  await silent.close();
});

Deno.test("RedisClient fails a pipeline stuck in its write without an unhandled rejection", async () => {
  const stuck: Deno.Conn[] = [];
  const deaf = tcpServer((conn) => {
    stuck.push(conn); // accepted, never read: the client's write fills the socket and waits
    return new Promise(() => {});
  });
  const client = new RedisClient(cfg(deaf.port), { timeoutMs: 100 });
  const big = "x".repeat(1024 * 1024);
  try {
    const pending = [
      client.pipeline(Array.from({ length: 64 }, () => ["SET", "k", big])),
      client.command("PING"),
    ];
    for (const p of pending) await assert.rejects(p, /no reply within 100 ms|closed|reset|broken/i);
  } finally {
    await client.close();
    for (const c of stuck) c.close();
    await deaf.close();
  }
});
