// deno-lint-ignore-file no-console -- a bench script prints its results.
/**
 * What does bucketgate's own pipeline cost per request? One run drives, in
 * turns (round after round, every contender once a round, so other load on
 * the machine falls on all alike), a 1 KiB GET through:
 *
 *   nginx       nginx proxy_pass to the nginx origin (upstream keepalive; the reference)
 *   memory      Deno.serve answering 1 KiB from memory (bench/_floor.ts: Deno's serve floor)
 *   memory-s3   the same, but reading what the gateway must read of a request and sending
 *               a GetObject answer's seven headers
 *   relay       Deno.serve + a `fetch` relay to the origin (bench/_floor.ts: the s3 backend's
 *               transport without anything of ours)
 *   anon-fs     bucketgate, anonymous, `fs` backend over the origin's directory
 *   sig-fs      bucketgate, presigned SigV4, `fs` backend
 *   anon-s3     bucketgate, anonymous, `s3` backend → the nginx origin (`skip_signature`)
 *   sig-s3      bucketgate, presigned SigV4, `s3` backend → the nginx origin
 *
 * The figure is the server process's CPU time over a run (utime + stime from
 * /proc/<pid>/stat) divided by the requests it answered: stable on a shared
 * machine where req/s is not. bucketgate's own cost is its figure minus the
 * floor under it (`memory` for fs, `relay` for s3).
 *
 *   deno run -A bench/experiments/pipeline_compare.ts [--rounds 3] [--seconds 5] [--connections 64]
 *                                         [--only nginx,memory,anon-fs] [--cpu-prof DIR]
 *                                         [--workers 1,2] [--warmup 1]
 *
 * Every contender first takes `--warmup` seconds of load (not measured), so
 * the first round does not carry the JIT's start.
 *
 * `--cpu-prof DIR` starts the gateway under `deno run --cpu-prof` (profiles
 * written to DIR when it exits). `--baseline DIR` also runs the bucketgate
 * contenders on a second gateway started from another checkout's main.ts
 * (e.g. `git archive main | tar -x -C DIR`), in the same rounds: before and
 * after in one run; `--baseline-label` names it in the table (e.g. `send`
 * when the baseline is this branch with the fetch/node:http transport).
 *
 * `--workers 1,2` runs the bucketgate contenders on one gateway per count
 * (`bucketgate --workers N`: N isolates on one port, reusePort), in the same
 * rounds; the first count is the main gateway, the others are named `@wN`.
 * Every row also gives the load generator's own CPU (wrk's cores, from its
 * process's /proc stat) and the server's (cores busy over the run): on a
 * machine with few cores they share them, and the table says so.
 *
 * `--big` then moves 1 GiB through each gateway's `s3` backend (curl, one at
 * a time): a GET of the origin's 1g.bin, and a presigned PUT of the same
 * bytes (the origin stores it through nginx's DAV module): MB/s, the
 * gateway's CPU seconds per GiB, and its peak RSS over the transfer.
 */
import { parseArgs } from "node:util";
import { startOrigin, startProxy } from "../_nginx.ts";
import { startFloor } from "../_floor.ts";
import { presignPath } from "../_presign.ts";
import { BENCH_KEY } from "../_gateway.ts";
import { ACTIONS } from "../../src/config/types.ts";
import {
  cpuSeconds,
  ensureTools,
  initClockTicks,
  loadAverage,
  machineLine,
  trackPeakRss,
  waitForPort,
} from "../_system.ts";
import { freePort } from "../../tests/_support/ports.ts";
import { fmt, measureRound, median, runRounds, type Sample } from "./_cpu_rounds.ts";

const KINDS = [
  "nginx",
  "memory",
  "memory-s3",
  "relay",
  "anon-fs",
  "sig-fs",
  "anon-s3",
  "sig-s3",
] as const;
type Base = typeof KINDS[number];
/**
 * A contender, or a bucketgate one on another gateway: the baseline checkout
 * (`@base`) or another `--workers` count (`@w2`).
 */
