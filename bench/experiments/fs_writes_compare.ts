// deno-lint-ignore-file no-console -- a bench script prints its results.
/**
 * What do conditional writes and durable commits cost on the fs backend
 * (issue 25)? One run drives, in turns (round after round, every contender
 * once a round, so other load on the machine falls on all alike), through the
 * real gateway process:
 *
 *   put    8 writers, each overwriting its own key with 1 KiB, no condition
 *   inm    8 writers, each writing new keys with `If-None-Match: *`
 *   im     8 writers, each replacing its own key with `If-Match: <its last ETag>`
 *   64m    one writer, 64 MiB PUTs (no condition)
 *
 * against three gateways, each over its own fs bucket:
 *
 *   before     `--baseline DIR`: another checkout's main.ts (e.g. main, `git archive main |
 *              tar -x -C DIR`), as today: check-then-rename, no fsync
 *   fsync-off  this checkout, the bucket with `fsync: false`
 *   fsync-on   this checkout, the default (fsync of file, sidecar and directories)
 *
 * The figures: requests per second, and the gateway's CPU µs per request (its
 * utime + stime from /proc over the run, divided by the requests answered),
 * which stays steady on a shared machine where req/s does not. Each cell is
 * the median over the rounds.
 *
 *   deno run -A bench/experiments/fs_writes_compare.ts [--baseline DIR] [--rounds 3] [--seconds 4]
 *                                          [--only put,inm,im,64m]
 */
import { parseArgs } from "node:util";
import { ACTIONS } from "../../src/config/types.ts";
import { type LaunchedGateway, launchGateway } from "../../tests/_support/gateway.ts";
import { freePort } from "../../tests/_support/ports.ts";
import { BENCH_KEY } from "../_gateway.ts";
import { presignPath } from "../_presign.ts";
import { fmt, median } from "./_cpu_rounds.ts";
import { cpuSeconds, initClockTicks, loadAverage, machineLine } from "../_system.ts";

const WORKLOADS = ["put", "inm", "im", "64m"] as const;
type Workload = typeof WORKLOADS[number];
const WRITERS = 8;
const KiB = 1024;
const MiB = 1024 * KiB;

/** One gateway over its own fs bucket. */
interface Contender {
  readonly name: string;
  readonly gw: LaunchedGateway;
  readonly dir: string;
}

/** One round's figures of one contender and workload. */
interface Sample {
  readonly rps: number;
  readonly cpuUs: number;
  readonly mbps: number;
  readonly failed: number;
}

async function startContender(
  name: string,
  o: { readonly root?: string; readonly fsync?: boolean },
): Promise<Contender> {
  const dir = await Deno.makeTempDir({ prefix: `bucketgate-fsw-${name}-` });
  const fsync = o.fsync === false ? ", fsync: false" : "";
  const config = [
    "buckets:",
    `  - { name: bench, backend_type: fs, anonymous_access: false, backend_options: { root: "${dir}/b"${fsync} } }`,
    "credentials:",
    `  - { access_key_id: ${BENCH_KEY.id}, secret_access_key: ${BENCH_KEY.secret}, principal_name: bench,`,
    `      allowed_scopes: [{ bucket: "*", prefixes: [], actions: [${ACTIONS.join(", ")}] }] }`,
  ].join("\n");
  const gw = await launchGateway({
    config,
    listen: `127.0.0.1:${await freePort()}`,
    ...(o.root ? { root: o.root } : {}),
    args: ["--log-level", "warn"],
    stdout: "null",
    stderr: "capture",
  });
  return { name, gw, dir };
}

/** A PUT of `body` to `key` (presigned), with `headers`; its status and ETag. */
async function put(
  c: Contender,
  key: string,
  body: Uint8Array,
  headers: Record<string, string> = {},
): Promise<{ status: number; etag: string | null }> {
  const path = await presignPath(BENCH_KEY, c.gw.port, "PUT", `/bench/${key}`);
  const res = await fetch(`${c.gw.url}${path}`, {
    method: "PUT",
    body: body as BodyInit,
    headers,
  });
  await res.body?.cancel();
  return { status: res.status, etag: res.headers.get("etag") };
}

/** One writer's loop until `until`: how many requests it sent and how many failed. */
async function writer(
  c: Contender,
  w: Workload,
  i: number,
  until: number,
): Promise<{ n: number; failed: number; bytes: number }> {
  const body = crypto.getRandomValues(new Uint8Array(w === "64m" ? 0 : KiB));
  const big = w === "64m" ? new Uint8Array(64 * MiB).fill(i) : body;
  let n = 0;
  let failed = 0;
  let etag: string | null = null;
  const own = `w${i}/${crypto.randomUUID()}`;
  if (w === "im") etag = (await put(c, own, body)).etag;
  while (performance.now() < until) {
    body[0] = n & 0xff;
    body[1] = (n >> 8) & 0xff;
    const r = w === "inm"
      ? await put(c, `w${i}/${crypto.randomUUID()}`, body, { "if-none-match": "*" })
      : w === "im"
      ? await put(c, own, body, { "if-match": etag ?? "*" })
      : await put(c, own, big);
    if (r.status !== 200) failed++;
    if (w === "im") etag = r.etag;
    n++;
  }
  return { n, failed, bytes: n * big.byteLength };
}

