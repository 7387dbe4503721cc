/**
 * Prometheus metrics, fed from the access log (every request passes through
 * it once) and a few events (JWKS fetches), written in the text exposition
 * format. Every label value comes from a fixed list or from the config, never
 * from the request: a stranger's made-up bucket names, STS actions or methods
 * cannot grow the number of series (see `operationLabel`, `bucketLabel`,
 * and principals.ts for the `kind` and `principal` labels).
 */
import { type Clock, systemClock } from "../clock.ts";
import type { AccessLogEntry } from "../log/entry.ts";
import { OPERATION_KINDS } from "../s3/operations.ts";
import {
  type KnownPrincipals,
  principalKey,
  type PrincipalLabeller,
  principalLabeller,
  type PrincipalLabels,
} from "./principals.ts";
import { createRecentRing, type MinuteSlot } from "./recent.ts";

/** Latency buckets in seconds. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** The `bucket` label of a request that named a bucket the config does not have. */
export const UNKNOWN_BUCKET = "(unknown)";

/** The `operation` label of a request whose operation is not one bucketgate serves. */
export const UNKNOWN_OPERATION = "unknown";

/** Every S3 operation (the operation table's, and ListBuckets). */
const S3_OPERATIONS: ReadonlySet<string> = new Set(OPERATION_KINDS);

/**
 * The operations the app logs besides S3's: the one STS action served, "STS"
 * (an STS call whose Action could not be read), CORS preflights and the OIDC
 * issuer's documents. An STS call naming any other Action is "unknown".
 */
const OTHER_OPERATIONS: ReadonlySet<string> = new Set([
  "AssumeRoleWithWebIdentity",
  "STS",
  "CorsPreflight",
  "OidcDiscovery",
]);

/** The `operation` label of an access-log operation: itself when known, else "unknown". */
export function operationLabel(operation: string | undefined): string {
  if (operation === undefined) return UNKNOWN_OPERATION;
  return S3_OPERATIONS.has(operation) || OTHER_OPERATIONS.has(operation)
    ? operation
    : UNKNOWN_OPERATION;
}

/**
 * The `bucket` label: "" when the request named no bucket, the name when the
 * config has it, else "(unknown)" (which no bucket name can be).
 */
export function bucketLabel(bucket: string | undefined, configured: ReadonlySet<string>): string {
  if (bucket === undefined || bucket === "") return "";
  return configured.has(bucket) ? bucket : UNKNOWN_BUCKET;
}

/** The `status` label: an HTTP status code, else "other". */
function statusLabel(status: number): string {
  return Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : "other";
}

/** Counts the finished requests of one app. */
export type Observer = (e: AccessLogEntry) => void;

/** A label set: names in a fixed order per family, values from fixed lists or the config. */
export type Labels = Readonly<Record<string, string>>;

/** One series of a counter family. */
export interface CounterSample {
  readonly labels: Labels;
  readonly value: number;
}

/** One series of the latency histogram; `counts[i]` holds the values in bucket i only. */
export interface HistogramSample {
  readonly labels: Labels;
  readonly counts: readonly number[];
  readonly sum: number;
  readonly n: number;
}

/** The counter families, in the order they are rendered. */
export const COUNTER_FAMILIES = [
  "requests",
  "bytesIn",
  "bytesOut",
  "backendErrors",
  "stsIssued",
  "jwks",
  "exchanges",
  "principalRequests",
  "principalBytesIn",
  "principalBytesOut",
  "throttled",
] as const;

/** A counter family's key in a snapshot. */
export type CounterFamily = typeof COUNTER_FAMILIES[number];

/**
 * Every series of one registry as plain data (structured-cloneable: it
 * crosses from a worker to the supervisor, which sums and renders them).
 */
export interface MetricsSnapshot {
  readonly counters: Readonly<Record<CounterFamily, readonly CounterSample[]>>;
  readonly latency: readonly HistogramSample[];
  /** The last hour, per minute (recent.ts); absent from older workers' snapshots. */
  readonly recent?: readonly MinuteSlot[];
}

/** The metrics of one gateway process. */
export interface Metrics {
  /**
   * The request counter for the app of one config: its `bucket` labels name
   * only `bucketNames` (the config's buckets). A reload takes a new observer,
   * so requests still running on the old app count under the old names.
   */
  observer(bucketNames: Iterable<string>, principals?: KnownPrincipals): Observer;
  /**
   * The counter of one limit's throttled requests (`bucketgate_throttled_total{limit}`):
   * call it once per limit of the config (its name from the config, never the
   * request), then call what it returns once per request that limit refused.
   */
  throttledCounter(limit: string): (n?: number) => void;
  /** Counts one JWKS or discovery fetch by outcome. */
  jwksFetch(outcome: "ok" | "error"): void;
  /** Counts one OIDC backend credential exchange (STS call) by outcome. */
  credentialExchange(outcome: "ok" | "error"): void;
  /** Every series now, as data (a copy). */
  snapshot(): MetricsSnapshot;
  /** The text exposition, with `inFlight` requests as a gauge. */
  render(inFlight: number): string;
}

