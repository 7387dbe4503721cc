/**
 * The admin listener's status page in headless Chromium, over a gateway of
 * two workers: it renders, each number it shows (totals, per principal)
 * equals the sum of the /metrics series it stands for, /status.json says the
 * same, its quota row shows the key's use counted by both workers in one
 * table, and its screenshot is not blank.
 */
import assert from "node:assert/strict";
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { skippable } from "../_support/tools.ts";
import { dumpDom, noChromium, screenshot } from "./_chromium.ts";
import { pngColours } from "./_png.ts";
import { DEV, sdkClient, startGateway } from "./_gateway.ts";

/** The sum of every sample of a metric family whose labels include `having`. */
function total(text: string, name: string, having = ""): number {
  let n = 0;
  for (const line of text.split("\n")) {
    const m = /^(\w+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m && m[1] === name && (m[2] ?? "").includes(having)) n += Number(m[3]);
  }
  return n;
}

/** `data-metric` → `data-value` of every number on the page. */
function pageNumbers(dom: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of dom.matchAll(/data-metric="([^"]*)" data-value="([^"]*)"/g)) {
    out.set(m[1]!.replace(/&quot;/g, '"').replace(/&amp;/g, "&"), Number(m[2]));
  }
  return out;
}

Deno.test({
  ...skippable(
    "status page: renders in Chromium, its numbers are /metrics' sums over 2 workers, not blank",
    noChromium,
  ),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const gw = await startGateway([], {
      args: ["--workers", "2"],
      adminListen: "127.0.0.1:0",
      extraConfig: [
        "quotas:",
        `  - { name: dev-daily, match: { access_key_id: ${DEV.id} }, requests_per_day: 1000 }`,
      ],
    });
    const s3 = sdkClient(gw);
    try {
      const admin = gw.adminUrl!;
      await s3.send(new PutObjectCommand({ Bucket: "public-data", Key: "s.txt", Body: "status!" }));
      for (let i = 0; i < 4; i++) {
        const got = await s3.send(new GetObjectCommand({ Bucket: "public-data", Key: "s.txt" }));
        await got.Body!.transformToString();
      }
      for (let i = 0; i < 3; i++) await (await fetch(`${gw.url}/public-data/s.txt`)).text();
      await (await fetch(`${gw.url}/private-uploads/nope`)).text(); // anonymous 403
      const metrics = await (await fetch(`${admin}/metrics`)).text();
      const dom = await dumpDom(`${admin}/`);
      assert.match(dom, /<h1>bucketgate status<\/h1>/, dom.slice(0, 500));
      assert.match(dom, /summed over 2 workers/);
      assert.match(dom, /<table id="quotas">/);
      assert.match(dom, /<svg id="chart"/);
      const shown = pageNumbers(dom);
      const expected: [string, number][] = [
        ["requests", total(metrics, "bucketgate_requests_total")],
        ["clientErrors", total(metrics, "bucketgate_requests_total", 'status="4')],
        ["bytesIn", total(metrics, "bucketgate_request_bytes_total")],
        ["bytesOut", total(metrics, "bucketgate_response_bytes_total")],
      ];
      for (const [kind, principal] of [["access_key", "dev"], ["anonymous", "anonymous"]]) {
        const labels = `kind="${kind}",principal="${principal}"`;
        const key = `principal.${kind}:${principal}`;
        expected.push(
          [`${key}.requests`, total(metrics, "bucketgate_principal_requests_total", labels)],
          [`${key}.bytesIn`, total(metrics, "bucketgate_principal_request_bytes_total", labels)],
          [`${key}.bytesOut`, total(metrics, "bucketgate_principal_response_bytes_total", labels)],
        );
      }
      for (const [metric, value] of expected) {
        assert.equal(shown.get(metric), value, `${metric} on the page`);
      }
      assert.equal(shown.get("requests"), 9, "the requests sent");
      assert.equal(shown.get("principal.access_key:dev.requests"), 5);
      assert.equal(shown.get("principal.access_key:dev.bytesOut"), 4 * 7);
      assert.equal(shown.get("principal.anonymous:anonymous.requests"), 4);
      // Both workers count in the supervisor's one table, which the page reads.
      assert.equal(shown.get("quota.dev-daily.requests.day.used"), 5, "the key's 5 requests");
      assert.equal(shown.get("quota.dev-daily.requests.day.limit"), 1000);

      const json = await (await fetch(`${admin}/status.json`)).json();
      assert.equal(json.workers, 2);
      assert.equal(json.totals.requests, 9);
      assert.equal(json.totals.bytesOut, shown.get("bytesOut"));
      assert.deepEqual(json.buckets.map((b: { ready: boolean }) => b.ready), [true, true, true]);
      assert.equal(json.lastHour.topPrincipals[0].name, "access_key:dev");
      assert.deepEqual(
        json.quotas.map((q: { rule: string; used: number }) => [q.rule, q.used]),
        [["dev-daily", 5]],
      );

      const png = await screenshot(`${admin}/`);
      const { width, height, colours } = await pngColours(png);
      assert.ok(width >= 800 && height >= 600, `${width}×${height}`);
      assert.ok(colours > 8, `the screenshot has ${colours} colours`);
    } finally {
      s3.destroy();
      await gw.stop();
    }
  },
});
