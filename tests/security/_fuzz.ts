/**
 * A tiny seeded fuzzing kit: a mulberry32 PRNG, generators of awkward strings
 * and bytes, mutators of valid inputs, and a time-bounded runner whose
 * failures name the seed, the iteration and the input so they can be replayed
 * with `FUZZ_SEED=<seed> deno test --allow-all tests/security/<file>`.
 * Each run adds its iterations to the run's figures (`tally`).
 */
import { tally } from "../_support/tally.ts";

/** The seed used when `FUZZ_SEED` is not set. */
export const DEFAULT_SEED = 0x5eed_b0c7;

/** A seeded pseudo-random source (mulberry32: 32-bit state, fast, good enough for fuzzing). */
export class Rng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A float in [0, 1). */
  float(): number {
    return this.u32() / 0x1_0000_0000;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return n <= 0 ? 0 : Math.floor(this.float() * n);
  }

  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("Cannot pick: the array is empty");
    return items[this.int(items.length)]!;
  }

  /** Random bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
}

const ASCII_PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join("");
const CONTROL = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join("") + "\x7f";
const UNICODE_SAMPLES = [
  "é",
  "ß",
  "€",
  "\u00a0",
  "\u200b",
  "\u202e",
  "\ufeff",
  "\uffff",
  "\ufffd",
  "日本",
  "😀", // astral (a surrogate pair)
  "𝄞",
  "\u{10ffff}",
  "\ud800", // lone high surrogate
  "\udfff", // lone low surrogate
  "\udc00\ud800", // reversed pair
  "\u0301", // combining mark
];
const SPECIAL = ["/", "//", ".", "..", "../", "%", "?", "#", "&", "=", "+", ";", ",", "\\", "*"];

/** A percent-escape: valid, invalid, encoded slash/dot/NUL, or double-encoded. */
export function percentEscape(rng: Rng): string {
  return rng.pick([
    () => "%" + rng.int(256).toString(16).padStart(2, "0").toUpperCase(),
    () => "%" + rng.int(256).toString(16).padStart(2, "0"),
    () => rng.pick(["%2F", "%2f", "%2E", "%2e%2e", "..%2F", "%00", "%252F", "%25", "%"]),
    () => rng.pick(["%G0", "%0", "%ZZ", "%%", "%C3", "%E2%82", "%ED%A0%80", "%F4%90%80%80"]),
    () => rng.pick(["%C3%A9", "%E2%82%AC", "%F0%9F%98%80", "%EF%BF%BD"]),
  ])();
}

/** Kinds of text `randomString` mixes. */
export type StringKind = "ascii" | "control" | "unicode" | "percent" | "special";

/** A random string of up to `maxLen` pieces mixing the given kinds of text. */
export function randomString(
  rng: Rng,
  maxLen = 24,
  kinds: readonly StringKind[] = ["ascii", "control", "unicode", "percent", "special"],
): string {
  const n = rng.int(maxLen + 1);
  let out = "";
  for (let i = 0; i < n; i++) {
    switch (rng.pick(kinds)) {
      case "ascii":
        out += ASCII_PRINTABLE[rng.int(ASCII_PRINTABLE.length)];
        break;
      case "control":
        out += CONTROL[rng.int(CONTROL.length)];
        break;
      case "unicode":
        out += rng.pick(UNICODE_SAMPLES);
        break;
      case "percent":
        out += percentEscape(rng);
        break;
      case "special":
        out += rng.pick(SPECIAL);
        break;
    }
  }
  return out;
}

/** A string from `alphabet`, of length 0..maxLen. */
export function stringFrom(rng: Rng, alphabet: string, maxLen: number): string {
  const chars = [...alphabet];
  let out = "";
  for (let i = rng.int(maxLen + 1); i > 0; i--) out += rng.pick(chars);
  return out;
}

/** Whether a string has no lone surrogate. */
export function isWellFormed(s: string): boolean {
  return s.isWellFormed();
}

/** One random mutation of a byte array: flip a bit, set, insert, delete, duplicate or truncate. */
export function mutateBytes(rng: Rng, input: Uint8Array): Uint8Array {
  const b = Array.from(input);
  const at = rng.int(b.length + 1);
  switch (rng.int(6)) {
    case 0:
      if (b.length > 0) b[at % b.length]! ^= 1 << rng.int(8);
      break;
    case 1:
      if (b.length > 0) b[at % b.length] = rng.int(256);
      break;
    case 2:
      b.splice(at, 0, ...rng.bytes(rng.range(1, 4)));
      break;
    case 3:
      b.splice(at, rng.range(1, 4));
      break;
    case 4:
      b.splice(at, 0, ...b.slice(at, at + rng.range(1, 8)));
      break;
    case 5:
      b.length = at;
      break;
  }
  return Uint8Array.from(b);
}

