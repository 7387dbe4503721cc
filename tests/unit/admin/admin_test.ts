import assert from "node:assert/strict";
import { createAdminHandler } from "../../../src/admin/admin.ts";
import { createMetrics } from "../../../src/admin/metrics.ts";
import type { Backend } from "../../../src/backends/backend.ts";
import { createFsBackend } from "../../../src/backends/fs/fs.ts";
import { createMemoryBackend } from "../../../src/backends/memory.ts";
import { proxyError } from "../../../src/errors.ts";

Deno.test("the admin handler: /healthz, /readyz probing every backend, /metrics, 404", async () => {
  const good = createMemoryBackend();
  const failing: Backend = {
    ...createMemoryBackend(),
    list: () => Promise.resolve({ ok: false, error: proxyError("BackendError", "down") }),
  };
  const stalled: Backend = { ...createMemoryBackend(), list: () => new Promise(() => {}) };
  let backends = new Map<string, Backend>([["a", good]]);
  const handle = createAdminHandler({
    metrics: createMetrics(),
    backends: () => backends,
    inFlight: () => 2,
    probeTimeoutMs: 50,
  });
  const get = async (path: string) => {
    const res = await handle(new Request(`http://admin${path}`));
    return [res.status, await res.text()] as const;
  };
  assert.deepEqual(await get("/healthz"), [200, "ok\n"]);
  assert.deepEqual(await get("/readyz"), [200, "ready\n"]);
  backends = new Map([["a", good], ["b", failing], ["c", stalled]]);
  const [status, body] = await get("/readyz");
  assert.equal(status, 503);
  assert.match(body, /b, c/);
  const [ms, metrics] = await get("/metrics");
  assert.equal(ms, 200);
  assert.match(metrics, /^bucketgate_requests_in_flight 2$/m);
  assert.equal((await get("/nope"))[0], 404);
});

Deno.test("/readyz asks a backend's probe instead of listing it (fs: a stat of its root)", async () => {
  const root = await Deno.makeTempDir({ prefix: "bucketgate-readyz-" });
  try {
    const fs = createFsBackend({ root: `${root}/bucket` });
    let listed = 0;
    const noListing = (b: Backend): Backend => ({ ...b, list: (o) => (listed++, b.list(o)) });
    await Deno.mkdir(`${root}/bucket`);
    const probed: Backend = {
      ...createMemoryBackend(),
      probe: () => Promise.resolve({ ok: false, error: proxyError("BackendError", "down") }),
    };
    let backends = new Map<string, Backend>([["fs", noListing(fs)]]);
    const handle = createAdminHandler({
      metrics: createMetrics(),
      backends: () => backends,
      inFlight: () => 0,
    });
    assert.equal((await handle(new Request("http://admin/readyz"))).status, 200);
    await Deno.remove(`${root}/bucket`);
    assert.equal((await handle(new Request("http://admin/readyz"))).status, 503, "root gone");
    backends = new Map([["p", noListing(probed)]]);
    assert.equal((await handle(new Request("http://admin/readyz"))).status, 503);
    assert.equal(listed, 0, "no backend with a probe was listed");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("the status page / and /status.json: backend health, totals, quota placeholder; readings override", async () => {
  const metrics = createMetrics();
  metrics.observer(["a"])({
    time: "t",
    requestId: "r",
    method: "GET",
    status: 200,
    totalMs: 1,
    operation: "GetObject",
    bucket: "a",
    bytesOut: 5,
  });
  const failing: Backend = {
    ...createMemoryBackend(),
    list: () => Promise.resolve({ ok: false, error: proxyError("BackendError", "down") }),
  };
  const backends = new Map<string, Backend>([["a", createMemoryBackend()], ["b", failing]]);
  const handle = createAdminHandler({ metrics, backends: () => backends, inFlight: () => 1 });
  const json = await (await handle(new Request("http://admin/status.json"))).json();
  assert.deepEqual(json.buckets, [{ name: "a", ready: true }, { name: "b", ready: false }]);
  assert.equal(json.totals.requests, 1);
  assert.equal(json.totals.bytesOut, 5);
  assert.equal(json.workers, 1);
  assert.deepEqual(json.quotas, []);
  const res = await handle(new Request("http://admin/"));
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type")!, /^text\/html/);
  assert.match(res.headers.get("content-security-policy")!, /default-src 'none'/);
  const html = await res.text();
  assert.match(html, /no quotas configured/);
  assert.match(html, /data-metric="requests" data-value="1"/);

  const summed = createAdminHandler({
    metrics,
    backends: () => backends,
    inFlight: () => 1,
    readings: () => Promise.resolve({ snapshot: metrics.snapshot(), inFlight: 9, workers: 2 }),
    quotas: () => [{
      rule: "quotas[0]:bucket:a",
      subject: "bucket:a",
      measure: "requests",
      window: "day",
      used: 1,
      limit: 10,
      resetsAt: "2026-12-08T00:00:00.000Z",
    }],
  });
  const text = await (await summed(new Request("http://admin/metrics"))).text();
  assert.match(text, /^bucketgate_requests_in_flight 9$/m, "/metrics shows the readings");
  const s = await (await summed(new Request("http://admin/status.json"))).json();
  assert.equal(s.workers, 2);
  assert.equal(s.quotas.length, 1);
  assert.match(await (await summed(new Request("http://admin/"))).text(), /summed over 2 workers/);
});
