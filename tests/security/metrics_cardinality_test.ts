/**
 * /metrics label cardinality: 10,000 requests from a stranger, with made-up
 * bucket names, STS Action values, methods and preflights, go through the
 * whole app into the metrics; every family keeps a bounded number of series
 * and the page stays small, because label values come only from the config
 * and fixed lists. The per-principal series name configured keys and roles
 * only: a stranger's made-up access key ids and session tokens are anonymous
 * or "(unknown)", and no key id or secret becomes a label.
 */
import assert from "node:assert/strict";
import { createMetrics } from "../../src/admin/metrics.ts";
import { throttledCounters } from "../../src/cli/runtime.ts";
import type { AccessLogEntry } from "../../src/log/entry.ts";
import { ADMIN, harness, makeRequest, READER, testConfig } from "../integration/_harness.ts";
import { fuzzSeed, Rng, stringFrom } from "./_fuzz.ts";

const NAME = "abcdefghijklmnopqrstuvwxyz0123456789-";
const TOKEN = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** One stranger's request, and the made-up values it carries. */
function strangerRequest(rng: Rng): { req: Promise<Request>; made: string[] } {
  const bucket = "x" + stringFrom(rng, NAME, 20);
  const action = "A" + stringFrom(rng, TOKEN, 20);
  const method = "M" + stringFrom(rng, TOKEN, 10).toUpperCase();
  const key = { id: "AKID" + stringFrom(rng, TOKEN, 16).toUpperCase(), secret: "s" + bucket };
  switch (rng.int(8)) {
    case 0:
      return { req: makeRequest(`/${bucket}/key`), made: [bucket] };
    case 1:
      return { req: makeRequest(`/?Action=${action}&Version=2011-06-15`), made: [action] };
    case 2:
      return {
        req: makeRequest("/", {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: `Action=${action}`,
        }),
        made: [action],
      };
    case 3:
      return { req: makeRequest(`/${bucket}/k`, { method }), made: [bucket, method] };
    case 5:
      return { req: makeRequest(`/private-uploads/k`, { key }), made: [key.id, key.secret] };
    case 6: {
      const token = "T" + stringFrom(rng, TOKEN, 40);
      return {
        req: makeRequest(`/private-uploads/k`, { key: { ...key, token } }),
        made: [key.id, token],
      };
    }
    case 7: {
      const known = rng.int(2) === 0 ? ADMIN : READER;
      return { req: makeRequest(`/${bucket}/k`, { key: known }), made: [bucket] };
    }
    default:
      return {
        req: makeRequest(`/${bucket}/k`, {
          method: "OPTIONS",
          headers: { origin: "https://evil.test", "access-control-request-method": "GET" },
        }),
        made: [bucket],
      };
  }
}