/** One to `max` random mutations of a string (as characters, not bytes). */
export function mutateString(rng: Rng, input: string, max = 3): string {
  let s = input;
  for (let k = rng.range(1, max); k > 0; k--) {
    const at = rng.int(s.length + 1);
    switch (rng.int(6)) {
      case 0: // replace one char
        s = s.slice(0, at) + randomString(rng, 1) + s.slice(at + 1);
        break;
      case 1: // insert
        s = s.slice(0, at) + randomString(rng, 3) + s.slice(at);
        break;
      case 2: // delete
        s = s.slice(0, at) + s.slice(at + rng.range(1, 4));
        break;
      case 3: // duplicate a slice
        s = s.slice(0, at) + s.slice(at, at + rng.range(1, 16)) + s.slice(at);
        break;
      case 4: // truncate
        s = s.slice(0, at);
        break;
      case 5: // flip the case of one char
        s = s.slice(0, at) + (s[at] ?? "").replace(/./, (c) =>
          c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()) +
          s.slice(at + 1);
        break;
    }
  }
  return s;
}

/** Every prefix of a byte array (truncation at every byte), shortest first. */
export function* truncations(input: Uint8Array): Generator<Uint8Array> {
  for (let i = 0; i < input.length; i++) yield input.subarray(0, i);
}

/** Every single-byte deletion and every single-bit flip of the low bit, at every position. */
export function* eachByteMutation(input: Uint8Array): Generator<Uint8Array> {
  for (let i = 0; i < input.length; i++) {
    const flipped = input.slice();
    flipped[i]! ^= 1;
    yield flipped;
    const deleted = new Uint8Array(input.length - 1);
    deleted.set(input.subarray(0, i), 0);
    deleted.set(input.subarray(i + 1), i);
    yield deleted;
  }
}

/** Options of `fuzz`. */
export interface FuzzOptions {
  /** Seed when FUZZ_SEED is unset. @default DEFAULT_SEED */
  readonly seed?: number;
  /** Most iterations. @default 500 */
  readonly iterations?: number;
  /** Time budget in ms; the run stops early when spent. @default 2000 */
  readonly budgetMs?: number;
}

/** What a property sees each iteration. */
export interface FuzzCase {
  readonly rng: Rng;
  readonly iteration: number;
  /** Records the input under test (shown, as JSON, when the property fails). */
  note(input: unknown): void;
}

/** The seed of this run: `FUZZ_SEED` (decimal or 0x hex), or the given default. */
export function fuzzSeed(fallback = DEFAULT_SEED): number {
  let raw: string | undefined;
  try {
    raw = Deno.env.get("FUZZ_SEED");
  } catch (e) {
    if (!(e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied)) {
      throw e;
    }
  }
  if (raw === undefined || raw.trim() === "") return fallback >>> 0;
  const n = Number(raw.trim());
  if (!Number.isFinite(n)) throw new TypeError(`Cannot use FUZZ_SEED: '${raw}' is not a number`);
  return n >>> 0;
}

/** Failure of a fuzzed property, carrying what is needed to replay it. */
export class FuzzFailure extends Error {
  readonly seed: number;
  readonly iteration: number;
  readonly input: unknown;
  constructor(name: string, seed: number, iteration: number, input: unknown, cause: unknown) {
    const why = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(
      `Cannot hold property '${name}': seed=${seed} iteration=${iteration} input=${
        describe(input)
      }\n${why}`,
      { cause },
    );
    this.name = "FuzzFailure";
    this.seed = seed;
    this.iteration = iteration;
    this.input = input;
  }
}

/** JSON of an input, with bytes as arrays and strings escaped so lone surrogates show. */
export function describe(input: unknown): string {
  try {
    const json = JSON.stringify(input, (_k, v) => {
      if (v instanceof Uint8Array) return { bytes: Array.from(v) };
      if (v instanceof Headers) return Object.fromEntries(v);
      if (v instanceof URLSearchParams) return v.toString();
      if (typeof v === "bigint") return v.toString();
      return v;
    });
    const text = json ?? String(input);
    return text.length > 4000 ? text.slice(0, 4000) + "…" : text;
  } catch {
    return String(input);
  }
}

/**
 * Runs `fn` with a fresh-seeded RNG per iteration (seed + iteration) until
 * `iterations` ran or `budgetMs` passed. Each iteration's RNG derives from
 * the run seed, so a failure replays with the same FUZZ_SEED.
 */
export async function fuzz(
  name: string,
  options: FuzzOptions,
  fn: (c: FuzzCase) => void | Promise<void>,
): Promise<{ iterations: number; seed: number }> {
  const seed = fuzzSeed(options.seed);
  const iterations = options.iterations ?? 500;
  const budgetMs = options.budgetMs ?? 2000;
  const start = performance.now();
  let i = 0;
  for (; i < iterations; i++) {
    if (i > 0 && performance.now() - start > budgetMs) break;
    const rng = new Rng((seed ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0);
    let input: unknown = undefined;
    const c: FuzzCase = { rng, iteration: i, note: (v) => (input = v) };
    try {
      await fn(c);
    } catch (e) {
      throw new FuzzFailure(name, seed, i, input, e);
    }
  }
  tally("inputs", name, i);
  return { iterations: i, seed };
}
