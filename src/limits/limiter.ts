/**
 * The limiter: before dispatch, a request's rates and quotas in one store
 * call, whose answer carries the use of its quotas; a download's size checked
 * against that use before its first byte (no second call) and reserved at
 * once (added without waiting, so the next download sees it); its bytes
 * counted after, less what was reserved; its bodies paced when a byte rate
 * applies. Over a rate → 503 SlowDown, over a quota → 429 QuotaExceeded,
 * each with Retry-After.
 */
import type { Clock } from "../clock.ts";
import { type ProxyError, proxyError, withHeaders } from "../errors.ts";
import { err, ok, type Result } from "../result.ts";
import type { Admission } from "./cells.ts";
import { pacer, type Sleep } from "./pace.ts";
import {
  type Caller,
  createPlanner,
  isEmpty,
  type NamedQuota,
  type Plan,
  type Rules,
} from "./plan.ts";
import type { CounterStore } from "./store.ts";

/** What the limiter needs. */
export interface LimiterDeps {
  /** The rules in force now (read per request, so a reload applies at once). */
  readonly rules: () => Rules;
  readonly store: CounterStore;
  readonly clock: Clock;
  readonly sleep: Sleep;
  /** Told the rule (its name) that refused a request: its throttled counter goes up. */
  readonly onRefused?: (rule: string) => void;
}

/** An admitted request's handle on its limits. */
export interface Ticket {
  /**
   * The download's size is known: refuse it whole (before any byte) if it
   * crosses a quota, else reserve it. Decided on the use the admission
   * answered, without asking the store.
   */
  checkOut(size: number): Result<void, ProxyError>;
  /** A pacing stage for the upload body (`onSent` hears each slice), or undefined when no byte rate applies. */
  paceIn(onSent?: (n: number) => void): TransformStream<Uint8Array, Uint8Array> | undefined;
  /** A pacing stage for the download body, or undefined when no byte rate applies. */
  paceOut(onSent?: (n: number) => void): TransformStream<Uint8Array, Uint8Array> | undefined;
  /** Whether a byte rate applies (so a body may be held back by pacing). */
  readonly paces: boolean;
  /** Counts the bytes actually received and sent (only for a served request). */
  done(bytesIn: number, bytesOut: number): void;
  /** Whether a byte quota applies (so the bytes must be counted). */
  readonly countsBytes: boolean;
}

/** The ticket of a request no rule touches. */
const FREE: Ticket = {
  checkOut: () => ok(undefined),
  paceIn: () => undefined,
  paceOut: () => undefined,
  done: () => {},
  countsBytes: false,
  paces: false,
};

/** A ticket or a refusal: at once from a store in this process, else a promise of one. */
export type Admitted = Result<Ticket, ProxyError> | Promise<Result<Ticket, ProxyError>>;

/** The limiter of one gateway; see the module doc. */
export interface Limiter {
  /** Checks and counts a request before dispatch; `bytesIn` is its Content-Length (else 0). */
  admit(caller: Caller, bytesIn: number): Admitted;
  /**
   * Counts a request toward its caller's request rates without answering it
   * (a request refused for its signature): no throttled counter moves.
   */
  charge(caller: Caller): Promise<void>;
}

const ADMITTED_FREE: Result<Ticket, ProxyError> = ok(FREE);

/** Builds the limiter over a store (which outlives reloads) and the rules of the moment. */
export function createLimiter(deps: LimiterDeps): Limiter {
  const planOf = createPlanner();
  const settle = (a: Admission, plan: Plan, answered: boolean): Result<Ticket, ProxyError> => {
    if (a.ok) return ok(ticketOf(plan, a.used, deps));
    if (answered) deps.onRefused?.(decidingRule(a, plan));
    return err(refusal(a, plan.quotas));
  };
  // Not `async`: a store in this process answers without a promise (issue 30).
  const step = (caller: Caller, bytesIn: number, answered: boolean): Admitted => {
    const rules = deps.rules();
    if (rules.limits.length === 0 && rules.quotas.length === 0) return ADMITTED_FREE;
    const now = deps.clock.now();
    const plan = planOf(rules, caller, bytesIn, now);
    if (isEmpty(plan)) return ADMITTED_FREE;
    if (plan.rates.length === 0 && plan.quotas.length === 0) return ok(ticketOf(plan, [], deps));
    const { store } = deps;
    if (store.admitNow) return settle(store.admitNow(plan.rates, plan.quotas, now), plan, answered);
    return store.admit(plan.rates, plan.quotas, now).then((a) => settle(a, plan, answered));
  };
  return {
    admit: (caller, bytesIn) => step(caller, bytesIn, true),
    charge: async (caller) => void await step(caller, 0, false),
  };
}

