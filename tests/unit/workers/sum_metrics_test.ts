import assert from "node:assert/strict";
import { createMetrics, type Metrics, renderMetrics } from "../../../src/admin/metrics.ts";
import { fixedClock } from "../../../src/clock.ts";
import type { AccessLogEntry } from "../../../src/log/entry.ts";
import { emptySnapshot, sumSnapshots } from "../../../src/workers/sum_metrics.ts";

function entry(over: Partial<AccessLogEntry>): AccessLogEntry {
  return {
    requestId: "r",
    method: "GET",
    path: "/data/k",
    status: 200,
    totalMs: 3,
    operation: "GetObject",
    bucket: "data",
    bytesOut: 10,
    ...over,
  } as AccessLogEntry;
}

/** Feeds the same entries to one registry, or spread round-robin over `n`. */
function feed(entries: readonly AccessLogEntry[], n: number): Metrics[] {
  const clock = fixedClock(Date.UTC(2026, 11, 7, 12, 0, 30));
  const registries = Array.from({ length: n }, () => createMetrics(clock));
  const known = { keys: ["alice"], roles: [{ roleId: "ci", name: "CI" }] };
  const observers = registries.map((m) => m.observer(["data", "other"], known));
  entries.forEach((e, i) => observers[i % n]!(e));
  registries[0]!.jwksFetch("ok");
  registries[n - 1]!.jwksFetch("error");
  registries[n - 1]!.credentialExchange("ok");
  return registries;
}

const ENTRIES: AccessLogEntry[] = [
  entry({}),
  entry({ totalMs: 40 }),
  entry({ status: 404, bytesOut: 0 }),
  entry({ operation: "PutObject", bytesIn: 7, bytesOut: 0, totalMs: 700 }),
  entry({ bucket: "other", totalMs: 12_000 }),
  entry({ bucket: "made-up", status: 403 }),
  entry({ errorCode: "BackendError", status: 503, totalMs: 90_000 }),
  entry({ authMode: "access_key", principal: "alice", bytesOut: 30 }),
  entry({ authMode: "session", principal: "ci/run-1", bytesIn: 5, operation: "PutObject" }),
  entry({ authMode: "session", principal: "ci/run-2", bytesOut: 9 }),
];

Deno.test("sumSnapshots() of workers that split the requests renders as one registry that saw them all", () => {
  const [one] = feed(ENTRIES, 1);
  const workers = feed(ENTRIES, 3);
  // jwks/credential events above land on different registries in each split; both sum the same.
  const summed = sumSnapshots(workers.map((m) => m.snapshot()));
  const lines = (t: string) => t.split("\n").sort();
  assert.deepEqual(lines(renderMetrics(summed, 5)), lines(one!.render(5)));
  assert.deepEqual(summed.recent, one!.snapshot().recent, "the last hour sums minute by minute");
  assert.match(
    renderMetrics(summed, 0),
    /^bucketgate_principal_requests_total\{kind="role",principal="CI"\} 2$/m,
  );
});

Deno.test("sumSnapshots() adds counters and each histogram bucket, series in first-seen order", () => {
  const a = createMetrics();
  const b = createMetrics();
  a.observer(["data"])(entry({ totalMs: 1 }));
  b.observer(["data"])(entry({ totalMs: 1 }));
  b.observer(["data"])(entry({ operation: "HeadObject", totalMs: 2000 }));
  const s = sumSnapshots([a.snapshot(), b.snapshot()]);
  assert.deepEqual(s.counters.requests.map((c) => [c.labels.operation, c.value]), [
    ["GetObject", 2],
    ["HeadObject", 1],
  ]);
  const get = s.latency[0]!;
  assert.equal(get.n, 2);
  assert.equal(get.counts[0], 2, "both in the 5 ms bucket");
  assert.equal(get.sum, 0.002);
  const text = renderMetrics(s, 0);
  assert.match(
    text,
    /^bucketgate_request_duration_seconds_bucket\{operation="HeadObject",le="2.5"\} 1$/m,
  );
  assert.match(text, /^bucketgate_request_duration_seconds_count\{operation="GetObject"\} 2$/m);
});

Deno.test("sumSnapshots() of none is empty, and a snapshot is a copy", () => {
  assert.deepEqual(sumSnapshots([]), emptySnapshot());
  const m = createMetrics();
  const observe = m.observer(["data"]);
  observe(entry({}));
  const before = m.snapshot();
  observe(entry({}));
  assert.equal(before.counters.requests[0]!.value, 1);
  assert.equal(before.latency[0]!.n, 1);
  assert.equal(m.snapshot().counters.requests[0]!.value, 2);
  assert.deepEqual(structuredClone(before), before, "plain data: it crosses to the supervisor");
});
