/**
 * The counters of `--workers N` on one machine: one table in a
 * SharedArrayBuffer that the supervisor makes and hands to every worker, so
 * N isolates keep one count, not N. An open-addressing hash table (FNV-1a,
 * linear probing) of fixed slots: a key of at most KEY_BYTES UTF-8 bytes, its
 * value and expiry. An expired slot is reused by the next key that probes
 * past it; every operation runs under one spin lock (Atomics), and none of
 * them awaits while holding it. A full table, or a longer key, counts nothing
 * (the request is admitted), never refuses.
 */
import type { CounterRow, CounterStore } from "./store.ts";
import { createTableStore, type RowTable } from "./local_store.ts";

/** The longest key a slot holds, in UTF-8 bytes. */
export const KEY_BYTES = 240;
const HEADER = 16;

/** The bytes of a shared table of `slots` slots. */
export function sharedTableBytes(slots: number): number {
  return HEADER + slots * 8 + slots * 16 + slots * KEY_BYTES;
}

/** A new SharedArrayBuffer for a table of `slots` counters (default 16384, about 4 MiB). */
export function createSharedCounters(slots = 16384): SharedArrayBuffer {
  return new SharedArrayBuffer(sharedTableBytes(slots));
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** The table over a shared buffer; see the module doc. */
export class SharedTable implements RowTable {
  readonly lock: Int32Array;
  readonly #meta: Int32Array; // per slot: used (0/1), key length
  readonly #vals: Float64Array; // per slot: value, expiresMs
  readonly #keys: Uint8Array;
  readonly #slots: number;
  readonly #scratch = new Uint8Array(KEY_BYTES + 4);
  /** Keys seen lately, encoded and hashed (an isolate's own cache; cleared when large). */
  readonly #encoded = new Map<string, { bytes: Uint8Array; hash: number } | null>();

  constructor(sab: SharedArrayBuffer) {
    const slots = (sab.byteLength - HEADER) / (8 + 16 + KEY_BYTES);
    if (!Number.isInteger(slots) || slots < 1) throw new Error("not a shared counter table");
    this.#slots = slots;
    this.lock = new Int32Array(sab, 0, 4);
    this.#meta = new Int32Array(sab, HEADER, slots * 2);
    this.#vals = new Float64Array(sab, HEADER + slots * 8, slots * 2);
    this.#keys = new Uint8Array(sab, HEADER + slots * 24, slots * KEY_BYTES);
  }

  /** The value of a live key, 0 when absent or expired. */
  get(key: string, now: number): number {
    const i = this.#find(key, now, false);
    return i < 0 || this.#vals[i * 2 + 1]! <= now ? 0 : this.#vals[i * 2]!;
  }

  /** Sets a key's value and expiry (nothing when the table is full or the key too long). */
  set(key: string, value: number, expiresMs: number, now: number): void {
    const i = this.#find(key, now, true);
    if (i < 0) return;
    this.#vals[i * 2] = value;
    this.#vals[i * 2 + 1] = expiresMs;
  }

  /** The live counters under a prefix, sorted. */
  rows(prefix: string, now: number): CounterRow[] {
    const out: CounterRow[] = [];
    for (let i = 0; i < this.#slots; i++) {
      if (this.#meta[i * 2] !== 1 || this.#vals[i * 2 + 1]! <= now) continue;
      const key = dec.decode(
        this.#keys.slice(i * KEY_BYTES, i * KEY_BYTES + this.#meta[i * 2 + 1]!),
      );
      if (key.startsWith(prefix)) out.push({ key, value: this.#vals[i * 2]! });
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** Expires a key at once; whether it was there (not deleted before). */
  delete(key: string): boolean {
    const i = this.#find(key, 0, false);
    if (i < 0) return false;
    const live = this.#vals[i * 2 + 1] !== 0;
    this.#vals[i * 2] = 0;
    this.#vals[i * 2 + 1] = 0;
    return live;
  }

  /** The slot of `key`; with `claim`, a free or expired slot for it when absent (else -1). */
  #find(key: string, now: number, claim: boolean): number {
    const e = this.#encode(key);
    if (e === null) return -1;
    const { bytes, hash } = e;
    let reusable = -1;
    for (let n = 0, i = hash % this.#slots; n < this.#slots; n++, i = (i + 1) % this.#slots) {
      if (this.#meta[i * 2] === 0) {
        if (!claim) return -1;
        return this.#claim(reusable >= 0 ? reusable : i, bytes);
      }
      if (this.#sameKey(i, bytes)) return i;
      if (reusable < 0 && this.#vals[i * 2 + 1]! <= now) reusable = i;
    }
    return claim && reusable >= 0 ? this.#claim(reusable, bytes) : -1;
  }

  /** The key's UTF-8 bytes and FNV-1a hash; null when it is longer than a slot holds. */
  #encode(key: string): { bytes: Uint8Array; hash: number } | null {
    const known = this.#encoded.get(key);
    if (known !== undefined) return known;
    const { written = 0, read = 0 } = enc.encodeInto(key, this.#scratch);
    let e: { bytes: Uint8Array; hash: number } | null = null;
    if (read === key.length && written <= KEY_BYTES) {
      const bytes = this.#scratch.slice(0, written);
      let h = 0x811c9dc5;
      for (const b of bytes) h = Math.imul(h ^ b, 0x01000193);
      e = { bytes, hash: h >>> 0 };
    }
    if (this.#encoded.size >= 10_000) this.#encoded.clear();
    this.#encoded.set(key, e);
    return e;
  }

  #sameKey(i: number, bytes: Uint8Array): boolean {
    if (this.#meta[i * 2 + 1] !== bytes.byteLength) return false;
    const at = i * KEY_BYTES;
    for (let j = 0; j < bytes.byteLength; j++) if (this.#keys[at + j] !== bytes[j]) return false;
    return true;
  }

  #claim(i: number, bytes: Uint8Array): number {
    this.#keys.set(bytes, i * KEY_BYTES);
    this.#meta[i * 2 + 1] = bytes.byteLength;
    this.#meta[i * 2] = 1;
    this.#vals[i * 2] = 0;
    this.#vals[i * 2 + 1] = 0;
    return i;
  }
}

/** Runs `f` under the table's spin lock. */
function lockedBy(lock: Int32Array) {
  return <T>(f: () => T): T => {
    for (let spins = 0; Atomics.compareExchange(lock, 0, 0, 1) !== 0; spins++) {
      // A holder never awaits: only a worker killed mid-operation leaves it held.
      if (spins > 10_000_000) Atomics.store(lock, 0, 0);
    }
    try {
      return f();
    } finally {
      Atomics.store(lock, 0, 0);
    }
  };
}

/** The store of one worker over the supervisor's shared buffer. */
export function createSharedStore(sab: SharedArrayBuffer): CounterStore {
  const table = new SharedTable(sab);
  return createTableStore(table, lockedBy(table.lock));
}