type Kind = Base | `${Base}@${string}`;

const LABELS: Readonly<Record<Base, string>> = {
  nginx: "nginx proxy_pass → origin (upstream keepalive)",
  memory: "floor: Deno.serve answering 1 KiB from memory",
  "memory-s3": "floor: the same, reading headers, peer, signal, completed; 7 response headers",
  relay: "floor: Deno.serve + fetch relay → origin",
  "anon-fs": "bucketgate anonymous, fs backend",
  "sig-fs": "bucketgate presigned SigV4, fs backend",
  "anon-s3": "bucketgate anonymous, s3 backend → origin",
  "sig-s3": "bucketgate presigned SigV4, s3 backend → origin",
};

/** A process under load and the path it is driven with. */
interface Contender {
  readonly kind: Kind;
  readonly port: number;
  readonly path: string;
  pids(): Promise<number[]>;
}

/** bucketgate's config: an anonymous and a signed bucket over each backend. */
function gatewayConfig(port: number, originPort: number, dir: string): string {
  const origin = `{ endpoint: "http://127.0.0.1:${originPort}", bucket_name: bench, ` +
    `region: us-east-1, skip_signature: true }`;
  const all = `[${ACTIONS.join(", ")}]`;
  return [
    `listen: 127.0.0.1:${port}`,
    "region: us-east-1",
    "buckets:",
    `  - { name: anon-s3, backend_type: s3, anonymous_access: true, backend_options: ${origin} }`,
    `  - { name: sig-s3, backend_type: s3, anonymous_access: false, backend_options: ${origin} }`,
    `  - { name: anon-fs, backend_type: fs, anonymous_access: true, backend_options: { root: "${dir}" } }`,
    `  - { name: sig-fs, backend_type: fs, anonymous_access: false, backend_options: { root: "${dir}" } }`,
    "credentials:",
    `  - { access_key_id: ${BENCH_KEY.id}, secret_access_key: ${BENCH_KEY.secret}, principal_name: bench,`,
    `      allowed_scopes: [{ bucket: "*", prefixes: [], actions: ${all} }] }`,
  ].join("\n");
}

const ROOT = new URL("../../", import.meta.url).pathname;

/** Starts `deno run main.ts` (its access log to /dev/null), under --cpu-prof when asked. */
async function startGateway(o: {
  readonly work: string;
  readonly originPort: number;
  readonly dir: string;
  readonly cpuProf?: string;
  /** The checkout whose main.ts runs. @default this one */
  readonly root?: string;
  /** `--workers N`. @default 1 (the flag not given) */
  readonly workers?: number;
}) {
  const port = freePort();
  const root = o.root ?? ROOT;
  const config = `${o.work}/gateway-${port}.yaml`;
  await Deno.writeTextFile(config, gatewayConfig(port, o.originPort, o.dir));
  const prof = o.cpuProf ? ["--cpu-prof", `--cpu-prof-dir=${o.cpuProf}`] : [];
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      ...prof,
      `${root}/main.ts`,
      "--config",
      config,
      ...(o.workers && o.workers > 1 ? ["--workers", String(o.workers)] : []),
    ],
    cwd: root,
    stdin: "null",
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  await waitForPort(port, 60_000);
  // The first worker to listen answers the port; give the others time to start.
  if (o.workers && o.workers > 1) await new Promise((r) => setTimeout(r, 2_000));
  return {
    port,
    pid: child.pid,
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* gone */ }
      await child.status;
    },
  };
}

const FLOOR: Partial<Record<Base, Base>> = {
  "anon-fs": "memory",
  "sig-fs": "memory",
  "anon-s3": "relay",
  "sig-s3": "relay",
};

