/**
 * One count wherever it runs (issue 29 item 4), through real processes:
 * `--workers 2` enforce one anonymous burst between them, and two instances
 * sharing one redis-server do too; each would admit two bursts if it
 * counted alone.
 */
import assert from "node:assert/strict";
import { type LaunchedGateway, launchGateway } from "../_support/gateway.ts";
import { missingRedis, startRedis } from "../_support/redis.ts";

const BURST = 20;
const config = (store = "") => `
buckets:
  - { name: public, backend_type: memory, anonymous_access: true }
limits:
  - { match: { anonymous: true }, requests_per_second: 1, burst: ${BURST} }
${store}`;

/** Sends `n` anonymous GETs, each on a connection of its own, spread over `gateways`; the statuses. */
async function statuses(gateways: readonly LaunchedGateway[], n: number): Promise<number[]> {
  return await Promise.all(Array.from({ length: n }, async (_, i) => {
    const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
    try {
      const res = await fetch(`${gateways[i % gateways.length]!.url}/public/k${i}`, { client });
      await res.body?.cancel();
      return res.status;
    } finally {
      client.close();
    }
  }));
}

function admitted(codes: readonly number[]): number {
  assert.ok(codes.every((c) => c === 404 || c === 503), `${codes}`);
  return codes.filter((c) => c === 404).length;
}

Deno.test("--workers 2 keep one count: one burst between them, not two", async () => {
  await using gw = await launchGateway({
    config: config(),
    args: ["--workers", "2"],
    adminListen: "127.0.0.1:0",
  });
  const n = admitted(await statuses([gw], 3 * BURST));
  assert.ok(n >= BURST && n <= BURST + 3, `admitted ${n} of ${3 * BURST} (one burst: ${BURST})`);
  const metrics = await (await fetch(`${gw.adminUrl}/metrics`)).text();
  assert.match(
    metrics,
    new RegExp(
      `^bucketgate_throttled_total\\{limit="limits\\[0\\]:anonymous"\\} ${3 * BURST - n}$`,
      "m",
    ),
    "the rule's refusals, summed over both workers",
  );
  const res = await fetch(`${gw.adminUrl}/limits?prefix=bucketgate:rate:`);
  const body = await res.json();
  assert.equal(body.counters.length, 1, "one counter for the source network, named by its rule");
  assert.match(
    body.counters[0].key,
    /^bucketgate:rate:req:limits\[0\]:anonymous:127\.0\.0\.0\/24$/,
  );
});

const missing = await missingRedis();
Deno.test({
  name: `two instances sharing Redis keep one count${missing ? ` (skipped: ${missing})` : ""}`,
  ignore: missing !== undefined,
  async fn() {
    const redis = await startRedis();
    try {
      const store = `limits_store: redis://127.0.0.1:${redis.port}/0\n`;
      await using a = await launchGateway({ config: config(store) });
      await using b = await launchGateway({ config: config(store) });
      const n = admitted(await statuses([a, b], 3 * BURST));
      assert.ok(
        n >= BURST && n <= BURST + 3,
        `admitted ${n} of ${3 * BURST} (one burst: ${BURST})`,
      );
    } finally {
      await redis.stop();
    }
  },
});

Deno.test("a paced download (1 MiB at 128 KiB/s, 8 s: 2 s per 256 KiB read) never trips a 1 s idle timeout", async () => {
  const root = await Deno.makeTempDir({ prefix: "bucketgate-paced-" });
  const body = new Uint8Array(1024 * 1024).map((_, i) => i & 255);
  await Deno.writeFile(`${root}/paced.bin`, body);
  try {
    await using gw = await launchGateway({
      config: `client_idle_timeout_secs: 1
buckets:
  - { name: public, backend_type: fs, anonymous_access: true, backend_options: { root: "${root}" } }
limits:
  - { match: { bucket: public }, bytes_per_second_out: 131072 }
`,
    });
    const t0 = performance.now();
    const res = await fetch(`${gw.url}/public/paced.bin`);
    assert.equal(res.status, 200);
    const got = new Uint8Array(await res.arrayBuffer());
    const ms = performance.now() - t0;
    assert.deepEqual(got, body);
    assert.ok(ms >= 6000 && ms < 14000, `paced: ${Math.round(ms)} ms for 1 MiB at 128 KiB/s`);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