/** Series per family: sample lines by metric name (histogram parts under their base name). */
function seriesCounts(page: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of page.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const name = /^(\w+)/.exec(line)![1]!.replace(/_(bucket|sum|count)$/, "");
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

Deno.test("10,000 strangers' requests with made-up buckets, STS actions and methods keep /metrics bounded", async () => {
  const config = testConfig();
  const h = harness(config);
  const metrics = createMetrics();
  const observe = metrics.observer(config.buckets.map((b) => b.name), {
    keys: config.credentials.map((c) => c.principalName),
    roles: config.roles,
  });
  const rng = new Rng(fuzzSeed());
  const made = new Set<string>();
  for (let i = 0; i < 10_000; i++) {
    const r = strangerRequest(rng);
    r.made.forEach((m) => made.add(m));
    await (await h.handle(await r.req)).body?.cancel();
  }
  assert.equal(h.logs.length, 10_000);
  h.logs.forEach(observe);
  const page = metrics.render(0);
  const counts = seriesCounts(page);
  // Histograms have 15 lines per operation; counters a handful of series each.
  for (const [family, n] of counts) {
    const bound = family === "bucketgate_request_duration_seconds" ? 15 * 8 : 40;
    assert.ok(n <= bound, `${family}: ${n} series (bound ${bound})`);
  }
  assert.ok(page.length < 16_384, `the page is ${page.length} bytes`);
  for (const value of made) {
    assert.ok(!page.includes(`"${value}"`), `a stranger's value became a label: ${value}`);
  }
  const buckets = new Set([...page.matchAll(/bucket="([^"]*)"/g)].map((m) => m[1]));
  const allowed = new Set(["", "(unknown)", ...config.buckets.map((b) => b.name)]);
  for (const b of buckets) assert.ok(allowed.has(b!), `bucket label ${b}`);
  const principals = new Set([...page.matchAll(/principal="([^"]*)"/g)].map((m) => m[1]));
  const named = new Set([
    "anonymous",
    "(unknown)",
    ...config.credentials.map((c) => c.principalName),
    ...config.roles.map((r) => r.name),
  ]);
  for (const p of principals) assert.ok(named.has(p!), `principal label ${p}`);
  assert.ok(principals.has("admin") && principals.has("reader"), "configured keys by name");
  for (const c of config.credentials) {
    assert.ok(!page.includes(c.accessKeyId), "no access key id when a principal_name exists");
    assert.ok(!page.includes(c.secretAccessKey), "never a secret");
  }
});

Deno.test("made-up principals in log entries (keys, sessions of unknown roles) fold into (unknown)", () => {
  const metrics = createMetrics();
  const observe = metrics.observer(["b"], {
    keys: ["alice"],
    roles: [{ roleId: "r", name: "ci" }],
  });
  const rng = new Rng(fuzzSeed());
  for (let i = 0; i < 5_000; i++) {
    const name = "x" + stringFrom(rng, TOKEN, 12);
    const authMode = (["access_key", "session", "web_identity", "anonymous"] as const)[rng.int(4)]!;
    const principal = authMode === "access_key" ? name : `${name}/${stringFrom(rng, TOKEN, 8)}`;
    const e: AccessLogEntry = {
      time: "2026-12-07T00:00:00.000Z",
      requestId: String(i),
      method: "GET",
      status: 200,
      totalMs: 1,
      bucket: "b",
      operation: "GetObject",
      authMode,
      principal,
      bytesOut: 1,
    };
    observe(e);
  }
  const page = metrics.render(0);
  const principals = [...page.matchAll(/^bucketgate_principal_requests_total\{(.*)\} /gm)]
    .map((m) => m[1]);
  assert.deepEqual(principals.sort(), [
    'kind="access_key",principal="(unknown)"',
    'kind="anonymous",principal="anonymous"',
    'kind="role",principal="(unknown)"',
  ]);
  const status = metrics.snapshot().recent!;
  const keys = new Set(status.flatMap((s) => Object.keys(s.principals)));
  assert.ok(keys.size <= 3, `the status ring's principals: ${[...keys]}`);
});

Deno.test("throttled series are one per configured rule, whatever the callers: 3,000 floods from random networks and keys", async () => {
  const config = testConfig({
    limits: [
      {
        name: "limits[0]:anonymous",
        match: { anonymous: true },
        requestsPerSecond: 1,
        burst: 1,
        ipv4Prefix: 24,
        ipv6Prefix: 64,
      },
      { name: "limits[1]:bucket:private", match: { bucket: "private" }, requestsPerSecond: 1 },
    ],
    quotas: [{ name: "quotas[0]:key", match: { accessKeyId: ADMIN.id }, requestsPerDay: 5 }],
  });
  const metrics = createMetrics();
  const h = harness(config, { onThrottled: throttledCounters(metrics, config) });
  const rng = new Rng(fuzzSeed());
  let refused = 0;
  for (let i = 0; i < 3_000; i++) {
    const ip = `${rng.int(256)}.${rng.int(256)}.${rng.int(4)}.${rng.int(256)}`;
    const key = rng.int(3) === 0
      ? ADMIN
      : { id: "AKID" + stringFrom(rng, TOKEN, 16).toUpperCase(), secret: "made-up" };
    const req = await makeRequest(rng.int(2) === 0 ? "/public/k" : "/private/k", { key });
    const res = await h.app(req, { remoteAddr: { hostname: ip, port: 1 } });
    if (res.status === 503 || res.status === 429) refused++;
    await res.body?.cancel();
  }
  const series = metrics.snapshot().counters.throttled;
  assert.deepEqual(series.map((s) => s.labels.limit).sort(), [
    "limits[0]:anonymous",
    "limits[1]:bucket:private",
    "quotas[0]:key",
  ]);
  assert.ok(refused > 100, `${refused} refused`);
  assert.equal(series.reduce((n, s) => n + s.value, 0), refused, "each refusal counted once");
});
