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
  /** Steps the rates, checks and counts the quotas (cells.ts `admitOn`), in one round trip. */
  admit(
    rates: readonly RateCheck[],
    quotas: readonly QuotaCheck[],
    now: number,
  ): Promise<Admission>;
  /** Adds amounts to quota counters (fire and forget). */
  add(adds: readonly QuotaAdd[], now: number): void;
  /** Reserves bytes of a byte rate: the milliseconds to wait before sending them. */
  reserve(rate: RateCheck, now: number): Promise<number>;
  /** The live counters whose key starts with `prefix`, sorted by key. */
  read(prefix: string, now: number): Promise<CounterRow[]>;
  /** Deletes one counter; whether it existed. */
  reset(key: string): Promise<boolean>;
  /** Whether the store answers. */
  health(): StoreHealth;
  /** Closes connections. */
  close(): Promise<void>;
}
