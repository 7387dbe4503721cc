/**
 * `deno task bench`: issue #7's side-by-side harness. One run starts, on
 * 127.0.0.1, an nginx origin serving a directory as an anonymous S3-style
 * store, nginx `proxy_pass` in front of it, and bucketgate (s3 backend in
 * front of the origin — anonymous, SigV4 key, STS session — and an fs backend
 * over the same directory), drives them all with the same load (wrk with
 * presigned paths, curl, a Deno load generator), and prints one table with
 * bucketgate's ratios to the direct origin and to nginx, the targets met or
 * not, and the `deno bench` microbenchmarks; the table is appended to
 * bench/results.md as a dated section.
 *
 *   deno task bench [--duration 5] [--only get1k,put1g] [--out bench/results.md | --out -]
 *                   [--connections 64] [--nginx-workers 1] [--slow-clients 1000]
 *                   [--slow-seconds 10] [--note "quiet machine"] [--keep] [--workers 2]
 *
 * Workloads: get1k get1m head mix list1k list10k get1g put1g slow sts micro. The 1 KiB GET
 * and the 1 GiB workloads also run Deno's own floors (bench/_floor.ts), the ceiling of the ratios.
 */
// deno-lint-ignore-file no-console -- a command-line tool: the table goes to stdout
import { parseArgs } from "node:util";
import { createFsBackend } from "../src/backends/fs/fs.ts";
import {
  assumeRoleBody,
  BENCH_KEY,
  type BenchGateway,
  BUCKETS,
  startBenchGateway,
} from "./_gateway.ts";
import { closedLoop, curlTransfer, slowDownloads } from "./_load.ts";
import { type MicroResult, runMicro } from "./_micro.ts";
import { type Nginx, startOrigin, startProxy } from "./_nginx.ts";
import { startFloor } from "./_floor.ts";
import { presignPath, type SigningKey } from "./_presign.ts";
import {
  appendResults,
  type ContenderKind,
  microTable,
  type Row,
  table,
  verdictList,
  verdicts,
} from "./_report.ts";
import {
  cpuSeconds,
  ensureTools,
  initClockTicks,
  loadAverage,
  machineLine,
  memory,
  nginxHasDav,
  trackPeakRss,
} from "./_system.ts";
import { freePort } from "../tests/_support/ports.ts";
import { runWrk, type WrkRequest, type WrkResult } from "./_wrk.ts";

const WORKLOADS = [
  "get1k",
  "get1m",
  "head",
  "mix",
  "list1k",
  "list10k",
  "get1g",
  "put1g",
  "slow",
  "sts",
  "micro",
] as const;
type Workload = typeof WORKLOADS[number];

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    duration: { type: "string", default: "5" },
    only: { type: "string" },
    out: { type: "string", default: new URL("results.md", import.meta.url).pathname },
    connections: { type: "string", default: "64" },
    "nginx-workers": { type: "string", default: "1" },
    "slow-clients": { type: "string", default: "1000" },
    "slow-seconds": { type: "string", default: "10" },
    "sts-concurrency": { type: "string", default: "16" },
    workers: { type: "string", default: "1" },
    note: { type: "string" },
    keep: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (flags.help) {
  console.log(
    "deno task bench [--duration S] [--only w1,w2] [--out FILE|-] [--connections N]\n" +
      "  [--nginx-workers N] [--slow-clients N] [--slow-seconds S] [--sts-concurrency N]\n" +
      "  [--workers N (the gateway's --workers)]\n" +
      `  [--note TEXT] [--keep]\nworkloads: ${WORKLOADS.join(" ")}`,
  );
  Deno.exit(0);
}
const DURATION = Number(flags.duration);
const CONNECTIONS = Number(flags.connections);
const only = new Set((flags.only ?? WORKLOADS.join(",")).split(",").map((s) => s.trim()));
for (const w of only) {
  if (!(WORKLOADS as readonly string[]).includes(w)) {
    console.error(`unknown workload ${w}; one of ${WORKLOADS.join(", ")}`);
    Deno.exit(2);
  }
}
const want = (w: Workload) => only.has(w);
const log = (s: string) => console.error(`[bench] ${s}`);

const KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;
const ORIGIN_BUCKET = "bench";
const MIX_KEYS = 16;

