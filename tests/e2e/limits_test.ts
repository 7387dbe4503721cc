/**
 * One count wherever it runs (issue 29 item 4), through real processes:
 * `--workers 2` enforce one anonymous burst between them, and two instances
 * sharing one redis-server do too; each would admit two bursts if it
 * counted alone. On Redis a download under a byte quota costs one awaited
 * round trip (the rest is pipelined), and the 1 MiB quota still refuses the
 * crossing download whole.
 */
import assert from "node:assert/strict";
import { eventually } from "../_support/eventually.ts";
import { type LaunchedGateway, launchGateway } from "../_support/gateway.ts";
import { missingRedis, monitorRedis, startRedis } from "../_support/redis.ts";
import { DEV, READER, signedFetch, signedHeaders, startGateway } from "./_gateway.ts";

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

Deno.test({
  name:
    `on Redis a download under a 1 MiB/day quota costs one EVALSHA, its reservation pipelined; the crossing one is refused whole, only for that key${
      missing ? ` (skipped: ${missing})` : ""
    }`,
  ignore: missing !== undefined,
  async fn() {
    const redis = await startRedis();
    const monitor = await monitorRedis(redis.port);
    try {
      await using gw = await startGateway([], {
        extraConfig: [
          `limits_store: redis://127.0.0.1:${redis.port}/0`,
          "quotas:",
          `  - { match: { access_key_id: ${DEV.id} }, bytes_out_per_day: 1048576 }`,
        ],
      });
      for (const [name, size] of [["a", 600_000], ["b", 600_000], ["c", 448_576]] as const) {
        await Deno.writeFile(`${gw.dataDir}/readonly/${name}.bin`, new Uint8Array(size));
      }
      const head = await signedFetch(gw, "HEAD", "/readonly/a.bin"); // loads the script
      assert.equal(head.status, 200);
      // What a GET costs: the commands MONITOR shows from its start, once at least `expected` of
      // them arrived (MONITOR may lag) and 300 ms more passed (anything extra shows up too).
      const costOf = async (
        path: string,
        expected: number,
        key: typeof DEV | typeof READER = DEV,
      ) => {
        const before = monitor.commands().length;
        const res = await fetch(`${gw.url}${path}`, {
          headers: await signedHeaders(gw.port, "GET", path, {}, {}, undefined, key),
        });
        const body = await res.arrayBuffer();
        await eventually(() => monitor.commands().length - before >= expected, 5000, 20);
        await new Promise((r) => setTimeout(r, 300));
        return { res, body, sent: monitor.commands().slice(before) };
      };
      const first = await costOf("/readonly/a.bin", 3);
      assert.equal(first.res.status, 200);
      assert.equal(first.body.byteLength, 600_000);
      assert.deepEqual(
        first.sent,
        ["EVALSHA", "INCRBY", "PEXPIREAT"],
        "one awaited EVALSHA; the size reserved by INCRBY and PEXPIREAT, pipelined; nothing after",
      );
      const crossing = await costOf("/readonly/b.bin", 1);
      assert.equal(crossing.res.status, 429);
      assert.match(new TextDecoder().decode(crossing.body), /<Code>QuotaExceeded<\/Code>/);
      assert.ok(Number(crossing.res.headers.get("retry-after")) > 0);
      assert.deepEqual(crossing.sent, ["EVALSHA"], "refused on the admission's answer: one call");
      const other = await costOf("/readonly/b.bin", 0, READER);
      assert.equal(other.res.status, 200, "another key is not limited");
      assert.deepEqual(other.sent, [], "no rule for it: no store call");
      const fits = await costOf("/readonly/c.bin", 3);
      assert.equal(fits.res.status, 200, "what still fits the day is served");
      assert.deepEqual(fits.sent, ["EVALSHA", "INCRBY", "PEXPIREAT"]);
    } finally {
      monitor.close();
      await redis.stop();
    }
  },
});
