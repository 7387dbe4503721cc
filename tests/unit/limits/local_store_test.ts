import assert from "node:assert/strict";
import { storeSuite } from "./_store_cases.ts";
import { createLocalStore, MapTable } from "../../../src/limits/local_store.ts";

Deno.test("the local store reads live counters by prefix, resets one, and sweeps expired ones", async () => {
  const table = new MapTable();
  const store = createLocalStore(table);
  store.add([{ key: "bucketgate:quota:b", amount: 5, endsMs: 100 }], 0);
  store.add([{ key: "bucketgate:quota:a", amount: 7, endsMs: 200 }], 0);
  store.add([{ key: "bucketgate:rate:x", amount: 1, endsMs: 200 }], 0);
  assert.deepEqual(await store.read("bucketgate:quota:", 50), [
    { key: "bucketgate:quota:a", value: 7 },
    { key: "bucketgate:quota:b", value: 5 },
  ]);
  assert.deepEqual(await store.read("bucketgate:quota:", 150), [{
    key: "bucketgate:quota:a",
    value: 7,
  }]);
  assert.equal(await store.reset("bucketgate:quota:a"), true);
  assert.equal(await store.reset("bucketgate:quota:a"), false);
  table.sweep(150);
  assert.equal(table.delete("bucketgate:quota:b"), false, "swept");
  assert.deepEqual(store.health(), { ok: true });
});

storeSuite("the local store passes the store cases (two handles on one table)", () => {
  const table = new MapTable();
  const a = createLocalStore(table);
  return Promise.resolve({ a, b: createLocalStore(table), close: () => Promise.resolve() });
});
