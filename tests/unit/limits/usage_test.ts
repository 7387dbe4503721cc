import assert from "node:assert/strict";
import type { QuotaRule } from "../../../src/config/types.ts";
import { createLocalStore } from "../../../src/limits/local_store.ts";
import type { CounterStore } from "../../../src/limits/store.ts";
import { quotaUsage } from "../../../src/limits/usage.ts";

const NOW = Date.UTC(2026, 11, 7, 20, 0);
const AK = "AKIDAAAAAAAAAAAAAAAA";
const RULES: QuotaRule[] = [
  { name: "key-daily", match: { accessKeyId: AK }, bytesOutPerDay: 1000, requestsPerMonth: 50 },
  { name: "quotas[1]:bucket:data", match: { bucket: "data" }, bytesInPerMonth: 10 },
];

Deno.test("quotaUsage(): every amount of every quota rule with its count in the current window, in one read", async () => {
  const store = createLocalStore();
  const day = Date.UTC(2026, 11, 8), month = Date.UTC(2027, 0, 1);
  store.add([
    { key: `bucketgate:quota:key:${AK}:bytes_out:day:20261207`, amount: 600, endsMs: day },
    { key: `bucketgate:quota:key:${AK}:bytes_out:day:20261206`, amount: 99, endsMs: day },
    { key: `bucketgate:quota:key:${AK}:requests:month:202612`, amount: 7, endsMs: month },
  ], NOW);
  let reads = 0;
  const counted: CounterStore = { ...store, get: (keys, now) => (reads++, store.get(keys, now)) };
  assert.deepEqual(await quotaUsage(RULES, counted, NOW), [
    {
      rule: "key-daily",
      subject: `key:${AK}`,
      metric: "requests",
      window: "month",
      used: 7,
      limit: 50,
      resetsMs: month,
    },
    {
      rule: "key-daily",
      subject: `key:${AK}`,
      metric: "bytes_out",
      window: "day",
      used: 600,
      limit: 1000,
      resetsMs: day,
    },
    {
      rule: "quotas[1]:bucket:data",
      subject: "bucket:data",
      metric: "bytes_in",
      window: "month",
      used: 0,
      limit: 10,
      resetsMs: month,
    },
  ]);
  assert.equal(reads, 1, "one read for the whole page");
  assert.deepEqual(await quotaUsage([], counted, NOW), []);
  assert.equal(reads, 1, "no quotas, no read");
});
