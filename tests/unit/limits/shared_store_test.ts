import assert from "node:assert/strict";
import {
  createSharedCounters,
  createSharedStore,
  KEY_BYTES,
  SharedTable,
} from "../../../src/limits/shared_store.ts";
import { storeSuite } from "./_store_cases.ts";

storeSuite("the shared store passes the store cases (two handles on one buffer)", () => {
  const sab = createSharedCounters(1024);
  return Promise.resolve({
    a: createSharedStore(sab),
    b: createSharedStore(sab),
    close: () => Promise.resolve(),
  });
});

Deno.test("SharedTable probes past collisions, reuses expired slots, and never refuses when full", () => {
  const t = new SharedTable(createSharedCounters(4));
  for (const [i, k] of ["a", "b", "c", "d"].entries()) t.set(k, i + 1, 100, 0);
  assert.deepEqual(["a", "b", "c", "d"].map((k) => t.get(k, 0)), [1, 2, 3, 4]);
  t.set("e", 9, 100, 0);
  assert.equal(t.get("e", 0), 0, "full: nothing stored, nothing refused");
  t.set("x", 5, 300, 0);
  assert.equal(t.get("x", 0), 0);
  t.set("e", 9, 300, 100);
  assert.equal(t.get("e", 100), 9, "an expired slot is reused");
  assert.equal(t.rows("", 100).length, 1);
  assert.equal(t.delete("e"), true);
  assert.equal(t.delete("e"), false);
  t.set("k".repeat(KEY_BYTES + 1), 1, 100, 0);
  assert.equal(t.get("k".repeat(KEY_BYTES + 1), 0), 0, "a key over KEY_BYTES is not stored");
  assert.throws(() => new SharedTable(new SharedArrayBuffer(10)), /not a shared counter table/);
});

Deno.test("two workers on one shared buffer keep one count, not two (3 rounds)", async () => {
  for (let round = 0; round < 3; round++) {
    const sab = createSharedCounters(1024);
    const now = Date.UTC(2026, 11, 7) + round;
    const workers = [0, 1].map(() =>
      new Worker(new URL("./_shared_worker.ts", import.meta.url), { type: "module" })
    );
    try {
      const passed = await Promise.all(workers.map((w) =>
        new Promise<number>((resolve, reject) => {
          w.onmessage = (e) => resolve(e.data as number);
          w.onerror = (e) => reject(e);
          w.postMessage({ sab, n: 20_000, now });
        })
      ));
      assert.equal(passed[0]! + passed[1]!, 300, `round ${round}: ${passed}`);
      const rows = new SharedTable(sab).rows("bucketgate:quota:", now);
      assert.deepEqual(rows.map((r) => r.value), [40_000, 300], "no update lost");
    } finally {
      for (const w of workers) w.terminate();
    }
  }
});
