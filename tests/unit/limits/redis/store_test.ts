import assert from "node:assert/strict";
import { RedisClient } from "../../../../src/limits/redis/client.ts";
import { createRedisStore } from "../../../../src/limits/redis/store.ts";
import { missingRedis, startRedis } from "../../../_support/redis.ts";
import { storeSuite } from "../_store_cases.ts";

const missing = await missingRedis();
const cfg = (port: number) => ({ kind: "redis" as const, host: "127.0.0.1", port, db: 0 });

storeSuite("the Redis store passes the store cases (two instances, one redis-server)", async () => {
  const server = await startRedis();
  const a = await createRedisStore(cfg(server.port));
  const b = await createRedisStore(cfg(server.port));
  return {
    a,
    b,
    async close() {
      await a.close();
      await b.close();
      await server.stop();
    },
  };
}, missing);

Deno.test({
  name: `the Redis store selects its db and documents its keys' expiry${
    missing ? ` (skipped: ${missing})` : ""
  }`,
  ignore: missing !== undefined,
  async fn() {
    const server = await startRedis();
    const store = await createRedisStore({ ...cfg(server.port), db: 3 });
    const other = await createRedisStore(cfg(server.port));
    try {
      const now = Date.now();
      const q = {
        key: "bucketgate:quota:key:K:requests:day:x",
        limit: 9,
        estimate: 1,
        count: 1,
        endsMs: now + 60_000,
      };
      assert.ok((await store.admit([], [q], now)).ok);
      assert.deepEqual(await other.read("bucketgate:", now), [], "db 0 holds nothing");
      assert.deepEqual(await store.read("bucketgate:", now), [{ key: q.key, value: 1 }]);
      const client = new RedisClient({ ...cfg(server.port), db: 3 });
      const ttl = Number(await client.command("PTTL", q.key));
      await client.close();
      assert.ok(
        ttl > 55_000 && ttl <= 60_000,
        `a quota counter expires when its window ends: ${ttl}`,
      );
    } finally {
      await store.close();
      await other.close();
      await server.stop();
    }
  },
});
