import assert from "node:assert/strict";
import { createAdminHandler } from "../../../src/admin/admin.ts";
import { limitsEndpoint, quotaUseOf } from "../../../src/admin/limits.ts";
import type { QuotaRule } from "../../../src/config/types.ts";
import { createMetrics } from "../../../src/admin/metrics.ts";
import { fixedClock } from "../../../src/clock.ts";
import { createLocalStore } from "../../../src/limits/local_store.ts";
import { type CounterStore, withFallback } from "../../../src/limits/store.ts";

const KEY = "bucketgate:quota:key:AKIDAAAAAAAAAAAAAAAA:bytes_out:day:20261207";

Deno.test("/limits reads counters by prefix and resets one, only under bucketgate:", async () => {
  const store = createLocalStore();
  const clock = fixedClock(1000);
  store.add([{ key: KEY, amount: 1024, endsMs: 9e12 }], 0);
  store.add([{ key: "bucketgate:rate:req:limits[0]:bucket:data", amount: 5, endsMs: 9e12 }], 0);
  const call = async (method: string, query: string) => {
    const res = await limitsEndpoint(
      new Request(`http://admin/limits${query}`, { method }),
      store,
      clock,
    );
    return [res.status, await res.json()] as const;
  };
  assert.deepEqual(await call("GET", "?prefix=bucketgate:quota:"), [200, {
    health: { ok: true },
    counters: [{ key: KEY, value: 1024 }],
  }]);
  assert.equal((await call("GET", ""))[1].counters.length, 2);
  assert.equal((await call("GET", "?prefix=other:"))[0], 400);
  assert.deepEqual(await call("DELETE", `?key=${encodeURIComponent(KEY)}`), [200, {
    key: KEY,
    reset: true,
  }]);
  assert.deepEqual(await call("DELETE", `?key=${encodeURIComponent(KEY)}`), [200, {
    key: KEY,
    reset: false,
  }]);
  assert.equal((await call("DELETE", "?key=somebody:else")).at(0), 400);
  assert.equal((await call("DELETE", "")).at(0), 400);
  assert.equal((await call("PUT", "")).at(0), 405);
});

Deno.test("/limits answers 503 when the store throws; /readyz reports counting locally", async () => {
  const broken: CounterStore = {
    ...createLocalStore(),
    read: () => Promise.reject(new Error("boom")),
    admit: () => Promise.reject(new Error("connection refused")),
  };
  const res = await limitsEndpoint(new Request("http://admin/limits"), broken, fixedClock(0));
  assert.equal(res.status, 503);
  assert.match((await res.json()).error, /boom/);
  const store = withFallback(broken, createLocalStore(), () => {});
  await store.admit([], [], 0);
  const handle = createAdminHandler({
    metrics: createMetrics(),
    backends: () => new Map(),
    inFlight: () => 0,
    limits: store,
  });
  const ready = await handle(new Request("http://admin/readyz"));
  assert.equal(ready.status, 200, "an unreachable store does not take the instance out");
  assert.match(
    await ready.text(),
    /^ready \(limits_store unreachable since .*: counting locally\)\n$/,
  );
  const del = await handle(new Request(`http://admin/limits?key=${KEY}`, { method: "DELETE" }));
  assert.equal(del.status, 200, "the admin handler routes /limits with its methods");
  await del.body?.cancel();
});

Deno.test("quotaUseOf(): the quotas of the config now serving, with their use and reset time, for the status page", async () => {
  const store = createLocalStore();
  const now = Date.UTC(2026, 11, 7, 20, 0);
  store.add([{
    key: "bucketgate:quota:bucket:data:requests:day:20261207",
    amount: 3,
    endsMs: Date.UTC(2026, 11, 8),
  }], now);
  let rules: QuotaRule[] = [{ name: "d", match: { bucket: "data" }, requestsPerDay: 10 }];
  const use = quotaUseOf(() => rules, store, fixedClock(now));
  assert.deepEqual(await use(), [{
    rule: "d",
    subject: "bucket:data",
    measure: "requests",
    window: "day",
    used: 3,
    limit: 10,
    resetsAt: "2026-12-08T00:00:00.000Z",
  }]);
  rules = [];
  assert.deepEqual(await use(), [], "read per view: a reload shows");
});