const baseOf = (k: Kind) => k.replace(/@.*$/, "") as Base;
/** The label of each gateway variant, by its suffix (`@base`, `@w2`). */
const variantLabels = new Map<string, string>();
const labelOf = (k: Kind) => {
  const at = k.indexOf("@");
  const suffix = at < 0 ? "" : k.slice(at);
  const variant = FLOOR[baseOf(k)] ? variantLabels.get(suffix) ?? suffix : "";
  return LABELS[baseOf(k)] + (variant ? ` (${variant})` : "");
};

/** A gateway for the 1 GiB transfers. */
interface BigTarget {
  readonly label: string;
  readonly port: number;
  readonly pid: number;
}

/** One transfer with curl: its MB/s, the gateway's CPU seconds and peak RSS over it. */
async function bigTransfer(t: BigTarget, args: readonly string[]) {
  const before = await cpuSeconds(t.pid);
  const peak = await trackPeakRss(t.pid);
  const out = await new Deno.Command("curl", {
    args: [
      "-sS",
      "-o",
      "/dev/null",
      "-w",
      "%{http_code} %{size_download} %{size_upload} %{time_total}",
      ...args,
    ],
    stdout: "piped",
  }).output();
  const rss = await peak();
  const cpu = await cpuSeconds(t.pid) - before;
  const [code, down, up, time] = new TextDecoder().decode(out.stdout).split(" ").map(Number);
  return { code: code!, bytes: Math.max(down!, up!), seconds: time!, cpu, rss };
}

/** GET and PUT of 1 GiB through each gateway's s3 backend. */
async function bigTable(targets: readonly BigTarget[], file: string): Promise<string> {
  const lines = [
    "| gateway | GET 1 GiB MB/s | GET CPU s/GiB | GET peak RSS MiB | PUT 1 GiB MB/s | PUT CPU s/GiB | PUT peak RSS MiB |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const t of targets) {
    const url = `http://127.0.0.1:${t.port}`;
    const get = await bigTransfer(t, [`${url}/anon-s3/1g.bin`]);
    const put = await bigTransfer(t, [
      "-T",
      file,
      `${url}${await presignPath(BENCH_KEY, t.port, "PUT", `/sig-s3/put-${t.port}.bin`)}`,
    ]);
    for (const [what, r] of [["GET", get], ["PUT", put]] as const) {
      if (r.code !== 200 || r.bytes !== 1 << 30) {
        throw new Error(`Cannot ${what} 1 GiB through ${t.label}: ${r.code}, ${r.bytes} bytes`);
      }
    }
    const row = (r: typeof get) =>
      `${fmt(r.bytes / 1e6 / r.seconds)} | ${fmt(r.cpu, 2)} | ${fmt(r.rss / 2 ** 20)}`;
    lines.push(`| ${t.label} | ${row(get)} | ${row(put)} |`);
  }
  return lines.join("\n");
}

