/// <reference lib="deno.worker" />
/** A worker for shared_store_test.ts: admits `n` requests on the shared table, answers how many passed. */
import { createSharedStore } from "../../../src/limits/shared_store.ts";

self.onmessage = async (e: MessageEvent<{ sab: SharedArrayBuffer; n: number; now: number }>) => {
  const store = createSharedStore(e.data.sab);
  const r = { key: "bucketgate:rate:req:bucket:w", perUnitMs: 1e9, burst: 300, cost: 1 };
  const q = {
    key: "bucketgate:quota:bucket:w:requests:day:1",
    limit: 1e9,
    estimate: 1,
    count: 1,
    endsMs: e.data.now + 1e7,
  };
  let passed = 0;
  const add = [{ key: "bucketgate:quota:bucket:w:bytes_out:day:1", amount: 1, endsMs: q.endsMs }];
  for (let i = 0; i < e.data.n; i++) {
    if ((await store.admit([r], [q], e.data.now)).ok) passed++;
    store.add(add, e.data.now);
  }
  self.postMessage(passed);
};