function escape(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escape(v)}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

/** A cheap map key for a label set (values in the caller's fixed key order). */
export function labelKey(labels: Labels): string {
  let key = "";
  for (const k in labels) key += labels[k] + "\u0000";
  return key;
}

/** A counter family keyed by its label set. */
class Counter {
  readonly values = new Map<string, { labels: Labels; value: number }>();
  /** Adds `n` to the series of `labels` (`key`: their `labelKey`, when the caller has it). */
  add(labels: Labels, n = 1, key = labelKey(labels)): void {
    const e = this.values.get(key);
    if (e) e.value += n;
    else this.values.set(key, { labels, value: n });
  }
  samples(): CounterSample[] {
    return [...this.values.values()].map((e) => ({ labels: e.labels, value: e.value }));
  }
}

/** A histogram family keyed by its label set; `counts[i]` holds values in bucket i only. */
class Histogram {
  readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; n: number }>();
  /** Counts `value` in the series of `labels` (`key`: their `labelKey`, when the caller has it). */
  observe(labels: Labels, value: number, key = labelKey(labels)): void {
    let s = this.series.get(key);
    if (!s) {
      s = { labels, counts: LATENCY_BUCKETS.map(() => 0), sum: 0, n: 0 };
      this.series.set(key, s);
    }
    let i = 0;
    while (i < LATENCY_BUCKETS.length && value > LATENCY_BUCKETS[i]!) i++;
    if (i < LATENCY_BUCKETS.length) s.counts[i]!++;
    s.sum += value;
    s.n++;
  }
  samples(): HistogramSample[] {
    return [...this.series.values()].map((s) => ({ ...s, counts: [...s.counts] }));
  }
}

/** Each counter family's name, help and type in the exposition. */
const FAMILY_TEXT: Readonly<Record<CounterFamily, readonly [string, string]>> = {
  requests: ["bucketgate_requests_total", "Requests by operation, bucket and status."],
  bytesIn: ["bucketgate_request_bytes_total", "Declared request payload bytes."],
  bytesOut: ["bucketgate_response_bytes_total", "Declared response body bytes."],
  backendErrors: [
    "bucketgate_backend_errors_total",
    "Requests that failed because a backend did (503).",
  ],
  stsIssued: [
    "bucketgate_sts_credentials_issued_total",
    "Temporary credentials minted by AssumeRoleWithWebIdentity.",
  ],
  jwks: ["bucketgate_jwks_fetches_total", "OIDC discovery and JWKS fetches by outcome."],
  exchanges: [
    "bucketgate_backend_credential_exchanges_total",
    "STS exchanges for auth_type: oidc backend credentials, by outcome.",
  ],
  principalRequests: [
    "bucketgate_principal_requests_total",
    "Requests by principal: a configured key or role by name, anonymous as one.",
  ],
  principalBytesIn: [
    "bucketgate_principal_request_bytes_total",
    "Declared request payload bytes by principal.",
  ],
  principalBytesOut: [
    "bucketgate_principal_response_bytes_total",
    "Declared response body bytes by principal.",
  ],
  throttled: ["bucketgate_throttled_total", "Requests a configured limit refused, by limit."],
};

/** The text exposition of a snapshot (one registry's, or the sum of several), `inFlight` as a gauge. */
export function renderMetrics(snapshot: MetricsSnapshot, inFlight: number): string {
  const lines: string[] = [];
  for (const family of COUNTER_FAMILIES) {
    const [name, help] = FAMILY_TEXT[family];
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
    for (const e of snapshot.counters[family]) {
      lines.push(`${name}${labelText(e.labels)} ${e.value}`);
    }
  }
  lines.push(
    "# HELP bucketgate_requests_in_flight Requests being served now.",
    "# TYPE bucketgate_requests_in_flight gauge",
    `bucketgate_requests_in_flight ${inFlight}`,
    "# HELP bucketgate_request_duration_seconds Time to the response head and body, by operation.",
    "# TYPE bucketgate_request_duration_seconds histogram",
  );
  for (const s of snapshot.latency) {
    let cumulative = 0;
    LATENCY_BUCKETS.forEach((le, i) => {
      cumulative += s.counts[i]!;
      lines.push(
        `bucketgate_request_duration_seconds_bucket${
          labelText({ ...s.labels, le: String(le) })
        } ${cumulative}`,
      );
    });
    lines.push(
      `bucketgate_request_duration_seconds_bucket${labelText({ ...s.labels, le: "+Inf" })} ${s.n}`,
      `bucketgate_request_duration_seconds_sum${labelText(s.labels)} ${s.sum}`,
      `bucketgate_request_duration_seconds_count${labelText(s.labels)} ${s.n}`,
    );
  }
  return lines.join("\n") + "\n";
}

/** A principal's labels with their series key and status-ring key, made once per principal. */
interface KeyedPrincipal {
  readonly labels: PrincipalLabels;
  readonly series: string;
  readonly ring: string;
}

