import assert from "node:assert/strict";
import {
  bucketLabel,
  createMetrics,
  operationLabel,
  UNKNOWN_BUCKET,
  UNKNOWN_OPERATION,
} from "../../../src/admin/metrics.ts";
import { fixedClock } from "../../../src/clock.ts";
import type { AccessLogEntry } from "../../../src/log/entry.ts";
import { OPERATION_KINDS } from "../../../src/s3/operations.ts";

const entry = (o: Partial<AccessLogEntry>): AccessLogEntry => ({
  time: "2026-11-28T00:00:00.000Z",
  requestId: "R",
  method: "GET",
  status: 200,
  totalMs: 12,
  ...o,
});

/** The value of one sample line, by its exact name and labels. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

Deno.test("metrics count requests, bytes, backend errors, STS mints and latency", () => {
  const m = createMetrics();
  const observe = m.observer(["b"]);
  observe(entry({ operation: "GetObject", bucket: "b", bytesOut: 100, totalMs: 3 }));
  observe(entry({ operation: "GetObject", bucket: "b", bytesOut: 50, totalMs: 700 }));
  observe(
    entry({
      operation: "PutObject",
      bucket: "b",
      bytesIn: 7,
      status: 503,
      errorCode: "BackendError",
    }),
  );
  observe(entry({ operation: "AssumeRoleWithWebIdentity", status: 200 }));
  m.jwksFetch("ok");
  m.jwksFetch("error");
  const t = m.render(4);
  assert.equal(
    sample(t, 'bucketgate_requests_total{operation="GetObject",bucket="b",status="200"}'),
    2,
  );
  assert.equal(
    sample(t, 'bucketgate_requests_total{operation="PutObject",bucket="b",status="503"}'),
    1,
  );
  assert.equal(sample(t, 'bucketgate_response_bytes_total{operation="GetObject",bucket="b"}'), 150);
  assert.equal(sample(t, 'bucketgate_request_bytes_total{operation="PutObject",bucket="b"}'), 7);
  assert.equal(sample(t, 'bucketgate_backend_errors_total{bucket="b"}'), 1);
  assert.equal(sample(t, "bucketgate_sts_credentials_issued_total"), 1);
  assert.equal(sample(t, 'bucketgate_jwks_fetches_total{outcome="error"}'), 1);
  assert.equal(sample(t, "bucketgate_requests_in_flight"), 4);
  const h = 'bucketgate_request_duration_seconds_bucket{operation="GetObject",le=';
  assert.equal(sample(t, `${h}"0.005"}`), 1);
  assert.equal(sample(t, `${h}"0.5"}`), 1);
  assert.equal(sample(t, `${h}"1"}`), 2);
  assert.equal(sample(t, `${h}"+Inf"}`), 2);
  assert.equal(sample(t, 'bucketgate_request_duration_seconds_count{operation="GetObject"}'), 2);
  for (const line of t.trim().split("\n")) {
    assert.match(line, /^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? [0-9.e+-]+)$/, line);
  }
});

Deno.test("metrics escape label values", () => {
  const m = createMetrics();
  m.observer(['a"b\\c\nd'])(entry({ operation: "HeadBucket", bucket: 'a"b\\c\nd' }));
  assert.match(m.render(0), /bucket="a\\"b\\\\c\\nd"/);
});

Deno.test("metrics label only configured buckets and known operations", () => {
  const m = createMetrics();
  const observe = m.observer(["b"]);
  observe(entry({ operation: "GetObject", bucket: "made-up" }));
  observe(entry({ operation: "ListBuckets", bucket: "" }));
  observe(entry({ operation: "DescribeEverything" }));
  observe(entry({ operation: "CorsPreflight", bucket: "b" }));
  observe(entry({}));
  const t = m.render(0);
  assert.equal(
    sample(t, 'bucketgate_requests_total{operation="GetObject",bucket="(unknown)",status="200"}'),
    1,
  );
  assert.equal(
    sample(t, 'bucketgate_requests_total{operation="ListBuckets",bucket="",status="200"}'),
    1,
  );
  assert.equal(
    sample(t, 'bucketgate_requests_total{operation="unknown",bucket="",status="200"}'),
    2,
  );
  assert.equal(
    sample(t, 'bucketgate_requests_total{operation="CorsPreflight",bucket="b",status="200"}'),
    1,
  );
  assert.doesNotMatch(t, /made-up|DescribeEverything/);
});

Deno.test("a reload's observer labels the new config's buckets; the old app's keep theirs", () => {
  const m = createMetrics();
  const before = m.observer(["old", "kept"]);
  const after = m.observer(["kept", "new"]);
  before(entry({ operation: "GetObject", bucket: "old" }));
  after(entry({ operation: "GetObject", bucket: "old" }));
  after(entry({ operation: "GetObject", bucket: "new" }));
  const t = m.render(0);
  const total = (bucket: string) =>
    sample(t, `bucketgate_requests_total{operation="GetObject",bucket="${bucket}",status="200"}`);
  assert.equal(total("old"), 1);
  assert.equal(total("(unknown)"), 1);
  assert.equal(total("new"), 1);
});

Deno.test("operationLabel() keeps known operations, folds the rest into one label", () => {
  assert.equal(operationLabel("PutObject"), "PutObject");
  assert.equal(operationLabel("CorsPreflight"), "CorsPreflight");
  assert.equal(operationLabel("DescribeEverything"), UNKNOWN_OPERATION);
  assert.equal(operationLabel("constructor"), UNKNOWN_OPERATION);
  assert.equal(operationLabel(undefined), UNKNOWN_OPERATION);
  for (const op of OPERATION_KINDS) assert.equal(operationLabel(op), op);
});

Deno.test("bucketLabel() keeps configured buckets, folds others, and is empty without one", () => {
  const configured = new Set(["data"]);
  assert.equal(bucketLabel("data", configured), "data");
  assert.equal(bucketLabel("made-up", configured), UNKNOWN_BUCKET);
  assert.equal(bucketLabel("", configured), "");
  assert.equal(bucketLabel(undefined, configured), "");
});

Deno.test("per-principal counters: keys and roles by name, sessions folded, anonymous one series", () => {
  const m = createMetrics();
  const observe = m.observer(["b"], {
    keys: ["alice"],
    roles: [{ roleId: "r1", name: "ci" }],
  });
  observe(
    entry({ authMode: "access_key", principal: "alice", bytesIn: 4, operation: "PutObject" }),
  );
  observe(entry({ authMode: "session", principal: "r1/one", bytesOut: 6 }));
  observe(entry({ authMode: "session", principal: "r1/two", bytesOut: 1 }));
  observe(entry({ authMode: "anonymous", status: 403 }));
  observe(entry({}));
  const text = m.render(0);
  const p = (family: string, labels: string) =>
    sample(text, `bucketgate_principal_${family}{${labels}}`);
  assert.equal(p("requests_total", 'kind="access_key",principal="alice"'), 1);
  assert.equal(p("request_bytes_total", 'kind="access_key",principal="alice"'), 4);
  assert.equal(p("requests_total", 'kind="role",principal="ci"'), 2);
  assert.equal(p("response_bytes_total", 'kind="role",principal="ci"'), 7);
  assert.equal(p("requests_total", 'kind="anonymous",principal="anonymous"'), 2);
  assert.doesNotMatch(text, /r1\/one|principal="r1"/, "no session name, no role id");
});

Deno.test("throttledCounter(): one series per registered limit, present at 0 before any refusal", () => {
  const m = createMetrics();
  const anon = m.throttledCounter("anonymous");
  m.throttledCounter("bucket:public-data");
  anon();
  anon(2);
  const text = m.render(0);
  assert.equal(sample(text, 'bucketgate_throttled_total{limit="anonymous"}'), 3);
  assert.equal(sample(text, 'bucketgate_throttled_total{limit="bucket:public-data"}'), 0);
  const again = m.throttledCounter("anonymous");
  again();
  assert.equal(sample(m.render(0), 'bucketgate_throttled_total{limit="anonymous"}'), 4);
});

Deno.test("the observer counts each request in the recent ring by its own principal, bucket and status", () => {
  const m = createMetrics(fixedClock(Date.UTC(2026, 10, 28, 0, 0, 30)));
  const observe = m.observer(["b", "c"], { keys: ["alice"], roles: [] });
  observe(entry({ authMode: "access_key", principal: "alice", bucket: "b", bytesIn: 4 }));
  observe(entry({ authMode: "anonymous", bucket: "c", bytesOut: 6, status: 404 }));
  observe(entry({ authMode: "access_key", principal: "alice", bucket: "c", bytesOut: 1 }));
  observe(entry({ bucket: "b", status: 503 }));
  const [slot, ...rest] = m.snapshot().recent ?? [];
  assert.equal(rest.length, 0);
  assert.deepEqual(
    [slot?.requests, slot?.clientErrors, slot?.serverErrors, slot?.bytesIn, slot?.bytesOut],
    [4, 1, 1, 4, 7],
  );
  assert.deepEqual(slot?.principals, {
    "access_key:alice": { in: 4, out: 1 },
    anonymous: { in: 0, out: 6 },
  });
  assert.deepEqual(slot?.buckets, { b: { in: 4, out: 0 }, c: { in: 0, out: 7 } });
});
