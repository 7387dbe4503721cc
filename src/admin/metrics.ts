/**
 * Prometheus metrics, fed from the access log (every request passes through
 * it once) and a few events (JWKS fetches), written in the text exposition
 * format. Every label value comes from a fixed list or from the config, never
 * from the request: a stranger's made-up bucket names, STS actions or methods
 * cannot grow the number of series (see `operationLabel`, `bucketLabel`).
 */
import type { AccessLogEntry } from "../access_log.ts";
import type { OperationKind } from "../s3/request.ts";

/** Latency buckets in seconds. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** The `bucket` label of a request that named a bucket the config does not have. */
export const UNKNOWN_BUCKET = "(unknown)";

/** The `operation` label of a request whose operation is not one bucketgate serves. */
export const UNKNOWN_OPERATION = "unknown";

/** Every S3 operation, as a record so that a new `OperationKind` must be listed here. */
const S3_OPERATIONS: Readonly<Record<OperationKind, true>> = {
  ListBuckets: true,
  HeadBucket: true,
  GetBucketLocation: true,
  GetBucketVersioning: true,
  CreateBucket: true,
  ListObjects: true,
  ListObjectsV2: true,
  ListMultipartUploads: true,
  DeleteObjects: true,
  GetObject: true,
  GetObjectTagging: true,
  HeadObject: true,
  PutObject: true,
  CopyObject: true,
  DeleteObject: true,
  CreateMultipartUpload: true,
  UploadPart: true,
  UploadPartCopy: true,
  CompleteMultipartUpload: true,
  AbortMultipartUpload: true,
  ListParts: true,
};

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
  return Object.hasOwn(S3_OPERATIONS, operation) || OTHER_OPERATIONS.has(operation)
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

/** The metrics of one gateway process. */
export interface Metrics {
  /**
   * The request counter for the app of one config: its `bucket` labels name
   * only `bucketNames` (the config's buckets). A reload takes a new observer,
   * so requests still running on the old app count under the old names.
   */
  observer(bucketNames: Iterable<string>): Observer;
  /** Counts one JWKS or discovery fetch by outcome. */
  jwksFetch(outcome: "ok" | "error"): void;
  /** Counts one OIDC backend credential exchange (STS call) by outcome. */
  credentialExchange(outcome: "ok" | "error"): void;
  /** The text exposition, with `inFlight` requests as a gauge. */
  render(inFlight: number): string;
}

type Labels = Readonly<Record<string, string>>;

function escape(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escape(v)}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

/** A cheap map key for a label set (values in the caller's fixed key order). */
function keyOf(labels: Labels): string {
  let key = "";
  for (const k in labels) key += labels[k] + "\u0000";
  return key;
}

/** A counter family keyed by its label set. */
class Counter {
  readonly values = new Map<string, { labels: Labels; value: number }>();
  add(labels: Labels, n = 1): void {
    const key = keyOf(labels);
    const e = this.values.get(key);
    if (e) e.value += n;
    else this.values.set(key, { labels, value: n });
  }
}

/** A histogram family keyed by its label set; `counts[i]` holds values in bucket i only. */
class Histogram {
  readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; n: number }>();
  observe(labels: Labels, value: number): void {
    const key = keyOf(labels);
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
}

/** Creates an empty registry. */
export function createMetrics(): Metrics {
  const requests = new Counter();
  const bytesIn = new Counter();
  const bytesOut = new Counter();
  const backendErrors = new Counter();
  const stsIssued = new Counter();
  const jwks = new Counter();
  const exchanges = new Counter();
  const latency = new Histogram();

  const family = (name: string, help: string, type: string, c: Counter) => [
    `# HELP ${name} ${help}`,
    `# TYPE ${name} ${type}`,
    ...[...c.values.values()].map((e) => `${name}${labelText(e.labels)} ${e.value}`),
  ];

  return {
    observer(bucketNames) {
      const configured: ReadonlySet<string> = new Set(bucketNames);
      return (e) => {
        const operation = operationLabel(e.operation);
        const bucket = bucketLabel(e.bucket, configured);
        requests.add({ operation, bucket, status: statusLabel(e.status) });
        if (e.bytesIn) bytesIn.add({ operation, bucket }, e.bytesIn);
        if (e.bytesOut) bytesOut.add({ operation, bucket }, e.bytesOut);
        if (e.errorCode === "BackendError") backendErrors.add({ bucket });
        if (operation === "AssumeRoleWithWebIdentity" && e.status === 200) stsIssued.add({});
        latency.observe({ operation }, e.totalMs / 1000);
      };
    },
    jwksFetch(outcome) {
      jwks.add({ outcome });
    },
    credentialExchange(outcome) {
      exchanges.add({ outcome });
    },
    render(inFlight) {
      const lines = [
        ...family(
          "bucketgate_requests_total",
          "Requests by operation, bucket and status.",
          "counter",
          requests,
        ),
        ...family(
          "bucketgate_request_bytes_total",
          "Declared request payload bytes.",
          "counter",
          bytesIn,
        ),
        ...family(
          "bucketgate_response_bytes_total",
          "Declared response body bytes.",
          "counter",
          bytesOut,
        ),
        ...family(
          "bucketgate_backend_errors_total",
          "Requests that failed because a backend did (503).",
          "counter",
          backendErrors,
        ),
        ...family(
          "bucketgate_sts_credentials_issued_total",
          "Temporary credentials minted by AssumeRoleWithWebIdentity.",
          "counter",
          stsIssued,
        ),
        ...family(
          "bucketgate_jwks_fetches_total",
          "OIDC discovery and JWKS fetches by outcome.",
          "counter",
          jwks,
        ),
        ...family(
          "bucketgate_backend_credential_exchanges_total",
          "STS exchanges for auth_type: oidc backend credentials, by outcome.",
          "counter",
          exchanges,
        ),
        "# HELP bucketgate_requests_in_flight Requests being served now.",
        "# TYPE bucketgate_requests_in_flight gauge",
        `bucketgate_requests_in_flight ${inFlight}`,
        "# HELP bucketgate_request_duration_seconds Time to the response head and body, by operation.",
        "# TYPE bucketgate_request_duration_seconds histogram",
      ];
      for (const s of latency.series.values()) {
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
          `bucketgate_request_duration_seconds_bucket${
            labelText({ ...s.labels, le: "+Inf" })
          } ${s.n}`,
          `bucketgate_request_duration_seconds_sum${labelText(s.labels)} ${s.sum}`,
          `bucketgate_request_duration_seconds_count${labelText(s.labels)} ${s.n}`,
        );
      }
      return lines.join("\n") + "\n";
    },
  };
}
