import assert from "node:assert/strict";
import type { Status } from "../../../src/admin/status.ts";
import {
  chartSvg,
  escapeHtml,
  humanBytes,
  renderStatusPage,
} from "../../../src/admin/status_page.ts";

const NOW = Date.UTC(2026, 11, 7, 12, 30, 0);
const minute = Math.floor(NOW / 60_000);

function status(over: Partial<Status> = {}): Status {
  return {
    generatedAt: new Date(NOW).toISOString(),
    workers: 1,
    ready: true,
    inFlight: 0,
    buckets: [{ name: "data", ready: true }, { name: "<b>", ready: false }],
    totals: { requests: 12, clientErrors: 2, serverErrors: 1, bytesIn: 40, bytesOut: 2048 },
    principals: [{
      kind: "access_key",
      principal: `al"ice<script>`,
      requests: 12,
      bytesIn: 40,
      bytesOut: 2048,
    }],
    lastHour: {
      rates: { requests: 0.04, errors: 0.01 },
      minutes: [{
        minute,
        requests: 12,
        clientErrors: 2,
        serverErrors: 1,
        bytesIn: 40,
        bytesOut: 2048,
        principals: {},
        buckets: {},
      }],
      topPrincipals: [{ name: "access_key:alice", in: 40, out: 2048 }],
      topBuckets: [{ name: "data", in: 40, out: 2048 }],
    },
    quotas: [],
    ...over,
  };
}

Deno.test("the status page escapes every name and marks each number with data-metric", () => {
  const html = renderStatusPage(status(), NOW);
  assert.ok(!html.includes("<script>"), "no name becomes markup");
  assert.ok(!html.includes("<b>"));
  assert.ok(html.includes("al&quot;ice&lt;script&gt;"));
  assert.match(html, /data-metric="requests" data-value="12"/);
  assert.match(html, /data-metric="bytesOut" data-value="2048"/);
  assert.match(html, /data-metric="principal\.access_key:al&quot;ice&lt;script&gt;\.requests"/);
  assert.match(html, /does not answer/);
  assert.match(html, /no quotas configured/);
  assert.match(html, /<svg id="chart"/);
  assert.doesNotMatch(
    html,
    /<script|src=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/,
    "no script, no outside asset",
  );
});

Deno.test("the status page lists quotas when the limits report some, and names the workers summed", () => {
  const html = renderStatusPage(
    status({
      workers: 3,
      quotas: [{
        rule: "a<b>",
        subject: "key:AK<1>",
        resetsAt: "2026-12-08T00:00:00.000Z",
        measure: "bytes_out",
        window: "day",
        used: 5,
        limit: 9,
      }],
    }),
    NOW,
  );
  assert.doesNotMatch(html, /no quotas configured/);
  assert.match(html, /<td>key:AK&lt;1&gt;<\/td>/);
  assert.match(html, /<td>a&lt;b&gt;<\/td>/, "the rule's name, escaped");
  assert.match(html, /data-value="5">5<\/span> \/ <span[^>]*data-value="9">9</);
  assert.match(html, /<td>2026-12-08T00:00:00\.000Z<\/td>/, "when the window resets");
  assert.match(html, /summed over 3 workers/);
});

Deno.test("chartSvg(): one bar per minute with traffic, errors in red, placed by minute", () => {
  const svg = chartSvg(status().lastHour.minutes, NOW);
  assert.equal(svg.match(/class="req"/g)?.length, 1);
  assert.equal(svg.match(/class="err"/g)?.length, 1);
  assert.match(svg, /x="590\.0"/, "the current minute is the last bar");
  assert.match(chartSvg([], NOW), /<svg[^>]*>.*<\/svg>/s);
});

Deno.test("escapeHtml() and humanBytes()", () => {
  assert.equal(escapeHtml(`<a href="x">'&`), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;");
  assert.equal(humanBytes(512), "512 B");
  assert.equal(humanBytes(1536), "1.5 KiB");
  assert.equal(humanBytes(3 * 1024 ** 3), "3.0 GiB");
});
