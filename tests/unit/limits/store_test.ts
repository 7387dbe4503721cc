import assert from "node:assert/strict";
import { createLocalStore } from "../../../src/limits/local_store.ts";
import { type CounterStore, withFallback } from "../../../src/limits/store.ts";

/** A primary that fails while `down` is set. */
function flaky(): CounterStore & { down: boolean; calls: number } {
  const inner = createLocalStore();
  const s = {
    down: false,
    calls: 0,
    guard<T>(f: () => Promise<T>): Promise<T> {
      s.calls++;
      return s.down ? Promise.reject(new Error("connection refused")) : f();
    },
    admit: (r, q, n) => s.guard(() => inner.admit(r, q, n)),
    add: (a, n) => inner.add(a, n),
    reserve: (r, n) => s.guard(() => inner.reserve(r, n)),
    read: (p, n) => s.guard(() => inner.read(p, n)),
    reset: (k) => s.guard(() => inner.reset(k)),
    health: () => ({ ok: true }),
    close: () => Promise.resolve(),
  } as CounterStore & { down: boolean; calls: number; guard<T>(f: () => Promise<T>): Promise<T> };
  return s;
}

Deno.test("withFallback() counts locally while the primary is down, logs it once, reports it, recovers", async () => {
  const primary = flaky();
  const logs: string[] = [];
  let now = 1000;
  const store = withFallback(primary, createLocalStore(), (m) => logs.push(m), { now: () => now });
  const r = { key: "k", perUnitMs: 1e6, burst: 2, cost: 1 };
  assert.ok((await store.admit([r], [], 0)).ok);
  primary.down = true;
  assert.ok((await store.admit([r], [], 0)).ok, "not refused for the store's sake");
  assert.ok((await store.admit([r], [], 0)).ok, "the local counter starts over");
  assert.ok(!(await store.admit([r], [], 0)).ok, "…and enforces its limit");
  assert.equal(primary.calls, 2, "the down primary is not asked again within retryMs");
  assert.equal(logs.length, 1);
  assert.match(logs[0]!, /unreachable \(connection refused\): counting locally/);
  assert.deepEqual(store.health().ok, false);
  assert.match(store.health().detail!, /since 1970-01-01T00:00:01.000Z/);
  primary.down = false;
  now += 1000;
  assert.ok((await store.admit([r], [], 0)).ok, "back on the primary: its counter (1 of 2)…");
  assert.ok(!(await store.admit([r], [], 0)).ok, "…is full now");
  assert.deepEqual(store.health(), { ok: true });
  assert.deepEqual(logs.slice(1), ["limits_store reachable again: counting there"]);
});
