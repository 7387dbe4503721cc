/**
 * The cases every counter store passes (local, shared across workers, Redis):
 * cells.ts's arithmetic through the store's own interface, and one count
 * across two handles on the same counters under concurrent callers.
 */
import assert from "node:assert/strict";
import type { CounterStore } from "../../../src/limits/store.ts";

// A day ahead of the real clock: Redis expires keys by its own clock (PEXPIREAT), so a fixed past
// time would find the counters gone.
const T0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 + 86_400_000;

/** Two handles on one set of counters (two instances, two workers), closed by `close`. */
export interface StorePair {
  readonly a: CounterStore;
  readonly b: CounterStore;
  close(): Promise<void>;
}

/** The cases, as named functions over a fresh pair each. */
export const STORE_CASES: Record<string, (p: StorePair) => Promise<void>> = {
  async "rates: the burst, then refusals that count, with the wait"({ a }) {
    const r = { key: "bucketgate:rate:req:key:K", perUnitMs: 200, burst: 3, cost: 1 };
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(await a.admit([r], [], T0), { ok: true, used: [] });
    }
    const over = await a.admit([r], [], T0);
    assert.ok(!over.ok && over.by === "rate" && over.index === 0);
    assert.ok(Math.abs(over.retryAfterMs - 200) <= 1, `${over.retryAfterMs}`);
    assert.ok(!(await a.admit([r], [], T0 + 200)).ok, "the refusal counted");
    assert.ok((await a.admit([r], [], T0 + 600)).ok);
  },
  async "quotas: checked on the estimate, counted when admitted, read and reset"({ a }) {
    const q = (estimate: number, count: number) => ({
      key: "bucketgate:quota:key:K:requests:day:20261207",
      limit: 2,
      estimate,
      count,
      endsMs: T0 + 3_600_000,
    });
    assert.ok((await a.admit([], [q(1, 1)], T0)).ok);
    assert.ok((await a.admit([], [q(1, 1)], T0)).ok);
    const over = await a.admit([], [q(1, 1)], T0);
    assert.deepEqual(over, { ok: false, by: "quota", index: 0, retryAfterMs: 3_600_000 });
    a.add([{
      key: "bucketgate:quota:key:K:bytes_out:day:20261207",
      amount: 500,
      endsMs: T0 + 3_600_000,
    }], T0);
    await a.admit([], [], T0); // after the add (a pipelined store keeps order)
    assert.deepEqual(await a.read("bucketgate:quota:key:K:", T0), [
      { key: "bucketgate:quota:key:K:bytes_out:day:20261207", value: 500 },
      { key: "bucketgate:quota:key:K:requests:day:20261207", value: 2 },
    ]);
    assert.deepEqual(
      await a.get([
        "bucketgate:quota:key:K:requests:day:20261207",
        "bucketgate:quota:key:K:absent:day:20261207",
        "bucketgate:quota:key:K:bytes_out:day:20261207",
      ], T0),
      [2, 0, 500],
      "get() reads given keys, 0 for an absent one",
    );
    assert.deepEqual(await a.get([], T0), []);
    assert.equal(await a.reset("bucketgate:quota:key:K:requests:day:20261207"), true);
    assert.equal(await a.reset("bucketgate:quota:key:K:requests:day:20261207"), false);
    assert.ok((await a.admit([], [q(2, 0)], T0)).ok, "reset: the window starts over");
  },
  async "an admission answers each quota counter's use, with what it counted; adds may be negative"(
    { a },
  ) {
    const endsMs = T0 + 3_600_000;
    const bytes = { key: "bucketgate:quota:key:U:bytes_out:day:1", limit: 1000, endsMs };
    const requests = { key: "bucketgate:quota:key:U:requests:day:1", limit: 9, endsMs };
    a.add([{ key: bytes.key, amount: 700, endsMs }], T0);
    const check = [{ ...requests, estimate: 1, count: 1 }, { ...bytes, estimate: 0, count: 0 }];
    assert.deepEqual(await a.admit([], check, T0), { ok: true, used: [1, 700] });
    a.add([{ key: bytes.key, amount: -200, endsMs }], T0);
    assert.deepEqual(await a.admit([], check, T0), { ok: true, used: [2, 500] });
    assert.deepEqual(await a.admit([], [], T0), { ok: true, used: [] });
  },
  async "reserve: the wait for bytes beyond the burst"({ a }) {
    const r = { key: "bucketgate:rate:out:bucket:b", perUnitMs: 1, burst: 100, cost: 100 };
    assert.equal(await a.reserve(r, T0), 0);
    assert.equal(await a.reserve(r, T0), 100);
    assert.equal(await a.reserve(r, T0 + 100), 100);
  },
  async "one count across two handles, 400 concurrent requests over 4 rounds"({ a, b }) {
    for (let round = 0; round < 4; round++) {
      const r = { key: `bucketgate:rate:req:bucket:r${round}`, perUnitMs: 1e6, burst: 25, cost: 1 };
      const q = {
        key: `bucketgate:quota:bucket:r${round}:requests:day:1`,
        limit: 1e9,
        estimate: 1,
        count: 1,
        endsMs: T0 + 1e7,
      };
      const answers = await Promise.all(
        Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).admit([r], [q], T0)),
      );
      assert.equal(answers.filter((x) => x.ok).length, 25, `round ${round}: one burst, not two`);
      const rows = await b.read(q.key, T0);
      assert.deepEqual(rows.map((x) => x.value), [25], "only the admitted ones counted");
    }
  },
};

/** Registers the cases as steps of one test over `make` (a fresh pair per case). */
export function storeSuite(name: string, make: () => Promise<StorePair>, ignore?: string): void {
  Deno.test({
    name: ignore ? `${name} (skipped: ${ignore})` : name,
    ignore: ignore !== undefined,
    async fn(t) {
      for (const [title, fn] of Object.entries(STORE_CASES)) {
        await t.step(title, async () => {
          const pair = await make();
          try {
            await fn(pair);
          } finally {
            await pair.close();
          }
        });
      }
    },
  });
}