/** `label`, with each principal's keys kept (a config names a bounded number of principals). */
function keyedPrincipals(label: PrincipalLabeller): (e: AccessLogEntry) => KeyedPrincipal {
  const keyed = new Map<PrincipalLabels, KeyedPrincipal>();
  return (e) => {
    const labels = label(e);
    let k = keyed.get(labels);
    if (!k) keyed.set(labels, k = { labels, series: labelKey(labels), ring: principalKey(labels) });
    return k;
  };
}

/** The label sets of one operation on one bucket, with their keys. */
interface OpSeries {
  /** `{ operation, bucket }` */
  readonly opBucket: Keyed;
  /** `{ operation }` */
  readonly op: Keyed;
  /** `{ operation, bucket, status }`, by status. */
  readonly byStatus: Map<number, Keyed>;
}

/** A label set and its `labelKey`. */
interface Keyed {
  readonly labels: Labels;
  readonly key: string;
}

function keyed(labels: Labels): Keyed {
  return { labels, key: labelKey(labels) };
}

/**
 * Each operation's and bucket's label sets, made on first use rather than
 * per request (issue 30): operations, buckets and statuses are bounded lists.
 */
function opSeriesCache(): (operation: string, bucket: string) => OpSeries {
  const byOp = new Map<string, Map<string, OpSeries>>();
  return (operation, bucket) => {
    let byBucket = byOp.get(operation);
    if (!byBucket) byOp.set(operation, byBucket = new Map());
    let series = byBucket.get(bucket);
    if (!series) {
      const opBucket = keyed({ operation, bucket });
      series = { opBucket, op: keyed({ operation }), byStatus: new Map() };
      byBucket.set(bucket, series);
    }
    return series;
  };
}

/** Creates an empty registry. */
export function createMetrics(clock: Clock = systemClock): Metrics {
  const counters: Record<CounterFamily, Counter> = {
    requests: new Counter(),
    bytesIn: new Counter(),
    bytesOut: new Counter(),
    backendErrors: new Counter(),
    stsIssued: new Counter(),
    jwks: new Counter(),
    exchanges: new Counter(),
    principalRequests: new Counter(),
    principalBytesIn: new Counter(),
    principalBytesOut: new Counter(),
    throttled: new Counter(),
  };
  const { requests, bytesIn, bytesOut, backendErrors, stsIssued } = counters;
  const latency = new Histogram();
  const recent = createRecentRing();
  const snapshot = (): MetricsSnapshot => {
    const out = {} as Record<CounterFamily, CounterSample[]>;
    for (const family of COUNTER_FAMILIES) out[family] = counters[family].samples();
    return { counters: out, latency: latency.samples(), recent: recent.slots(clock.now()) };
  };

  return {
    observer(bucketNames, principals) {
      const configured: ReadonlySet<string> = new Set(bucketNames);
      const principalOf = keyedPrincipals(principalLabeller(principals));
      const seriesOf = opSeriesCache();
      // What the ring is told, reused: it reads the fields and keeps none (issue 30).
      const r = { status: 0, bytesIn: 0, bytesOut: 0, principal: "", bucket: "" };
      return (e) => {
        const operation = operationLabel(e.operation);
        const bucket = bucketLabel(e.bucket, configured);
        const series = seriesOf(operation, bucket);
        const { opBucket, byStatus } = series;
        let counted = byStatus.get(e.status);
        if (!counted) {
          counted = keyed({ operation, bucket, status: statusLabel(e.status) });
          byStatus.set(e.status, counted);
        }
        requests.add(counted.labels, 1, counted.key);
        if (e.bytesIn) bytesIn.add(opBucket.labels, e.bytesIn, opBucket.key);
        if (e.bytesOut) bytesOut.add(opBucket.labels, e.bytesOut, opBucket.key);
        const who = principalOf(e);
        const bin = e.bytesIn ?? 0;
        const bout = e.bytesOut ?? 0;
        counters.principalRequests.add(who.labels, 1, who.series);
        if (bin) counters.principalBytesIn.add(who.labels, bin, who.series);
        if (bout) counters.principalBytesOut.add(who.labels, bout, who.series);
        r.status = e.status;
        r.bytesIn = bin;
        r.bytesOut = bout;
        r.principal = who.ring;
        r.bucket = bucket;
        recent.add(r, clock.now());
        if (e.errorCode === "BackendError") backendErrors.add({ bucket });
        if (operation === "AssumeRoleWithWebIdentity" && e.status === 200) stsIssued.add({});
        latency.observe(series.op.labels, e.totalMs / 1000, series.op.key);
      };
    },
    jwksFetch(outcome) {
      counters.jwks.add({ outcome });
    },
    credentialExchange(outcome) {
      counters.exchanges.add({ outcome });
    },
    throttledCounter(limit) {
      const labels = { limit };
      counters.throttled.add(labels, 0);
      return (n = 1) => counters.throttled.add(labels, n);
    },
    snapshot,
    render(inFlight) {
      return renderMetrics(snapshot(), inFlight);
    },
  };
}