/** One round of `w` on `c` for `seconds`. */
async function measure(c: Contender, w: Workload, seconds: number): Promise<Sample> {
  const writers = w === "64m" ? 1 : WRITERS;
  const before = await cpuSeconds(c.gw.pid);
  const start = performance.now();
  const until = start + seconds * 1000;
  const done = await Promise.all(Array.from({ length: writers }, (_, i) => writer(c, w, i, until)));
  const wall = (performance.now() - start) / 1000;
  const cpu = await cpuSeconds(c.gw.pid) - before;
  const n = done.reduce((s, d) => s + d.n, 0);
  const bytes = done.reduce((s, d) => s + d.bytes, 0);
  return {
    rps: n / wall,
    cpuUs: cpu / n * 1e6,
    mbps: bytes / MiB / wall,
    failed: done.reduce((s, d) => s + d.failed, 0),
  };
}

/** Empties a contender's bucket between rounds (keeps the disk from filling with 64 MiB objects). */
async function emptyBucket(c: Contender): Promise<void> {
  for await (const e of Deno.readDir(`${c.dir}/b`)) {
    if (e.name.startsWith("w")) await Deno.remove(`${c.dir}/b/${e.name}`, { recursive: true });
  }
}

function report(
  contenders: readonly Contender[],
  workloads: readonly Workload[],
  samples: Map<string, Sample[]>,
): string {
  const lines = [
    "| workload | gateway | req/s | ms/req (latency) | CPU µs/req | MB/s | non-200 | CPU vs today's put | req/s vs today's put |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  // The reference: today's unconditional PUT of the same size (the `before` gateway).
  const ref = (w: Workload) => samples.get(`${w === "64m" ? "64m" : "put"} before`);
  for (const w of workloads) {
    const base = ref(w);
    const baseCpu = base ? median(base.map((s) => s.cpuUs)) : NaN;
    const baseRps = base ? median(base.map((s) => s.rps)) : NaN;
    for (const c of contenders) {
      const s = samples.get(`${w} ${c.name}`) ?? [];
      const cpu = median(s.map((x) => x.cpuUs));
      const rps = median(s.map((x) => x.rps));
      const writers = w === "64m" ? 1 : WRITERS;
      const vs = (x: number, y: number) => Number.isFinite(y) ? `${fmt(x / y, 2)}×` : "";
      lines.push(
        `| ${w} | ${c.name} | ${fmt(rps)} | ${fmt(writers / rps * 1000, 1)} | ${fmt(cpu)} | ${
          fmt(median(s.map((x) => x.mbps)), 1)
        } | ${s.reduce((n, x) => n + x.failed, 0)} | ${vs(cpu, baseCpu)} | ${vs(rps, baseRps)} |`,
      );
    }
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  const { values: flags } = parseArgs({
    args: Deno.args,
    options: {
      baseline: { type: "string" },
      rounds: { type: "string", default: "3" },
      seconds: { type: "string", default: "4" },
      only: { type: "string" },
    },
  });
  await initClockTicks();
  const workloads = flags.only
    ? WORKLOADS.filter((w) => flags.only!.split(",").includes(w))
    : [...WORKLOADS];
  const contenders: Contender[] = [];
  try {
    if (flags.baseline) contenders.push(await startContender("before", { root: flags.baseline }));
    contenders.push(await startContender("fsync-off", { fsync: false }));
    contenders.push(await startContender("fsync-on", {}));
    const samples = new Map<string, Sample[]>();
    const rounds = Number(flags.rounds);
    for (let round = 1; round <= rounds; round++) {
      for (const w of workloads) {
        for (const c of contenders) {
          const s = await measure(
            c,
            w,
            w === "64m" ? Number(flags.seconds) * 2 : Number(flags.seconds),
          );
          samples.set(`${w} ${c.name}`, [...samples.get(`${w} ${c.name}`) ?? [], s]);
          console.error(
            `round ${round} ${w} ${c.name}: ${fmt(s.rps)} req/s, ${
              fmt(s.cpuUs)
            } µs/req, ${s.failed} failed`,
          );
          await emptyBucket(c);
        }
      }
      console.error(`load average ${await loadAverage()}`);
    }
    console.log(`${await machineLine()}\n`);
    console.log(report(contenders, workloads, samples));
  } finally {
    for (const c of contenders) {
      await c.gw.stop();
      await Deno.remove(c.dir, { recursive: true }).catch(() => {});
    }
  }
}

if (import.meta.main) await main();
