import assert from "node:assert/strict";
import { fixedClock } from "../../../src/clock.ts";
import { type ProxyError, proxyError } from "../../../src/errors.ts";
import { createCredentialCache } from "../../../src/oidc/credential_cache.ts";
import { err, ok, type Result } from "../../../src/result.ts";

const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);
const HOUR = 3_600_000;

interface Cred {
  readonly id: number;
  readonly expiresAt: number;
}

/** An obtain() whose calls the test answers one by one. */
function scripted(clock: { now(): number }) {
  const pending: ((r: Result<Cred, ProxyError>) => void)[] = [];
  let calls = 0;
  return {
    obtain(_key: string): Promise<Result<Cred, ProxyError>> {
      calls++;
      return new Promise((resolve) => pending.push(resolve));
    },
    get calls(): number {
      return calls;
    },
    get waiting(): number {
      return pending.length;
    },
    /** Answers the oldest call with a credential valid for an hour, or a failure. */
    answer(outcome: "ok" | "fail" = "ok") {
      const resolve = pending.shift();
      assert.ok(resolve, "no exchange is waiting");
      resolve(
        outcome === "ok"
          ? ok({ id: calls, expiresAt: clock.now() + HOUR })
          : err(proxyError("BackendError", "no credentials", "STS Throttling: Rate exceeded")),
      );
    },
  };
}

/** Whether a promise settles within a few turns of the event loop (nothing waits on a timer here). */
async function settles<T>(p: Promise<T>): Promise<boolean> {
  let done = false;
  p.then(() => (done = true), () => (done = true));
  for (let i = 0; i < 10; i++) await Promise.resolve();
  return done;
}

/** Lets settled exchanges finish their bookkeeping (one macrotask turn). */
const flush = () => new Promise((r) => setTimeout(r, 0));

function setup() {
  const clock = fixedClock(T0);
  const sts = scripted(clock);
  const failures: number[] = [];
  const cache = createCredentialCache<Cred>({
    clock,
    obtain: (k) => sts.obtain(k),
    onFailure: (_k, _e, ms) => failures.push(ms),
  });
  return { clock, sts, cache, failures };
}

Deno.test("a fresh credential is served from the cache without an exchange", async () => {
  const { clock, sts, cache } = setup();
  const first = cache.get("role");
  sts.answer();
  assert.equal((await first).ok, true);
  for (const at of [0, 10 * 60_000, HOUR - 61_000]) {
    clock.set(T0 + at);
    const r = await cache.get("role");
    assert.ok(r.ok);
    assert.equal(r.value.id, 1);
  }
  assert.equal(sts.calls, 1);
});

Deno.test("a cold key with 200 concurrent callers makes one exchange; all get its result", async () => {
  const { sts, cache } = setup();
  const callers = Array.from({ length: 200 }, () => cache.get("role"));
  await Promise.resolve();
  assert.equal(sts.calls, 1);
  sts.answer();
  const results = await Promise.all(callers);
  assert.ok(results.every((r) => r.ok && r.value.id === 1));
  assert.equal(sts.calls, 1);
  // Keys are separate: another key makes its own single exchange.
  const other = [cache.get("other"), cache.get("other")];
  assert.equal(sts.calls, 2);
  sts.answer();
  await Promise.all(other);
});

Deno.test("60 s before expiry one renewal starts, and callers keep the old credential without waiting", async () => {
  const { clock, sts, cache } = setup();
  const first = cache.get("role");
  sts.answer();
  await first;
  clock.set(T0 + HOUR - 59_000);
  const during = Array.from({ length: 50 }, () => cache.get("role"));
  for (const p of during) assert.ok(await settles(p), "a caller waited on the renewal");
  for (const r of await Promise.all(during)) assert.ok(r.ok && r.value.id === 1);
  assert.equal(sts.calls, 2, "exactly one renewal");
  assert.equal(sts.waiting, 1);
  sts.answer();
  await flush();
  const after = await cache.get("role");
  assert.ok(after.ok);
  assert.equal(after.value.id, 2);
  assert.equal(sts.calls, 2);
});

