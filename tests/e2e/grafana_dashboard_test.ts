/**
 * The Grafana dashboard (deploy/grafana/bucketgate.json) against real
 * Prometheus: Debian's `prometheus` scrapes a running gateway's admin
 * listener every second while clients send traffic, then every query of every
 * panel runs through Prometheus's HTTP API and must return data (the
 * throttled panel too: an anonymous limit refuses some of the traffic).
 */
import assert from "node:assert/strict";
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { freePort } from "../_support/ports.ts";
import { missingCommand, skippable } from "../_support/tools.ts";
import { type Gateway, sdkClient, startGateway } from "./_gateway.ts";

const DASHBOARD = new URL("../../deploy/grafana/bucketgate.json", import.meta.url);

/** Every PromQL expression of the dashboard, with the panel it belongs to. */
async function dashboardQueries(): Promise<{ panel: string; expr: string }[]> {
  const dash = JSON.parse(await Deno.readTextFile(DASHBOARD));
  return dash.panels.flatMap((p: { title: string; targets: { expr: string }[] }) =>
    p.targets.map((t) => ({ panel: p.title, expr: t.expr }))
  );
}

/** Grafana's variables as a Prometheus query may carry them, filled for a 1 s scrape. */
const fill = (expr: string) => expr.replaceAll("$__rate_interval", "30s");

/** Starts Prometheus scraping `target` (host:port) every second; stops with `stop`. */
async function startPrometheus(target: string) {
  const dir = await Deno.makeTempDir({ prefix: "bucketgate-prometheus-" });
  const port = freePort();
  await Deno.writeTextFile(
    `${dir}/prometheus.yml`,
    [
      "global: { scrape_interval: 1s, evaluation_interval: 1s }",
      "scrape_configs:",
      "  - job_name: bucketgate",
      `    static_configs: [{ targets: ["${target}"] }]`,
    ].join("\n"),
  );
  const child = new Deno.Command("prometheus", {
    args: [
      `--config.file=${dir}/prometheus.yml`,
      `--storage.tsdb.path=${dir}/data`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    child.kill("SIGTERM");
    await child.status;
    await Deno.remove(dir, { recursive: true });
  };
  return { url, stop };
}

/** The result list of an instant query (throws when Prometheus refuses it). */
async function query(prom: string, expr: string): Promise<unknown[]> {
  const res = await fetch(`${prom}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = await res.json();
  if (body.status !== "success") throw new Error(`${expr}: ${JSON.stringify(body)}`);
  return body.data.result;
}

/** Polls `check` every 250 ms for up to `ms`. */
async function until(ms: number, check: () => Promise<boolean>): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end;) {
    if (await check().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

/** A few seconds of traffic: a keyed upload and downloads, anonymous reads and refusals. */
async function traffic(gw: Gateway, seconds: number): Promise<void> {
  const s3 = sdkClient(gw);
  try {
    for (const end = Date.now() + seconds * 1000; Date.now() < end;) {
      await s3.send(new PutObjectCommand({ Bucket: "public-data", Key: "g.txt", Body: "grafana" }));
      const got = await s3.send(new GetObjectCommand({ Bucket: "public-data", Key: "g.txt" }));
      await got.Body!.transformToString();
      await (await fetch(`${gw.url}/public-data/g.txt`)).text();
      await (await fetch(`${gw.url}/private-uploads/no`)).text();
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    s3.destroy();
  }
}

Deno.test({
  ...skippable(
    "the Grafana dashboard's every query returns data from Prometheus scraping a gateway",
    await missingCommand("prometheus"),
  ),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // A tight anonymous limit: the throttled panel reads bucketgate_throttled_total itself.
    const gw = await startGateway([], {
      adminListen: "127.0.0.1:0",
      extraConfig: [
        "limits:",
        "  - { name: anonymous, match: { anonymous: true }, requests_per_second: 2, burst: 2 }",
      ],
    });
    const prom = await startPrometheus(new URL(gw.adminUrl!).host);
    try {
      const up = () => query(prom.url, 'up{job="bucketgate"} == 1').then((r) => r.length === 1);
      assert.ok(await until(30_000, up), "Prometheus scrapes the gateway");
      await traffic(gw, 6);
      const scraped = () =>
        query(prom.url, "bucketgate_principal_response_bytes_total").then((r) => r.length > 0);
      assert.ok(await until(10_000, scraped), "the traffic was scraped");
      await new Promise((r) => setTimeout(r, 2_000)); // two more scrapes: every rate has its points
      const queries = await dashboardQueries();
      assert.ok(queries.length >= 10, `${queries.length} queries`);
      const empty: string[] = [];
      for (const q of queries) {
        if ((await query(prom.url, fill(q.expr))).length === 0) empty.push(`${q.panel}: ${q.expr}`);
      }
      assert.deepEqual(empty, [], "queries without data");
    } finally {
      await prom.stop();
      await gw.stop();
    }
  },
});
