/**
 * The status page's facts (`/status.json`, and what `/` draws): the buckets
 * and whether each backend answers (what /readyz probes), totals and
 * per-principal counts since start (the very series of /metrics, so the two
 * agree), the last hour per minute with its request and error rates and the
 * top principals and buckets by bytes, and quota use (each configured
 * quota's count in its window, `QuotaUse`; none configured = an empty list).
 */
import type { CounterSample, MetricsSnapshot } from "./metrics.ts";
import { lastHour, type MinuteSlot, topByBytes, type TopEntry } from "./recent.ts";

/** One quota's use in its current window, read from the counter store (admin/limits.ts). */
export interface QuotaUse {
  /** The quota rule's name (`name:` or its default), as `bucketgate_throttled_total` labels it. */
  readonly rule: string;
  /** Whom or what the quota is on, from the config (`key:…`, `role:…`, `bucket:…`). */
  readonly subject: string;
  /** What it counts: `requests`, `bytes_in` or `bytes_out`. */
  readonly measure: string;
  /** Its window: `day` or `month` (UTC). */
  readonly window: string;
  readonly used: number;
  readonly limit: number;
  /** When the window ends and the count starts again (ISO 8601, UTC). */
  readonly resetsAt: string;
}

/** One configured bucket and whether its backend answered its probe. */
export interface BucketHealth {
  readonly name: string;
  readonly ready: boolean;
}

/** Counts since start, equal to the sums of /metrics' series. */
export interface Totals {
  readonly requests: number;
  readonly clientErrors: number;
  readonly serverErrors: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

/** One principal's counts since start (`bucketgate_principal_*_total`). */
export interface PrincipalTotals {
  readonly kind: string;
  readonly principal: string;
  readonly requests: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

/** The whole status, as `/status.json` serves it. */
export interface Status {
  readonly generatedAt: string;
  /** Workers summed into these numbers (1 without `--workers`). */
  readonly workers: number;
  readonly ready: boolean;
  readonly inFlight: number;
  readonly buckets: readonly BucketHealth[];
  readonly totals: Totals;
  readonly principals: readonly PrincipalTotals[];
  readonly lastHour: {
    /** Requests and errors per second over the last 5 minutes. */
    readonly rates: { readonly requests: number; readonly errors: number };
    readonly minutes: readonly MinuteSlot[];
    readonly topPrincipals: readonly TopEntry[];
    readonly topBuckets: readonly TopEntry[];
  };
  readonly quotas: readonly QuotaUse[];
}

/** What `statusOf` reads. */
export interface StatusInput {
  readonly snapshot: MetricsSnapshot;
  readonly inFlight: number;
  readonly workers: number;
  readonly health: readonly BucketHealth[];
  readonly quotas: readonly QuotaUse[];
  readonly nowMs: number;
}

/** Rows of each "top by bytes" table. */
export const TOP_ROWS = 10;

const sum = (samples: readonly CounterSample[], keep: (s: CounterSample) => boolean = () => true) =>
  samples.reduce((n, s) => (keep(s) ? n + s.value : n), 0);

function totals(c: MetricsSnapshot["counters"]): Totals {
  const status = (s: CounterSample) => s.labels.status ?? "";
  return {
    requests: sum(c.requests),
    clientErrors: sum(c.requests, (s) => status(s).startsWith("4")),
    serverErrors: sum(c.requests, (s) => status(s).startsWith("5")),
    bytesIn: sum(c.bytesIn),
    bytesOut: sum(c.bytesOut),
  };
}

function principalTotals(c: MetricsSnapshot["counters"]): PrincipalTotals[] {
  const rows = new Map<
    string,
    { kind: string; principal: string; r: number; i: number; o: number }
  >();
  const row = (s: CounterSample) => {
    const kind = s.labels.kind ?? "", principal = s.labels.principal ?? "";
    const key = `${kind}\u0000${principal}`;
    let r = rows.get(key);
    if (!r) rows.set(key, r = { kind, principal, r: 0, i: 0, o: 0 });
    return r;
  };
  for (const s of c.principalRequests ?? []) row(s).r += s.value;
  for (const s of c.principalBytesIn ?? []) row(s).i += s.value;
  for (const s of c.principalBytesOut ?? []) row(s).o += s.value;
  return [...rows.values()]
    .map((r) => ({
      kind: r.kind,
      principal: r.principal,
      requests: r.r,
      bytesIn: r.i,
      bytesOut: r.o,
    }))
    .sort((a, b) => b.bytesIn + b.bytesOut - (a.bytesIn + a.bytesOut) || b.requests - a.requests);
}

/** Requests and errors (4xx and 5xx) per second over the 5 minutes ending at `nowMs`. */
function rates(slots: readonly MinuteSlot[], nowMs: number): { requests: number; errors: number } {
  const since = Math.floor(nowMs / 60_000) - 4;
  const recent = slots.filter((s) => s.minute >= since);
  const seconds = 5 * 60;
  const requests = recent.reduce((n, s) => n + s.requests, 0);
  const errors = recent.reduce((n, s) => n + s.clientErrors + s.serverErrors, 0);
  return { requests: requests / seconds, errors: errors / seconds };
}

/** The status of one gateway (or the sum of its workers). */
export function statusOf(input: StatusInput): Status {
  const { snapshot, nowMs } = input;
  const minutes = lastHour(snapshot.recent ?? [], nowMs);
  return {
    generatedAt: new Date(nowMs).toISOString(),
    workers: input.workers,
    ready: input.health.every((b) => b.ready),
    inFlight: input.inFlight,
    buckets: [...input.health].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    totals: totals(snapshot.counters),
    principals: principalTotals(snapshot.counters),
    lastHour: {
      rates: rates(minutes, nowMs),
      minutes,
      topPrincipals: topByBytes(minutes, (s) => s.principals, TOP_ROWS),
      topBuckets: topByBytes(minutes, (s) => s.buckets, TOP_ROWS),
    },
    quotas: input.quotas,
  };
}