/** A contender: who serves, and how its requests are addressed and signed. */
interface Contender {
  readonly id: string;
  readonly kind: ContenderKind;
  readonly label: string;
  readonly port: number;
  /** The client-visible bucket (the origin's for nginx). */
  readonly bucket: string;
  readonly key?: SigningKey;
  readonly canWrite: boolean;
  /** Processes whose CPU counts as the server's. */
  pids(): Promise<number[]>;
  /** Served by the gateway (whose memory is measured). */
  readonly gateway?: boolean;
}

/** Path (presigned when the contender signs) of a request for `key` in the contender's bucket. */
function pathFor(
  c: Contender,
  method: string,
  key: string,
  query: Record<string, string> = {},
): Promise<string> {
  const path = key === "" ? `/${c.bucket}` : `/${c.bucket}/${key}`;
  if (c.key) return presignPath(c.key, c.port, method, path, query);
  const qs = new URLSearchParams(query).toString();
  return Promise.resolve(qs ? `${path}?${qs}` : path);
}

async function serverCpu(pids: readonly number[]): Promise<number> {
  let s = 0;
  for (const p of pids) s += await cpuSeconds(p);
  return s;
}

// ---------------------------------------------------------------- set-up

const cleanups: (() => Promise<void>)[] = [];
async function cleanup(): Promise<void> {
  while (cleanups.length) await cleanups.pop()!().catch((e) => log(`cleanup: ${e}`));
}
const onSignal = () => {
  log("interrupted: cleaning up");
  cleanup().finally(() => Deno.exit(130));
};
Deno.addSignalListener("SIGINT", onSignal);
Deno.addSignalListener("SIGTERM", onSignal);

const rows: Row[] = [];
let micro: MicroResult[] = [];
const started = new Date();
const problems: string[] = [];

