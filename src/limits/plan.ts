/**
 * Which counters a request touches: the rules of `limits:` and `quotas:`
 * that match its caller and bucket, as rate and quota checks with the
 * documented key names (docs/operations.md):
 *
 * - `bucketgate:rate:<req|in|out>:<rule>`, and for an anonymous rule
 *   `bucketgate:rate:<req|in|out>:<rule>:<network>/<prefix>`: a GCRA arrival
 *   time, ms. Each rule has its own cells (two rules on one key keep two
 *   rates), named as its throttled counter is labelled.
 * - `bucketgate:quota:<subject>:<requests|bytes_in|bytes_out>:<day|month>:<window>`:
 *   a count, shared by every rule of that subject, amount and window (they
 *   count the same quantity; the stricter limit decides, and it is counted
 *   once per request)
 *
 * where `<rule>` is the rule's name (`name:`, else `limits[<i>]:<match>`) and
 * `<subject>` is `key:<access key id>`, `role:<role id>` or `bucket:<name>`.
 */
import type { LimitRule, QuotaRule } from "../config/types.ts";
import type { QuotaCheck, RateCheck } from "./cells.ts";
import { sourceNetwork } from "./source_net.ts";
import { type WindowKind, windowOf } from "./windows.ts";

/** Who is asking, and for which bucket. */
export interface Caller {
  /** No valid signature: STS calls and requests refused for a bad signature count here too. */
  readonly anonymous: boolean;
  readonly accessKeyId?: string;
  /** A session's role id: all sessions of a role share its budget. */
  readonly role?: string;
  readonly sourceIp: string;
  readonly bucket?: string;
  /** How the client names the bucket when that differs (a path-mapped `acme/data`): for messages only. */
  readonly shownBucket?: string;
}

/** The caller of an authenticated identity (auth/identity.ts's shape); undefined = it failed to authenticate. */
export function callerOf(
  identity:
    | { readonly kind: string; readonly accessKeyId?: string; readonly roleId?: string }
    | undefined,
  sourceIp: string,
  bucket?: string,
  shownBucket?: string,
): Caller {
  // Built by assignment, not spreads: one object of one shape per request.
  const c: { -readonly [K in keyof Caller]: Caller[K] } = { anonymous: true, sourceIp };
  if (identity !== undefined && identity.kind !== "anonymous") {
    c.anonymous = false;
    if (identity.accessKeyId !== undefined) c.accessKeyId = identity.accessKeyId;
    if (identity.roleId !== undefined) c.role = identity.roleId;
  }
  if (bucket !== undefined) c.bucket = bucket;
  if (shownBucket !== undefined) c.shownBucket = shownBucket;
  return c;
}

/** The rules in force (they change on SIGHUP; the counters do not). */
export interface Rules {
  readonly limits: readonly LimitRule[];
  readonly quotas: readonly QuotaRule[];
}

/** What a quota counts. */
export type QuotaMetric = "requests" | "bytes_in" | "bytes_out";

/** A rate check with the rule it comes from. */
export interface RuleRate extends RateCheck {
  /** The rule's name (`name:` or its default): the label of its throttled counter. */
  readonly rule: string;
}

/** A quota check with what the refusal message names. */
export interface NamedQuota extends QuotaCheck {
  /** The rule's name (`name:` or its default): the label of its throttled counter. */
  readonly rule: string;
  readonly metric: QuotaMetric;
  /** `bytes_out_per_day of key:AK…`, for the message. */
  readonly name: string;
}

/** A byte rate of one rule: bytes per second each way. */
export interface ByteRate {
  readonly key: string;
  readonly bytesPerSecond: number;
}

/** The checks of one request. */
export interface Plan {
  readonly rates: readonly RuleRate[];
  readonly quotas: readonly NamedQuota[];
  readonly bytesIn: readonly ByteRate[];
  readonly bytesOut: readonly ByteRate[];
}

/** The key prefix of every counter. */
export const KEY_PREFIX = "bucketgate:";

/** The subject of a quota rule's match: whose counters they are (`key:AK…`, `role:…`, `bucket:…`). */
export function subjectOfRule(m: QuotaRule["match"]): string {
  if ("accessKeyId" in m) return `key:${m.accessKeyId}`;
  if ("role" in m) return `role:${m.role}`;
  return `bucket:${m.bucket}`;
}

/** Whether a key, role or bucket match applies to this caller. */
function matches(m: QuotaRule["match"], c: Caller): boolean {
  return "accessKeyId" in m
    ? c.accessKeyId === m.accessKeyId
    : "role" in m
    ? c.role === m.role
    : c.bucket === m.bucket;
}

/** The name of a limit rule's cells for this caller (`<rule>`, `<rule>:<network>`), or undefined. */
function cellOf(rule: LimitRule, c: Caller): string | undefined {
  const m = rule.match;
  if (!("anonymous" in m)) return matches(m, c) ? rule.name : undefined;
  if (!c.anonymous) return undefined;
  return `${rule.name}:${sourceNetwork(c.sourceIp, rule.ipv4Prefix ?? 24, rule.ipv6Prefix ?? 64)}`;
}