function report(contenders: readonly Contender[], samples: ReadonlyMap<Kind, Sample[]>): string {
  const of = (k: Kind, f: (s: Sample) => number) => median((samples.get(k) ?? []).map(f));
  const rpsOf = (k: Kind) => of(k, (s) => s.rps);
  const cpuOf = (k: Kind) => of(k, (s) => s.cpuUsPerRequest);
  const nginxRps = rpsOf("nginx");
  const nginxCpu = cpuOf("nginx");
  /** `x` against nginx's, or nothing when nginx did not run. */
  const times = (x: number, ofNginx: number) =>
    Number.isFinite(ofNginx) ? `${(x / ofNginx).toFixed(2)}×` : "";
  const lines = [
    "| contender | req/s (median) | × nginx proxy_pass | server CPU µs/request (median) | range over rounds | CPU/request × nginx | ours: µs over its floor | server cores | wrk cores | errors |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const c of contenders) {
    const ss = samples.get(c.kind) ?? [];
    const cpu = ss.map((s) => s.cpuUsPerRequest);
    const floor = FLOOR[baseOf(c.kind)];
    const over = floor && samples.has(floor) ? fmt(cpuOf(c.kind) - cpuOf(floor), 1) : "";
    lines.push(
      `| ${labelOf(c.kind)} | ${fmt(rpsOf(c.kind))} | ${times(rpsOf(c.kind), nginxRps)} | ` +
        `${fmt(cpuOf(c.kind), 1)} | ${fmt(Math.min(...cpu), 1)}–${fmt(Math.max(...cpu), 1)} | ` +
        `${times(cpuOf(c.kind), nginxCpu)} | ${over} | ` +
        `${fmt(of(c.kind, (s) => s.rps * s.cpuUsPerRequest / 1e6), 2)} | ` +
        `${fmt(of(c.kind, (s) => s.clientCores), 2)} | ${ss.reduce((n, s) => n + s.errors, 0)} |`,
    );
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  const flags = parseArgs({
    args: Deno.args,
    options: {
      rounds: { type: "string", default: "3" },
      seconds: { type: "string", default: "5" },
      connections: { type: "string", default: "64" },
      only: { type: "string" },
      "cpu-prof": { type: "string" },
      baseline: { type: "string" },
      "baseline-label": { type: "string", default: "baseline" },
      workers: { type: "string", default: "1" },
      warmup: { type: "string", default: "1" },
      big: { type: "boolean", default: false },
    },
  }).values;
  const rounds = Number(flags.rounds);
  const seconds = Number(flags.seconds);
  const connections = Number(flags.connections);
  const cpuProf = flags["cpu-prof"];
  variantLabels.set("@base", flags["baseline-label"]);
  const workerCounts = flags.workers.split(",").map(Number);
  if (workerCounts.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(`--workers wants counts like 1,2, got '${flags.workers}'`);
  }
  const mainWorkers = workerCounts[0]!;
  const kinds = KINDS.filter((k) => !flags.only || flags.only.split(",").includes(k));
  const log = (s: string) => console.error(`[pipeline_compare] ${s}`);
  await ensureTools(log);
  await initClockTicks();
  const loadBefore = await loadAverage();
  const work = await Deno.makeTempDir({ prefix: "bucketgate-pipeline-" });
  const started: { stop(): Promise<void> }[] = [];
  try {
    const dir = `${work}/root/bench`;
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeFile(`${dir}/1k.bin`, new Uint8Array(1024).fill(0x61));
    if (flags.big) {
      const f = await Deno.open(`${dir}/1g.bin`, { write: true, create: true });
      const mib = new Uint8Array(1 << 20).fill(0x62);
      for (let i = 0; i < 1024; i++) {
        for (let at = 0; at < mib.length;) at += await f.write(mib.subarray(at));
      }
      f.close();
    }
    const origin = await startOrigin(`${work}/origin`, freePort(), `${work}/root`, 1);
    started.push(origin);
    const proxy = await startProxy(`${work}/proxy`, freePort(), origin.port, 1);
    started.push(proxy);
    const floor = await startFloor(freePort(), origin.port, dir);
    started.push(floor);
    const gateway = await startGateway({
      work,
      originPort: origin.port,
      dir,
      workers: mainWorkers,
      ...(cpuProf ? { cpuProf } : {}),
    });
    started.push(gateway);
    /** Further gateways in the same rounds: the baseline checkout, other --workers counts. */
    const variants: { suffix: `@${string}`; port: number; pid: number }[] = [];
    const baseline = flags.baseline
      ? await startGateway({
        work,
        originPort: origin.port,
        dir,
        root: flags.baseline,
        workers: mainWorkers,
      })
      : undefined;
    if (baseline) {
      started.push(baseline);
      variants.push({ suffix: "@base", port: baseline.port, pid: baseline.pid });
    }
    for (const n of workerCounts.slice(1)) {
      const g = await startGateway({ work, originPort: origin.port, dir, workers: n });
      started.push(g);
      variants.push({ suffix: `@w${n}`, port: g.port, pid: g.pid });
      variantLabels.set(`@w${n}`, `--workers ${n}`);
    }
    if (workerCounts.length > 1) {
      variantLabels.set("", `--workers ${mainWorkers}`);
    }
    const gw = () => Promise.resolve([gateway.pid]);
    const fl = () => Promise.resolve([floor.pid]);
    const signed = (bucket: string) =>
      presignPath(BENCH_KEY, gateway.port, "GET", `/${bucket}/1k.bin`);
    const all: Record<Base, Contender> = {
      nginx: { kind: "nginx", port: proxy.port, path: "/bench/1k.bin", pids: () => proxy.pids() },
      memory: { kind: "memory", port: floor.port, path: "/floor/memory", pids: fl },
      "memory-s3": { kind: "memory-s3", port: floor.port, path: "/floor/memory-s3", pids: fl },
      relay: { kind: "relay", port: floor.port, path: "/bench/1k.bin", pids: fl },
      "anon-fs": { kind: "anon-fs", port: gateway.port, path: "/anon-fs/1k.bin", pids: gw },
      "sig-fs": { kind: "sig-fs", port: gateway.port, path: await signed("sig-fs"), pids: gw },
      "anon-s3": { kind: "anon-s3", port: gateway.port, path: "/anon-s3/1k.bin", pids: gw },
      "sig-s3": { kind: "sig-s3", port: gateway.port, path: await signed("sig-s3"), pids: gw },
    };
    const contenders: Contender[] = kinds.map((k) => all[k]);
    for (const v of variants) {
      const pids = () => Promise.resolve([v.pid]);
      for (const k of kinds) {
        if (!FLOOR[k]) continue;
        const path = k.startsWith("sig")
          ? await presignPath(BENCH_KEY, v.port, "GET", `/${k}/1k.bin`)
          : `/${k}/1k.bin`;
        contenders.push({ kind: `${k}${v.suffix}`, port: v.port, path, pids });
      }
    }
    for (const c of contenders) {
      const res = await fetch(`http://127.0.0.1:${c.port}${c.path}`);
      const n = (await res.bytes()).byteLength;
      if (res.status !== 200 || n !== 1024) throw new Error(`${c.kind}: ${res.status}, ${n} bytes`);
    }
    const warmup = Number(flags.warmup);
    if (warmup > 0) {
      for (const c of contenders) {
        await measureRound(c, { seconds: warmup, connections, script: `${work}/wrk.lua` });
      }
    }
    const { samples, loads } = await runRounds({
      contenders,
      keyOf: (c) => c.kind,
      rounds,
      round: { seconds, connections, script: `${work}/wrk.lua` },
      onSample: (round, kind, s) =>
        log(
          `round ${round} ${kind}: ${fmt(s.rps)} req/s, ${fmt(s.cpuUsPerRequest, 1)} µs/req, ` +
            `wrk ${fmt(s.clientCores, 2)} cores`,
        ),
    });
    const loadAfter = await loadAverage();
    console.log(
      `${await machineLine()}\n\n${
        new Date().toISOString()
      }: GET 1 KiB; wrk -t2 -c${connections}, ` +
        `${seconds} s a run, ${rounds} rounds in turns; 1-minute load average ` +
        `${fmt(loadBefore, 2)} before, ${fmt(Math.min(...loads), 1)}–${
          fmt(Math.max(...loads), 1)
        } ` +
        `after each round, ${fmt(loadAfter, 2)} after.\n`,
    );
    console.log(report(contenders, samples));
    if (flags.big) {
      const targets: BigTarget[] = [{
        label: "this checkout",
        port: gateway.port,
        pid: gateway.pid,
      }];
      for (const v of variants) {
        targets.push({ label: variantLabels.get(v.suffix) ?? v.suffix, ...v });
      }
      console.log(`\n${await bigTable(targets, `${dir}/1g.bin`)}`);
    }
  } finally {
    for (const s of started.reverse()) await s.stop().catch(() => {});
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) await main();