try {
  await ensureTools(log);
  if (!await nginxHasDav()) throw new Error("Cannot run: this nginx lacks the DAV module (PUT)");
  await initClockTicks();
  const machine = await machineLine();
  const loadBefore = await loadAverage();
  log(machine);
  log(`load average before: ${loadBefore}`);

  const work = await Deno.makeTempDir({ prefix: "bucketgate-bench-" });
  cleanups.push(async () => {
    if (flags.keep) log(`kept ${work}`);
    else await Deno.remove(work, { recursive: true });
  });
  const originRoot = `${work}/origin`;
  const bucketDir = `${originRoot}/${ORIGIN_BUCKET}`;
  await Deno.mkdir(bucketDir, { recursive: true });

  log("writing the data set");
  const block = crypto.getRandomValues(new Uint8Array(64 * KiB));
  const writeSized = async (path: string, size: number) => {
    const f = await Deno.open(path, { create: true, write: true, truncate: true });
    try {
      const big = new Uint8Array(Math.min(size, MiB));
      for (let i = 0; i < big.length; i += block.length) {
        big.set(block.subarray(0, big.length - i), i);
      }
      big[0] = size & 0xff; // distinct first bytes per size
      for (let left = size; left > 0; left -= big.length) {
        const n = Math.min(left, big.length);
        let at = 0;
        while (at < n) at += await f.write(big.subarray(at, n));
      }
    } finally {
      f.close();
    }
  };
  await writeSized(`${bucketDir}/1k.bin`, KiB);
  await writeSized(`${bucketDir}/1m.bin`, MiB);
  await Deno.writeFile(`${bucketDir}/empty.bin`, new Uint8Array());
  if (want("get1g") || want("put1g") || want("slow")) await writeSized(`${bucketDir}/1g.bin`, GiB);
  if (want("slow")) await writeSized(`${bucketDir}/16m.bin`, 16 * MiB);
  const listDirs: [string, number][] = [["list1k", 1000], ["list10k", 10000]];
  for (const [dir, n] of listDirs) {
    if (!want(dir as Workload)) continue;
    await Deno.mkdir(`${bucketDir}/${dir}`);
    const w = String(n - 1).length;
    for (let i = 0; i < n; i++) {
      await Deno.writeTextFile(`${bucketDir}/${dir}/k${String(i).padStart(w, "0")}`, "x");
    }
  }
  if (Deno.uid() !== 0) await Deno.chmod(work, 0o755);

  log("starting nginx (origin, proxy_pass) and bucketgate");
  const workers = Number(flags["nginx-workers"]);
  const origin: Nginx = await startOrigin(`${work}/nginx-origin`, freePort(), originRoot, workers);
  cleanups.push(() => origin.stop());
  const proxy: Nginx = await startProxy(`${work}/nginx-proxy`, freePort(), origin.port, workers);
  cleanups.push(() => proxy.stop());
  await Deno.mkdir(`${work}/gateway`);
  const gw: BenchGateway = await startBenchGateway({
    dir: `${work}/gateway`,
    port: freePort(),
    originPort: origin.port,
    originBucketDir: bucketDir,
    originBucket: ORIGIN_BUCKET,
    workers: Number(flags.workers),
  });
  cleanups.push(() => gw.stop());
  const floor = await startFloor(freePort(), origin.port, bucketDir);
  cleanups.push(() => floor.stop());
  const session = await gw.mint();
  const gwPids = () => Promise.resolve([gw.pid]);

  const contenders: Contender[] = [
    {
      id: "direct",
      kind: "direct",
      label: "direct: client → nginx origin",
      port: origin.port,
      bucket: ORIGIN_BUCKET,
      canWrite: true,
      pids: () => origin.pids(),
    },
    {
      id: "nginx",
      kind: "nginx",
      label: "nginx proxy_pass → origin (no auth)",
      port: proxy.port,
      bucket: ORIGIN_BUCKET,
      canWrite: true,
      pids: () => proxy.pids(),
    },
    {
      id: "bg-anon",
      kind: "bucketgate",
      label: "bucketgate anonymous → s3 backend → origin",
      port: gw.port,
      bucket: BUCKETS.originAnon,
      canWrite: false,
      pids: gwPids,
      gateway: true,
    },
    {
      id: "bg-sigv4",
      kind: "bucketgate",
      label: "bucketgate SigV4 key → s3 backend → origin",
      port: gw.port,
      bucket: BUCKETS.origin,
      key: BENCH_KEY,
      canWrite: true,
      pids: gwPids,
      gateway: true,
    },
    {
      id: "bg-sts",
      kind: "bucketgate",
      label: "bucketgate STS session → s3 backend → origin",
      port: gw.port,
      bucket: BUCKETS.origin,
      key: session,
      canWrite: true,
      pids: gwPids,
      gateway: true,
    },
    {
      id: "bg-fs",
      kind: "bucketgate",
      label: "bucketgate SigV4 key → fs backend (same directory)",
      port: gw.port,
      bucket: BUCKETS.fs,
      key: BENCH_KEY,
      canWrite: true,
      pids: gwPids,
      gateway: true,
    },
  ];
  const byId = (id: string) => contenders.find((c) => c.id === id)!;
  /** Deno's own floors (bench/_floor.ts): the ceiling of bucketgate's ratios. */
  const floorOf = (id: string, label: string, bucket: string, canWrite: boolean): Contender => ({
    id,
    kind: "floor",
    label: `floor: ${label}`,
    port: floor.port,
    bucket,
    canWrite,
    pids: () => Promise.resolve([floor.pid]), // read when measured: restarts change it
  });
  const floorMemory = floorOf(
    "floor-memory",
    "Deno.serve alone, 1 KiB from memory (no auth, no backend)",
    "floor",
    false,
  );
  const floorFetch = floorOf(
    "floor-fetch",
    "Deno.serve + fetch relay → origin (no auth; the s3 backend's transport)",
    ORIGIN_BUCKET,
    true,
  );
  const floorFile = floorOf(
    "floor-file",
    "Deno.serve + the file as Deno's stream / written in 1 MiB batches (the fs backend's I/O)",
    "floor/file",
    true,
  );
  const floorFileMd5 = floorOf(
    "floor-file-md5",
    "Deno.serve + the body written in 1 MiB batches and its MD5 (the fs backend's PUT, no auth)",
    "floor/file-md5",
    true,
  );

  // Every object read once through the fs backend, so its ETags are computed before timing.
  log("warming the fs backend's metadata");
  const fsC = byId("bg-fs");
  for (const k of ["1k.bin", "1m.bin", "empty.bin", "1g.bin", "16m.bin"]) {
    const res = await fetch(`${gw.url}${await pathFor(fsC, "HEAD", k)}`, { method: "HEAD" });
    await res.body?.cancel();
  }

  const scriptPath = `${work}/load.lua`;
  /**
   * One measured wrk run against a contender, after a 1 s warm-up with the same
   * requests; with the serving processes' CPU use over the run, in cores, and the
   * errors noted among the run's problems.
   */
  const measuredWrk = async (
    workload: string,
    c: Contender,
    requests: WrkRequest[],
    load: { connections: number; threads?: number },
  ): Promise<WrkResult & { serverCores: number }> => {
    const run = (seconds: number) =>
      runWrk({ port: c.port, requests, ...load, seconds, scriptPath });
    await run(1);
    const pids = await c.pids();
    const cpu0 = await serverCpu(pids);
    const r = await run(DURATION);
    const cpu = await serverCpu(pids) - cpu0;
    if (r.errors > 0) {
      problems.push(`${workload} / ${c.id}: ${r.errors} errors or non-2xx answers`);
    }
    return { ...r, serverCores: cpu / r.seconds };
  };
  /** Runs wrk against every contender for one workload (a 1 s warm-up first). */
  const wrkWorkload = async (
    workload: string,
    cs: readonly Contender[],
    requests: (c: Contender) => Promise<WrkRequest[]>,
    o: {
      connections: number;
      unit?: string;
      perRequest?: number;
      label?: (c: Contender) => string;
    },
  ) => {
    for (const c of cs) {
      const r = await measuredWrk(workload, c, await requests(c), {
        connections: o.connections,
      });
      rows.push({
        workload,
        contender: c.id,
        kind: c.kind,
        label: o.label?.(c) ?? c.label,
        figure: r.rps * (o.perRequest ?? 1),
        unit: o.unit ?? "req/s",
        higherIsBetter: true,
        p50Ms: r.p50Ms,
        p99Ms: r.p99Ms,
        clientCores: r.clientCores,
        serverCores: r.serverCores,
        ...(r.errors > 0 ? { note: `${r.errors} errors` } : {}),
      });
      log(`${workload} / ${c.id}: ${r.rps.toFixed(0)} req/s p99 ${r.p99Ms} ms`);
    }
  };

  if (want("get1k")) {
    await wrkWorkload("GET 1 KiB", [...contenders, floorMemory, floorFetch], async (c) => [
      {
        method: "GET",
        path: await pathFor(c, "GET", c.id === "floor-memory" ? "memory" : "1k.bin"),
      },
    ], { connections: CONNECTIONS });
  }
  if (want("get1m")) {
    await wrkWorkload("GET 1 MiB", contenders, async (c) => [
      { method: "GET", path: await pathFor(c, "GET", "1m.bin") },
    ], { connections: CONNECTIONS });
  }
  if (want("head")) {
    // wrk 4.1 cannot parse a HEAD answer that announces a body, so HEAD runs on an empty object.
    await wrkWorkload("HEAD (empty object)", contenders, async (c) => [
      { method: "HEAD", path: await pathFor(c, "HEAD", "empty.bin") },
    ], { connections: CONNECTIONS });
  }
  if (want("mix")) {
    const writers = contenders.filter((c) => c.canWrite);
    for (const c of writers) {
      await Deno.mkdir(`${bucketDir}/mix/${c.id}`, { recursive: true });
      for (let i = 0; i < 2 * MIX_KEYS; i++) {
        await writeSized(`${bucketDir}/mix/${c.id}/k${String(i).padStart(2, "0")}`, 64 * KiB);
      }
    }
    await wrkWorkload("mix 50/50 GET/PUT 64 KiB", writers, async (c) => {
      const reqs: WrkRequest[] = [];
      for (let i = 0; i < MIX_KEYS; i++) {
        const key = (n: number) => `mix/${c.id}/k${String(n).padStart(2, "0")}`;
        reqs.push({ method: "GET", path: await pathFor(c, "GET", key(i)) });
        reqs.push({
          method: "PUT",
          path: await pathFor(c, "PUT", key(MIX_KEYS + i)),
          bodyBytes: 64 * KiB,
        });
      }
      return reqs;
    }, { connections: CONNECTIONS });
  }

  /** The fs backend's own listing, in this process: ms per page, over `seconds`. */
  const backendListing = async (prefix: string, pages: (string | undefined)[]) => {
    const fs = createFsBackend({ root: bucketDir });
    const page = async (startAfter: string | undefined) => {
      const r = await fs.list({ prefix, maxKeys: 1000, ...(startAfter ? { startAfter } : {}) });
      if (!r.ok) throw new Error(`Cannot list ${prefix}: ${r.error.message}`);
      return r.value;
    };
    for (const s of pages) await page(s); // warm-up
    const lat: number[] = [];
    const end = performance.now() + DURATION * 1000;
    while (performance.now() < end) {
      for (const s of pages) {
        const t = performance.now();
        await page(s);
        lat.push(performance.now() - t);
      }
    }
    lat.sort((a, b) => a - b);
    const mean = lat.reduce((a, b) => a + b, 0) / lat.length;
    return {
      mean,
      p50: lat[Math.floor(lat.length / 2)]!,
      p99: lat[Math.floor(lat.length * 0.99)]!,
    };
  };
  const listingWorkload = async (dir: "list1k" | "list10k", n: number) => {
    const workload = dir === "list1k" ? "LIST 1,000 keys" : "LIST 10,000 keys, pages of 1,000";
    const w = String(n - 1).length;
    const starts: (string | undefined)[] = [];
    for (let i = 0; i < n; i += 1000) {
      starts.push(i === 0 ? undefined : `${dir}/k${String(i - 1).padStart(w, "0")}`);
    }
    // Through the gateway once first: the fs backend writes each key's metadata sidecar.
    const fsGw = byId("bg-fs");
    for (const s of starts) {
      const q: Record<string, string> = { "list-type": "2", prefix: `${dir}/`, "max-keys": "1000" };
      if (s) q["start-after"] = s;
      const res = await fetch(`${gw.url}${await pathFor(fsGw, "GET", "", q)}`);
      const xml = await res.text();
      const count = (xml.match(/<Key>/g) ?? []).length;
      if (!res.ok || count !== 1000) {
        throw new Error(`Cannot list ${dir} through the gateway: ${res.status}, ${count} keys`);
      }
    }
    const own = await backendListing(`${dir}/`, starts);
    const asTime = dir === "list1k";
    rows.push({
      workload,
      contender: "direct",
      kind: "direct",
      label: "fs backend list() in-process (the backend's own listing)",
      figure: asTime ? own.mean : 1000 / own.mean,
      unit: asTime ? "ms per listing" : "pages/s",
      higherIsBetter: !asTime,
      p50Ms: own.p50,
      p99Ms: own.p99,
    });
    // nginx's JSON autoindex of the same directory (readdir + stat, no ETags), one connection.
    const origin1 = byId("direct");
    const gw1 = byId("bg-fs");
    for (
      const [c, label] of [[origin1, "nginx autoindex JSON of the directory (origin)"], [
        gw1,
        gw1.label,
      ]] as const
    ) {
      const isNginx = c.kind === "direct";
      const reqs: WrkRequest[] = isNginx
        ? [{ method: "GET", path: `/${ORIGIN_BUCKET}/${dir}/` }]
        : await Promise.all(starts.map(async (s) => ({
          method: "GET" as const,
          path: await pathFor(c, "GET", "", {
            "list-type": "2",
            prefix: `${dir}/`,
            "max-keys": "1000",
            ...(s ? { "start-after": s } : {}),
          }),
        })));
      const r = await measuredWrk(workload, c, reqs, { connections: 1, threads: 1 });
      // One autoindex answer lists the whole directory: n / 1000 pages' worth.
      const pagesPerRequest = isNginx ? n / 1000 : 1;
      rows.push({
        workload,
        contender: isNginx ? "nginx" : c.id,
        kind: isNginx ? "nginx" : "bucketgate",
        label,
        figure: asTime ? r.meanMs / pagesPerRequest : r.rps * pagesPerRequest,
        unit: asTime ? "ms per listing" : "pages/s",
        higherIsBetter: !asTime,
        p50Ms: r.p50Ms,
        p99Ms: r.p99Ms,
        clientCores: r.clientCores,
        serverCores: r.serverCores,
      });
      log(`${workload} / ${c.id}: ${r.rps.toFixed(1)} req/s, mean ${r.meanMs} ms`);
    }
  };
  if (want("list1k")) await listingWorkload("list1k", 1000);
  if (want("list10k")) await listingWorkload("list10k", 10000);

  /** One curl transfer per contender, with the gateway's peak RSS. */
  const transfer = async (workload: string, method: "GET" | "PUT", floors: Contender[]) => {
    for (const c of [...contenders, ...floors]) {
      if (method === "PUT" && !c.canWrite) continue;
      const key = method === "GET" ? "1g.bin" : `put/${c.id}.bin`;
      const url = `http://127.0.0.1:${c.port}${await pathFor(c, method, key)}`;
      // A fresh gateway (or floor) for each: its peak RSS must not depend on what ran before.
      const measured = c.gateway ? gw : c.kind === "floor" ? floor : undefined;
      await measured?.restart();
      const before = measured ? await memory(measured.pid) : undefined;
      const pids = await c.pids();
      const cpu0 = await serverCpu(pids);
      const peak = measured ? await trackPeakRss(measured.pid) : undefined;
      const r = await curlTransfer(url, method === "PUT" ? `${bucketDir}/1g.bin` : undefined);
      const rss = await peak?.();
      const cpu = await serverCpu(pids) - cpu0;
      const bad = r.status < 200 || r.status > 299 || r.bytes !== GiB;
      if (bad) problems.push(`${workload} / ${c.id}: HTTP ${r.status}, ${r.bytes} bytes`);
      rows.push({
        workload,
        contender: c.id,
        kind: c.kind,
        label: c.label,
        ...(bad ? { failed: `HTTP ${r.status}` } : {}),
        figure: r.bytesPerSecond / 1e6,
        unit: "MB/s",
        higherIsBetter: true,
        clientCores: r.clientCores,
        serverCores: cpu / r.seconds,
        ...(rss !== undefined ? { peakRssBytes: rss } : {}),
        ...(before !== undefined
          ? { note: `fresh process, RSS ${(before / MiB).toFixed(0)} MiB before` }
          : {}),
      });
      log(`${workload} / ${c.id}: ${(r.bytesPerSecond / 1e6).toFixed(0)} MB/s`);
      if (method === "PUT") await Deno.remove(`${bucketDir}/${key}`).catch(() => {});
    }
  };
  if (want("get1g")) await transfer("GET 1 GiB", "GET", [floorFetch, floorFile]);
  if (want("put1g")) {
    await Deno.mkdir(`${bucketDir}/put`, { recursive: true });
    await transfer("PUT 1 GiB", "PUT", [floorFetch, floorFile, floorFileMd5]);
  }

  if (want("slow")) {
    const clients = Number(flags["slow-clients"]);
    const seconds = Number(flags["slow-seconds"]);
    for (const c of [byId("bg-anon"), byId("bg-fs")]) {
      for (const [key, size] of [["16m.bin", "16 MiB"], ["1g.bin", "1 GiB"]] as const) {
        const url = `${gw.url}${await pathFor(c, "GET", key)}`;
        await gw.restart();
        const before = await memory(gw.pid);
        const peak = await trackPeakRss(gw.pid);
        const cpu0 = await cpuSeconds(gw.pid);
        const r = await slowDownloads(url, { clients, seconds, tickMs: 250 });
        const rss = await peak();
        const cpu = await cpuSeconds(gw.pid) - cpu0;
        if (r.failed > 0 || r.opened !== clients) {
          problems.push(
            `slow / ${c.id} / ${size}: ${r.opened} of ${clients} opened, ${r.failed} failed`,
          );
        }
        rows.push({
          workload: `${clients} slow downloads`,
          contender: c.id,
          kind: c.kind,
          label: `${c.label}, ${size} object`,
          figure: r.bytes / r.seconds / 1e6,
          unit: "MB/s read",
          higherIsBetter: true,
          serverCores: cpu / r.seconds,
          peakRssBytes: rss,
          note: `${r.opened} held ${seconds} s, fresh gateway, RSS ${
            (before / MiB).toFixed(0)
          } MiB before`,
        });
        log(`slow / ${c.id} / ${size}: peak RSS ${(rss / MiB).toFixed(0)} MiB`);
      }
    }
  }

  if (want("sts")) {
    const body = assumeRoleBody(gw.jwt);
    const client = Deno.createHttpClient({});
    try {
      const call = async () => {
        const res = await fetch(`${gw.url}/`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body,
          client,
        });
        const text = await res.text();
        return res.ok && text.includes("<SessionToken>");
      };
      const concurrency = Number(flags["sts-concurrency"]);
      await closedLoop(call, { concurrency, seconds: 1 });
      const cpu0 = await cpuSeconds(gw.pid);
      const r = await closedLoop(call, { concurrency, seconds: DURATION });
      const cpu = await cpuSeconds(gw.pid) - cpu0;
      if (r.errors > 0) problems.push(`sts: ${r.errors} failed mints`);
      rows.push({
        workload: "STS AssumeRoleWithWebIdentity",
        contender: "bg-sts",
        kind: "bucketgate",
        label: `bucketgate STS mint (Deno client, ${concurrency} loops, one JWT)`,
        figure: r.rps,
        unit: "mints/s",
        higherIsBetter: true,
        p50Ms: r.p50Ms,
        p99Ms: r.p99Ms,
        clientCores: r.clientCores,
        serverCores: cpu / r.seconds,
      });
      log(`sts: ${r.rps.toFixed(0)} mints/s`);
    } finally {
      client.close();
    }
  }

  if (want("micro")) {
    log("running deno bench (microbenchmarks)");
    micro = await runMicro();
  }

  const loadAfter = await loadAverage();
  const seconds = Math.round((Date.now() - started.getTime()) / 1000);
  // The command that reproduces the run: its flags, without the free-text note.
  const reproArgs = Deno.args.filter((a, i, all) =>
    a !== "--note" && all[i - 1] !== "--note" && !a.startsWith("--note=")
  );
  const quote = (a: string) => (/^[\w.,=\/:-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`);
  const cmd = `deno task bench${reproArgs.map((a) => " " + quote(a)).join("")}`;
  const clientCheck = (() => {
    const d = rows.find((r) => r.workload === "GET 1 KiB" && r.kind === "direct");
    const best = Math.max(
      ...rows.filter((r) => r.workload === "GET 1 KiB" && r.kind === "bucketgate").map((r) =>
        r.figure
      ),
    );
    if (!d || !Number.isFinite(best)) return "";
    return `Client check: the same wrk drove the direct origin at ${d.figure.toFixed(0)} req/s, ` +
      `${
        (d.figure / best).toFixed(1)
      }× the best bucketgate figure, so wrk was not what limited bucketgate.`;
  })();
  const section = [
    `## ${started.toISOString().slice(0, 16).replace("T", " ")} UTC: \`${cmd}\``,
    "",
    `machine: ${machine}`,
    "",
    `Load: 1-minute load average ${loadBefore} before, ${loadAfter} after; ${DURATION} s per run ` +
    `(1 s warm-up first), ${CONNECTIONS} connections, wrk 2 threads, nginx ${workers} worker(s) ` +
    `per instance; the whole run took ${seconds} s.` + (flags.note ? ` ${flags.note}` : ""),
    "",
    `Reproduce: \`${cmd}\``,
    "",
    table(rows),
    "",
    ...(problems.length ? ["Problems in this run:", "", ...problems.map((p) => `- ${p}`), ""] : []),
    "Targets of issue #7 (ratios within this run):",
    "",
    verdictList(verdicts(rows)),
    "",
    ...(clientCheck ? [clientCheck, ""] : []),
    "What this harness cannot measure: HEAD runs on an empty object (wrk 4.1 cannot parse a HEAD " +
    "answer that announces a body); ListObjectsV2 runs on the fs backend only (the nginx origin cannot " +
    "list S3-style, so its stand-ins are nginx's JSON autoindex and the fs backend's own list() " +
    "in-process); the anonymous contender cannot write.",
    "",
    ...(micro.length ? [microTable(micro), ""] : []),
  ].join("\n");
  console.log(section);
  if (flags.out !== "-") {
    await appendResults(flags.out!, section);
    // The file is committed and `deno task check` checks its format.
    await new Deno.Command(Deno.execPath(), { args: ["fmt", flags.out!], stderr: "null" }).output();
    log(`appended to ${flags.out}`);
  }
} catch (e) {
  console.error(e instanceof Error ? e.stack ?? e.message : e);
  await cleanup();
  Deno.exit(1);
} finally {
  await cleanup();
}
