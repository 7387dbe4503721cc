import assert from "node:assert/strict";
import { openCounterStore } from "../../../src/limits/open_store.ts";
import { createSharedCounters, SharedTable } from "../../../src/limits/shared_store.ts";
import { freePort } from "../../_support/ports.ts";

const q = {
  key: "bucketgate:quota:bucket:b:requests:day:1",
  limit: 9,
  estimate: 1,
  count: 1,
  endsMs: 9e12,
};

Deno.test("openCounterStore() counts in the shared table when one is given", async () => {
  const sab = createSharedCounters(64);
  const store = await openCounterStore({ shared: sab, log: () => {} });
  assert.ok((await store.admit([], [q], 0)).ok);
  assert.equal(new SharedTable(sab).get(q.key, 0), 1);
  const own = await openCounterStore({ log: () => {} });
  assert.ok((await own.admit([], [q], 0)).ok);
  assert.equal(new SharedTable(sab).get(q.key, 0), 1, "a store without it is its own");
});

Deno.test("openCounterStore() with an unreachable Redis admits, counts locally and says so", async () => {
  const logs: string[] = [];
  const store = await openCounterStore({
    redis: { kind: "redis", host: "127.0.0.1", port: freePort(), db: 0 },
    log: (m) => logs.push(m),
  });
  for (let i = 0; i < 9; i++) assert.ok((await store.admit([], [q], 0)).ok);
  assert.ok(!(await store.admit([], [q], 0)).ok, "the local count still enforces the quota");
  assert.equal(logs.length, 1);
  assert.equal(store.health().ok, false);
  await store.close();
});