Deno.test("no renewal before the refresh window", async () => {
  const { clock, sts, cache } = setup();
  const first = cache.get("role");
  sts.answer();
  await first;
  clock.set(T0 + HOUR - 61_000);
  await cache.get("role");
  assert.equal(sts.calls, 1);
});

Deno.test("a failed exchange: 503 for the request, then backoff doubling to 60 s, never a tight loop", async () => {
  const { clock, sts, cache, failures } = setup();
  const first = cache.get("role");
  sts.answer("fail");
  const r = await first;
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "BackendError"); // 503 ServiceUnavailable
  assert.match(String(r.error.detail), /Throttling/);
  // Within the backoff: the last error at once, and STS is not called.
  for (let i = 0; i < 100; i++) {
    const again = await cache.get("role");
    assert.ok(!again.ok);
  }
  assert.equal(sts.calls, 1);
  // Each retry after its delay; the delays double up to 60 s.
  let at = T0;
  for (const delay of [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]) {
    clock.set(at + delay - 1);
    assert.ok(!(await cache.get("role")).ok);
    const calls: number = sts.calls;
    clock.set(at + delay);
    at += delay;
    const retry = cache.get("role");
    assert.equal(sts.calls, calls + 1, `a retry after ${delay} ms`);
    sts.answer("fail");
    assert.ok(!(await retry).ok);
  }
  assert.deepEqual(failures, [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  // A success resets the backoff.
  clock.set(at + 60_000);
  const good = cache.get("role");
  sts.answer();
  assert.ok((await good).ok);
});

Deno.test("a renewal that fails while the credential is valid keeps serving it, and backs off", async () => {
  const { clock, sts, cache } = setup();
  const first = cache.get("role");
  sts.answer();
  await first;
  clock.set(T0 + HOUR - 50_000);
  assert.ok((await cache.get("role")).ok);
  sts.answer("fail");
  await flush();
  for (let i = 0; i < 20; i++) {
    const r = await cache.get("role");
    assert.ok(r.ok && r.value.id === 1);
  }
  assert.equal(sts.calls, 2, "no retry within the backoff");
  clock.set(T0 + HOUR - 49_000);
  assert.ok((await cache.get("role")).ok);
  assert.equal(sts.calls, 3, "one retry after 1 s");
  sts.answer();
  await flush();
  const r = await cache.get("role");
  assert.ok(r.ok && r.value.id === 3);
});

Deno.test("an expired credential is never served; an obtain that throws is a 503", async () => {
  const clock = fixedClock(T0);
  let n = 0;
  const cache = createCredentialCache<Cred>({
    clock,
    obtain() {
      n++;
      if (n === 2) throw new Error("boom");
      return Promise.resolve(ok({ id: n, expiresAt: clock.now() + HOUR }));
    },
  });
  assert.ok((await cache.get("k")).ok);
  clock.set(T0 + HOUR);
  const r = await cache.get("k");
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "BackendError");
  clock.set(T0 + HOUR + 1_000);
  const r3 = await cache.get("k");
  assert.ok(r3.ok, JSON.stringify(r3));
  assert.equal(r3.value.id, 3);
});

Deno.test("a short-lived credential renews in the second half of its life, not at once", async () => {
  const clock = fixedClock(T0);
  let calls = 0;
  const cache = createCredentialCache<Cred>({
    clock,
    obtain() {
      calls++;
      return Promise.resolve(ok({ id: calls, expiresAt: clock.now() + 90_000 }));
    },
  });
  await cache.get("k");
  clock.set(T0 + 40_000);
  await cache.get("k");
  assert.equal(calls, 1);
  clock.set(T0 + 46_000);
  await cache.get("k");
  assert.equal(calls, 2);
});
