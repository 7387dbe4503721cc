/**
 * The limiter's cost per request in process (issue 29: at most 3 µs): a
 * download under a request rate and two quotas (requests a day, bytes out a
 * month): admitted, its size checked and reserved, its bytes counted, on the
 * local store and on the shared store of `--workers`; the Redis store's one
 * awaited round trip for the same (EVALSHA, the reservation pipelined after
 * it, on a private redis-server when one is installed). Run with
 * `deno task bench:micro`.
 */
import { fixedClock } from "../src/clock.ts";
import { createLimiter } from "../src/limits/limiter.ts";
import { createLocalStore } from "../src/limits/local_store.ts";
import type { Rules } from "../src/limits/plan.ts";
import { createRedisStore } from "../src/limits/redis/store.ts";
import { createSharedCounters, createSharedStore } from "../src/limits/shared_store.ts";
import type { CounterStore } from "../src/limits/store.ts";
import { startRedis } from "../tests/_support/redis.ts";
import { onPath } from "../tests/_support/tools.ts";

const AK = "AKIDAAAAAAAAAAAAAAAA";
const rules: Rules = {
  limits: [{ name: "r", match: { accessKeyId: AK }, requestsPerSecond: 1e9, burst: 1e9 }],
  quotas: [{ name: "r", match: { accessKeyId: AK }, requestsPerDay: 1e12, bytesOutPerMonth: 1e15 }],
};
const caller = { anonymous: false, accessKeyId: AK, sourceIp: "10.0.0.1", bucket: "data" };
const clock = fixedClock(Date.UTC(2026, 11, 7));
const limiterOn = (store: CounterStore) =>
  createLimiter({ rules: () => rules, store, clock, sleep: () => Promise.resolve() });
/** One download of 1 KiB through `limiter`: admitted, checked on its size, counted. */
const download = async (limiter: ReturnType<typeof limiterOn>) => {
  const r = await limiter.admit(caller, 0);
  if (!r.ok || !r.value.checkOut(1024).ok) throw new Error("refused");
  r.value.done(0, 1024);
};

const none = createLimiter({
  rules: () => ({ limits: [], quotas: [] }),
  store: createLocalStore(),
  clock,
  sleep: () => Promise.resolve(),
});
Deno.bench("limiter: no rules (the cost every gateway pays)", async () => {
  if (!(await none.admit(caller, 0)).ok) throw new Error("refused");
});

const local = limiterOn(createLocalStore());
Deno.bench(
  "limiter: a download under a rate and two quotas, local store",
  async () => await download(local),
);

const shared = limiterOn(createSharedStore(createSharedCounters()));
Deno.bench(
  "limiter: a download under a rate and two quotas, shared store (--workers)",
  async () => await download(shared),
);

if (await onPath("redis-server")) {
  const server = await startRedis();
  const store = await createRedisStore({
    kind: "redis",
    host: "127.0.0.1",
    port: server.port,
    db: 0,
  });
  const redis = limiterOn(store);
  Deno.bench(
    "limiter: a download under a rate and two quotas, Redis store (one awaited round trip)",
    async () => await download(redis),
  );
  globalThis.addEventListener("unload", () => void server.stop());
}
