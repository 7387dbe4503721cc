import assert from "node:assert/strict";
import { createSummedAdmin } from "../../../src/workers/admin.ts";

function summed() {
  const passed: string[] = [];
  const handler = createSummedAdmin({
    admin: (req) => {
      passed.push(`${req.method} ${new URL(req.url).pathname}`);
      return Promise.resolve(new Response("ready\n", { status: 200 }));
    },
    metricsText: () => Promise.resolve("bucketgate_requests_total 3\n"),
  });
  return { handler, passed };
}

Deno.test("createSummedAdmin(): GET /metrics is the workers' sum, uncached, in the text format", async () => {
  const { handler, passed } = summed();
  const res = await handler(new Request("http://admin/metrics"));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/plain; version=0.0.4");
  assert.equal(res.headers.get("cache-control"), "no-store");
  assert.equal(await res.text(), "bucketgate_requests_total 3\n");
  const head = await handler(new Request("http://admin/metrics", { method: "HEAD" }));
  assert.equal(head.status, 200);
  await head.body?.cancel();
  assert.deepEqual(passed, []);
});

Deno.test("createSummedAdmin(): every other path and method is the ordinary admin handler's", async () => {
  const { handler, passed } = summed();
  for (
    const req of [
      new Request("http://admin/readyz"),
      new Request("http://admin/healthz"),
      new Request("http://admin/metrics", { method: "POST" }),
      new Request("http://admin/metrics/x"),
    ]
  ) {
    assert.equal(await (await handler(req)).text(), "ready\n");
  }
  assert.deepEqual(passed, ["GET /readyz", "GET /healthz", "POST /metrics", "GET /metrics/x"]);
});