/** Each amount a quota rule may give: its field, what it counts, its window. */
export const QUOTA_AMOUNTS: readonly [keyof QuotaRule, QuotaMetric, WindowKind][] = [
  ["requestsPerDay", "requests", "day"],
  ["requestsPerMonth", "requests", "month"],
  ["bytesInPerDay", "bytes_in", "day"],
  ["bytesInPerMonth", "bytes_in", "month"],
  ["bytesOutPerDay", "bytes_out", "day"],
  ["bytesOutPerMonth", "bytes_out", "month"],
];

/** The checks of a request: `bytesIn` is its upload estimate (Content-Length, else 0). */
export function planOf(rules: Rules, c: Caller, bytesIn: number, now: number): Plan {
  const rates: RuleRate[] = [];
  const inRates: ByteRate[] = [];
  const outRates: ByteRate[] = [];
  for (const rule of rules.limits) {
    const cell = cellOf(rule, c);
    if (cell === undefined) continue;
    if (rule.requestsPerSecond !== undefined) {
      rates.push({
        key: `${KEY_PREFIX}rate:req:${cell}`,
        perUnitMs: 1000 / rule.requestsPerSecond,
        burst: rule.burst ?? rule.requestsPerSecond,
        cost: 1,
        rule: rule.name,
      });
    }
    if (rule.bytesPerSecondIn !== undefined) {
      inRates.push({
        key: `${KEY_PREFIX}rate:in:${cell}`,
        bytesPerSecond: rule.bytesPerSecondIn,
      });
    }
    if (rule.bytesPerSecondOut !== undefined) {
      outRates.push({
        key: `${KEY_PREFIX}rate:out:${cell}`,
        bytesPerSecond: rule.bytesPerSecondOut,
      });
    }
  }
  return {
    rates,
    quotas: quotasOf(rules.quotas, c, bytesIn, now),
    bytesIn: inRates,
    bytesOut: outRates,
  };
}

/** A bucket rule's subject as the client names the bucket, when it names it otherwise. */
function shownSubject(m: QuotaRule["match"], c: Caller): string | undefined {
  return "bucket" in m && c.shownBucket !== undefined ? `bucket:${c.shownBucket}` : undefined;
}

/**
 * The quota checks of a caller, one per counter: of two rules counting the
 * same subject, amount and window only the stricter is kept (one counter,
 * counted once per request).
 */
function quotasOf(
  rules: readonly QuotaRule[],
  c: Caller,
  bytesIn: number,
  now: number,
): NamedQuota[] {
  const quotas: NamedQuota[] = [];
  for (const rule of rules) {
    if (!matches(rule.match, c)) continue;
    const subject = subjectOfRule(rule.match);
    for (const [field, metric, kind] of QUOTA_AMOUNTS) {
      const limit = rule[field] as number | undefined;
      if (limit === undefined) continue;
      const w = windowOf(kind, now);
      const q: NamedQuota = {
        key: `${KEY_PREFIX}quota:${subject}:${metric}:${kind}:${w.id}`,
        limit,
        estimate: metric === "requests" ? 1 : metric === "bytes_in" ? bytesIn : 0,
        count: metric === "requests" ? 1 : 0,
        endsMs: w.endsMs,
        rule: rule.name,
        metric,
        name: `${metric}_per_${kind} of ${shownSubject(rule.match, c) ?? subject} (${limit})`,
      };
      const same = quotas.findIndex((o) => o.key === q.key);
      if (same < 0) quotas.push(q);
      else if (limit < quotas[same]!.limit) quotas[same] = q;
    }
  }
  return quotas;
}

/** Whether a plan touches nothing (no rule matched). */
export function isEmpty(p: Plan): boolean {
  return p.rates.length === 0 && p.quotas.length === 0 && p.bytesIn.length === 0 &&
    p.bytesOut.length === 0;
}

/** `planOf` with the plans of recent callers remembered (per rules object and UTC day). */
export type Planner = (rules: Rules, c: Caller, bytesIn: number, now: number) => Plan;

/** A Planner; a reload (new rules object) or a new day starts its memory afresh. */
export function createPlanner(maxEntries = 10_000): Planner {
  let forRules: Rules | undefined;
  let day = "";
  const memo = new Map<string, Plan>();
  return (rules, c, bytesIn, now) => {
    const today = windowOf("day", now).id;
    if (rules !== forRules || today !== day || memo.size >= maxEntries) {
      memo.clear();
      forRules = rules;
      day = today;
    }
    const id = `${c.anonymous ? 1 : 0}|${c.accessKeyId ?? ""}|${c.role ?? ""}|${c.sourceIp}|${
      c.bucket ?? ""
    }`;
    let plan = memo.get(id);
    if (plan === undefined) {
      plan = planOf(rules, c, 0, now);
      memo.set(id, plan);
    }
    if (bytesIn <= 0 || !plan.quotas.some((q) => q.metric === "bytes_in")) return plan;
    return {
      ...plan,
      quotas: plan.quotas.map((q) => q.metric === "bytes_in" ? { ...q, estimate: bytesIn } : q),
    };
  };
}
