/**
 * Where the counters live: in this process (local_store.ts), shared by the
 * isolates of `--workers` (shared_store.ts) or in Redis (redis_store.ts).
 * The store outlives a config reload; the rules it is asked about do not.
 */
import type { Admission, QuotaAdd, QuotaCheck, RateCheck } from "./cells.ts";

/** One counter as the admin listener shows it. */
export interface CounterRow {
  readonly key: string;
  readonly value: number;
}

/** Whether the store answers, for /readyz: a store that fell back to counting locally says why. */
export interface StoreHealth {
  readonly ok: boolean;
  readonly detail?: string;
}

/** A counter store; see the module doc. Every operation is atomic over all its keys. */
export interface CounterStore {
  /**
   * Steps the rates, checks and counts the quotas (cells.ts `admitOn`), in
   * one round trip; admitted, it answers each quota counter's use.
   */
  admit(
    rates: readonly RateCheck[],
    quotas: readonly QuotaCheck[],
    now: number,
  ): Promise<Admission>;
  /** `admit` answered at once, by a store held in this process (no promise per request). */
  readonly admitNow?: (
    rates: readonly RateCheck[],
    quotas: readonly QuotaCheck[],
    now: number,
  ) => Admission;
  /** Adds amounts, negative too, to quota counters (fire and forget, pipelined after what went before). */
  add(adds: readonly QuotaAdd[], now: number): void;
  /** Reserves bytes of a byte rate: the milliseconds to wait before sending them. */
  reserve(rate: RateCheck, now: number): Promise<number>;
  /** The values of `keys` (0 when absent or expired), in one round trip. */
  get(keys: readonly string[], now: number): Promise<number[]>;
  /** The live counters whose key starts with `prefix`, sorted by key. */
  read(prefix: string, now: number): Promise<CounterRow[]>;
  /** Deletes one counter; whether it existed. */
  reset(key: string): Promise<boolean>;
  /** Whether the store answers. */
  health(): StoreHealth;
  /** Closes connections. */
  close(): Promise<void>;
}

/**
 * A store that counts locally while `primary` (Redis) cannot be reached:
 * requests are never refused for the store's sake. The outage is logged once
 * when it starts and once when it ends, and `health()` reports it (/readyz).
 * While down, the primary is tried again at most every `retryMs`.
 */
export function withFallback(
  primary: CounterStore,
  local: CounterStore,
  log: (message: string) => void,
  options: { readonly retryMs?: number; readonly now?: () => number } = {},
): CounterStore {
  const retryMs = options.retryMs ?? 1000;
  const clockNow = options.now ?? Date.now;
  let downSince: number | undefined;
  let lastTry = -Infinity;
  const attempt = async <T>(viaPrimary: () => Promise<T>, viaLocal: () => Promise<T>) => {
    if (downSince !== undefined && clockNow() - lastTry < retryMs) return viaLocal();
    lastTry = clockNow();
    try {
      const value = await viaPrimary();
      if (downSince !== undefined) log("limits_store reachable again: counting there");
      downSince = undefined;
      return value;
    } catch (e) {
      if (downSince === undefined) {
        downSince = clockNow();
        log(`limits_store unreachable (${e instanceof Error ? e.message : e}): counting locally`);
      }
      return viaLocal();
    }
  };
  return {
    admit: (r, q, now) => attempt(() => primary.admit(r, q, now), () => local.admit(r, q, now)),
    add(adds, now) {
      if (downSince === undefined) primary.add(adds, now);
      else local.add(adds, now);
    },
    reserve: (r, now) => attempt(() => primary.reserve(r, now), () => local.reserve(r, now)),
    get: (keys, now) => attempt(() => primary.get(keys, now), () => local.get(keys, now)),
    read: (prefix, now) => attempt(() => primary.read(prefix, now), () => local.read(prefix, now)),
    reset: (key) => attempt(() => primary.reset(key), () => local.reset(key)),
    health: () =>
      downSince === undefined ? { ok: true } : {
        ok: false,
        detail: `limits_store unreachable since ${
          new Date(downSince).toISOString()
        }: counting locally`,
      },
    close: async () => {
      await primary.close();
      await local.close();
    },
  };
}
