/**
 * The arithmetic every counter store runs (the Redis store runs the same in
 * Lua, redis/script.ts): a rate is a GCRA cell (one number, the theoretical
 * arrival time), a quota a plain count per UTC window.
 */

/** One rate to step: `cost` units against `perUnitMs` each, `burst` units of slack. */
export interface RateCheck {
  readonly key: string;
  /** Milliseconds one unit (a request, a byte) takes at the rate. */
  readonly perUnitMs: number;
  /** Units allowed at once above the rate. */
  readonly burst: number;
  readonly cost: number;
}

/** One quota to check: refused when `used + estimate > limit`; `count` added when admitted. */
export interface QuotaCheck {
  readonly key: string;
  readonly limit: number;
  readonly estimate: number;
  readonly count: number;
  /** When the window ends (the counter's expiry), ms since the epoch. */
  readonly endsMs: number;
}

/**
 * What a store answers: admitted, with each quota counter's value after
 * counting (`used[i]` for `quotas[i]`: a download's size is checked against
 * it without asking the store again), or refused by the rate or quota at
 * `index` with its wait.
 */
export type Admission =
  | { readonly ok: true; readonly used: readonly number[] }
  | {
    readonly ok: false;
    readonly by: "rate" | "quota";
    readonly index: number;
    readonly retryAfterMs: number;
  };

/** The synchronous table a local store keeps: a number per key, gone after its expiry. */
export interface CounterTable {
  get(key: string, now: number): number;
  /** Sets a key's value and expiry; `now` tells which other entries have expired. */
  set(key: string, value: number, expiresMs: number, now: number): void;
}

/**
 * One GCRA step: the new arrival time and whether the cost fits. A refused
 * step still counts (a flood is not free), its debt capped at one more burst.
 */
export function gcraStep(
  tat: number,
  now: number,
  r: Pick<RateCheck, "perUnitMs" | "burst" | "cost">,
): { readonly tat: number; readonly waitMs: number } {
  const next = Math.max(tat, now) + r.cost * r.perUnitMs;
  const allowance = r.burst * r.perUnitMs;
  const waitMs = next - now - allowance;
  if (waitMs <= 0) return { tat: next, waitMs: 0 };
  return { tat: Math.min(next, now + 2 * allowance), waitMs };
}

/**
 * Steps every rate (all of them, each counting), then checks every quota;
 * counts the quotas only when nothing refused. The first refusal is answered.
 */
export function admitOn(
  t: CounterTable,
  rates: readonly RateCheck[],
  quotas: readonly QuotaCheck[],
  now: number,
): Admission {
  let refused: Admission | undefined;
  rates.forEach((r, index) => {
    const step = gcraStep(t.get(r.key, now), now, r);
    t.set(r.key, step.tat, step.tat + r.burst * r.perUnitMs, now);
    if (step.waitMs > 0 && refused === undefined) {
      refused = { ok: false, by: "rate", index, retryAfterMs: step.waitMs };
    }
  });
  if (refused !== undefined) return refused;
  const used = quotas.map((q) => t.get(q.key, now));
  for (let index = 0; index < quotas.length; index++) {
    const q = quotas[index]!;
    if (used[index]! + q.estimate > q.limit) {
      return { ok: false, by: "quota", index, retryAfterMs: Math.max(0, q.endsMs - now) };
    }
  }
  quotas.forEach((q, i) => {
    if (q.count === 0) return;
    used[i] = t.get(q.key, now) + q.count;
    t.set(q.key, used[i], q.endsMs, now);
  });
  return { ok: true, used };
}

/**
 * One amount to add to a quota counter after the fact (bytes sent or
 * received, a download's size reserved); negative gives back (what a
 * cancelled download reserved and did not send).
 */
export interface QuotaAdd {
  readonly key: string;
  readonly amount: number;
  readonly endsMs: number;
}

/** Adds each amount (not 0) to its counter, as Redis's INCRBY and PEXPIREAT do. */
export function addOn(t: CounterTable, adds: readonly QuotaAdd[], now: number): void {
  for (const a of adds) {
    if (a.amount !== 0) t.set(a.key, t.get(a.key, now) + a.amount, a.endsMs, now);
  }
}

/**
 * Takes `cost` units of a byte rate now and answers how long to wait before
 * sending them (0 within the burst): pacing reserves, it is never refused.
 */
export function reserveOn(t: CounterTable, r: RateCheck, now: number): number {
  const next = Math.max(t.get(r.key, now), now) + r.cost * r.perUnitMs;
  t.set(r.key, next, next + r.burst * r.perUnitMs, now);
  return Math.max(0, next - now - r.burst * r.perUnitMs);
}
