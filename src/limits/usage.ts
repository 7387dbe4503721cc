/**
 * What each configured quota has used in its current UTC window, read from
 * the counter store in one call (one MGET with Redis): the status page's
 * quota section. A quota's subject is a key, role or bucket named by the
 * config (never an anonymous network), so its counters' keys are known
 * without a caller (plan.ts).
 */
import type { QuotaRule } from "../config/types.ts";
import { KEY_PREFIX, QUOTA_AMOUNTS, type QuotaMetric, subjectOfRule } from "./plan.ts";
import type { CounterStore } from "./store.ts";
import { type WindowKind, windowOf } from "./windows.ts";

/** One quota amount of one rule, and its use now. */
export interface QuotaUsage {
  /** The rule's name (`name:` or its default), as its throttled counter is labelled. */
  readonly rule: string;
  /** `key:<access key id>`, `role:<role id>` or `bucket:<name>`. */
  readonly subject: string;
  readonly metric: QuotaMetric;
  readonly window: WindowKind;
  readonly used: number;
  readonly limit: number;
  /** When the window ends and the count starts again, ms since the epoch. */
  readonly resetsMs: number;
}

/** The use of every amount of every quota rule now, in config order. */
export async function quotaUsage(
  quotas: readonly QuotaRule[],
  store: CounterStore,
  now: number,
): Promise<QuotaUsage[]> {
  const rows: (Omit<QuotaUsage, "used"> & { key: string })[] = [];
  for (const rule of quotas) {
    const subject = subjectOfRule(rule.match);
    for (const [field, metric, window] of QUOTA_AMOUNTS) {
      const limit = rule[field] as number | undefined;
      if (limit === undefined) continue;
      const w = windowOf(window, now);
      const key = `${KEY_PREFIX}quota:${subject}:${metric}:${window}:${w.id}`;
      rows.push({ rule: rule.name, subject, metric, window, limit, resetsMs: w.endsMs, key });
    }
  }
  if (rows.length === 0) return [];
  const used = await store.get(rows.map((r) => r.key), now);
  return rows.map(({ key: _, ...r }, i) => ({ ...r, used: used[i] ?? 0 }));
}
