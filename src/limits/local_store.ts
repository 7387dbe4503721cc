/** The counters in a Map of this isolate: the default store of one process. */
import {
  addOn,
  admitOn,
  type CounterTable,
  type QuotaCheck,
  type RateCheck,
  reserveOn,
} from "./cells.ts";
import type { CounterRow, CounterStore } from "./store.ts";

interface Entry {
  value: number;
  expiresMs: number;
}

/** A CounterTable over a Map, expired entries swept every `sweepEvery` writes. */
export class MapTable implements RowTable {
  readonly #map = new Map<string, Entry>();
  #writes = 0;

  /** The value of a live key, 0 when absent or expired. */
  get(key: string, now: number): number {
    const e = this.#map.get(key);
    return e === undefined || e.expiresMs <= now ? 0 : e.value;
  }

  /** Sets a key's value and expiry. */
  set(key: string, value: number, expiresMs: number, now: number): void {
    const e = this.#map.get(key);
    if (e) {
      e.value = value;
      e.expiresMs = expiresMs;
    } else this.#map.set(key, { value, expiresMs });
    if (++this.#writes % 4096 === 0) this.sweep(now);
  }

  /** Drops expired entries. */
  sweep(now: number): void {
    for (const [k, e] of this.#map) if (e.expiresMs <= now) this.#map.delete(k);
  }

  /** The live entries under a prefix, sorted. */
  rows(prefix: string, now: number): CounterRow[] {
    return [...this.#map].filter(([k, e]) => k.startsWith(prefix) && e.expiresMs > now)
      .map(([key, e]) => ({ key, value: e.value }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** Deletes a key; whether it was there. */
  delete(key: string): boolean {
    return this.#map.delete(key);
  }
}

/** A table a store can list and delete from, besides reading and writing. */
export interface RowTable extends CounterTable {
  rows(prefix: string, now: number): CounterRow[];
  delete(key: string): boolean;
}

/** Runs `f` alone (under a lock for a table shared between threads). */
export type Atomically = <T>(f: () => T) => T;

/** A store over a MapTable: counters survive a reload, not a restart. */
export function createLocalStore(table: MapTable = new MapTable()): CounterStore {
  return createTableStore(table, (f) => f());
}

/** A store over any RowTable, each operation run `atomically`. */
export function createTableStore(table: RowTable, atomically: Atomically): CounterStore {
  const admitNow = (rates: readonly RateCheck[], quotas: readonly QuotaCheck[], now: number) =>
    atomically(() => admitOn(table, rates, quotas, now));
  return {
    admit: (rates, quotas, now) => Promise.resolve(admitNow(rates, quotas, now)),
    admitNow,
    add: (adds, now) => atomically(() => addOn(table, adds, now)),
    reserve: (rate, now) => Promise.resolve(atomically(() => reserveOn(table, rate, now))),
    get: (keys, now) => Promise.resolve(atomically(() => keys.map((k) => table.get(k, now)))),
    read: (prefix, now) => Promise.resolve(atomically(() => table.rows(prefix, now))),
    reset: (key) => Promise.resolve(atomically(() => table.delete(key))),
    health: () => ({ ok: true }),
    close: () => Promise.resolve(),
  };
}
