import assert from "node:assert/strict";
import { fixedClock } from "../../../../src/clock.ts";
import { createLimiter } from "../../../../src/limits/limiter.ts";
import { meterResponse } from "../../../../src/limits/meter.ts";
import type { Rules } from "../../../../src/limits/plan.ts";
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

Deno.test({
  name: `two limiters sharing one Redis enforce one quota and one rate, not two${
    missing ? ` (skipped: ${missing})` : ""
  }`,
  ignore: missing !== undefined,
  async fn() {
    const server = await startRedis();
    const stores = [
      await createRedisStore(cfg(server.port)),
      await createRedisStore(cfg(server.port)),
    ];
    const AK = "AKIDAAAAAAAAAAAAAAAA";
    const rules: Rules = {
      limits: [{ name: "r", match: { accessKeyId: AK }, requestsPerSecond: 5, burst: 5 }],
      quotas: [{ name: "r", match: { accessKeyId: AK }, bytesOutPerDay: 1024 * 1024 }],
    };
    // Redis expires keys by its own clock, so the limiter's "now" is the real time.
    const clock = fixedClock(Date.now());
    const [a, b] = stores.map((store) =>
      createLimiter({ rules: () => rules, store, clock, sleep: () => Promise.resolve() })
    );
    const caller = { anonymous: false, accessKeyId: AK, sourceIp: "10.0.0.1" };
    try {
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 ? a! : b!).admit(caller, 0)),
      );
      assert.equal(answers.filter((x) => x.ok).length, 5, "one burst of 5 across both instances");
      clock.set(clock.now() + 3000); // the rate's debt (two bursts) paid
      const served: boolean[] = [];
      for (const [i, size] of [400_000, 400_000, 400_000].entries()) {
        const ticket = await (i % 2 ? a! : b!).admit(caller, 0);
        assert.ok(ticket.ok);
        const r = await meterResponse(
          ticket.value,
          new Response(new Uint8Array(size), { headers: { "content-length": String(size) } }),
          () => 0,
        );
        served.push(r.ok);
        if (r.ok) await r.value.arrayBuffer();
        // each connection's pipelined add has landed before a later command on it answers
        for (const s of stores) await s.read("bucketgate:", clock.now());
      }
      assert.deepEqual(served, [true, true, false], "the download that crosses 1 MiB is refused");
    } finally {
      for (const s of stores) await s.close();
      await server.stop();
    }
  },
});