/** The name of the rule behind a refusal. */
function decidingRule(a: Extract<Admission, { ok: false }>, plan: Plan): string {
  return a.by === "rate" ? plan.rates[a.index]!.rule : plan.quotas[a.index]!.rule;
}

/** What a ticket reads of its plan, derived once per plan (the planner memoises plans). */
interface Derived {
  /** The plan's bytes_out quotas, and each one's index in `plan.quotas`. */
  readonly outQuotas: readonly NamedQuota[];
  readonly outIndex: readonly number[];
  /** The quotas counted after the response: bytes in and out. */
  readonly counted: readonly NamedQuota[];
}

const derivedOf = new WeakMap<Plan, Derived>();

function derive(plan: Plan): Derived {
  let d = derivedOf.get(plan);
  if (d === undefined) {
    const outIndex = plan.quotas.flatMap((q, i) => (q.metric === "bytes_out" ? [i] : []));
    d = {
      outQuotas: outIndex.map((i) => plan.quotas[i]!),
      outIndex,
      counted: plan.quotas.filter((q) => q.metric !== "requests"),
    };
    derivedOf.set(plan, d);
  }
  return d;
}

/** The ticket of an admitted plan; `used[i]` is `plan.quotas[i]`'s counter as admitted. */
function ticketOf(plan: Plan, used: readonly number[], deps: LimiterDeps): Ticket {
  // Only request rates: nothing to check, pace or count after admission.
  const paces = plan.bytesIn.length > 0 || plan.bytesOut.length > 0;
  if (plan.quotas.length === 0 && !paces) return FREE;
  return new PlanTicket(plan, derive(plan), used, deps, paces);
}

/** A ticket whose plan has quotas or byte rates: one object per request. */
class PlanTicket implements Ticket {
  readonly paces: boolean;
  readonly countsBytes: boolean;
  readonly #plan: Plan;
  readonly #d: Derived;
  readonly #used: readonly number[];
  readonly #deps: LimiterDeps;
  #reserved = 0;

  constructor(plan: Plan, d: Derived, used: readonly number[], deps: LimiterDeps, paces: boolean) {
    this.#plan = plan;
    this.#d = d;
    this.#used = used;
    this.#deps = deps;
    this.paces = paces;
    this.countsBytes = d.counted.length > 0;
  }

  checkOut(size: number): Result<void, ProxyError> {
    const { outQuotas, outIndex } = this.#d;
    if (outQuotas.length === 0 || size <= 0) return ok(undefined);
    const deps = this.#deps;
    const now = deps.clock.now();
    const reserved = this.#reserved;
    const index = outQuotas.findIndex((q, i) =>
      (this.#used[outIndex[i]!] ?? 0) + reserved + size > q.limit
    );
    if (index >= 0) {
      const q = outQuotas[index]!;
      deps.onRefused?.(q.rule);
      const retryAfterMs = Math.max(0, q.endsMs - now);
      return err(refusal({ ok: false, by: "quota", index, retryAfterMs }, outQuotas));
    }
    this.#reserved += size;
    deps.store.add(outQuotas.map((q) => ({ key: q.key, amount: size, endsMs: q.endsMs })), now);
    return ok(undefined);
  }

  paceIn(onSent?: (n: number) => void): TransformStream<Uint8Array, Uint8Array> | undefined {
    const rates = this.#plan.bytesIn;
    return rates.length > 0 ? pacer(rates, this.#deps, onSent) : undefined;
  }

  paceOut(onSent?: (n: number) => void): TransformStream<Uint8Array, Uint8Array> | undefined {
    const rates = this.#plan.bytesOut;
    return rates.length > 0 ? pacer(rates, this.#deps, onSent) : undefined;
  }

  done(bytesIn: number, bytesOut: number): void {
    const reserved = this.#reserved;
    const adds = this.#d.counted.map((q) => ({
      key: q.key,
      amount: q.metric === "bytes_in" ? bytesIn : bytesOut - reserved,
      endsMs: q.endsMs,
    })).filter((a) => a.amount !== 0);
    if (adds.length > 0) this.#deps.store.add(adds, this.#deps.clock.now());
  }
}

/** The error of a refusal, with Retry-After in whole seconds (at least 1). */
export function refusal(
  a: Extract<Admission, { ok: false }>,
  quotas: readonly NamedQuota[],
): ProxyError {
  const retryAfter = String(Math.max(1, Math.ceil(a.retryAfterMs / 1000)));
  if (a.by === "rate") {
    return withHeaders(proxyError("SlowDown", "Please reduce your request rate."), {
      "retry-after": retryAfter,
    });
  }
  const q = quotas[a.index]!;
  const until = new Date(q.endsMs).toISOString();
  return withHeaders(
    proxyError("QuotaExceeded", `Quota exceeded: ${q.name} is used up until ${until}.`),
    { "retry-after": retryAfter },
  );
}
