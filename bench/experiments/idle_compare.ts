// deno-lint-ignore-file no-console -- a bench script prints its results.
/**
 * Before/after throughput of a change on the fs backend, in one run: two
 * gateways (a copy of the tree without the change, and this checkout) over
 * the same files, measured in turns (A, B, A, B, …) so that other load on
 * the machine falls on both alike, and the median of each reported.
 *
 *   1 MiB GET      wrk, 32 connections: req/s and transfer/s
 *   64 KiB PUT     wrk, 16 connections, a presigned PUT: req/s
 *   256 MiB PUT    curl -T, one at a time: MB/s
 *   256 MiB GET    curl, one at a time: MB/s
 *
 * Run: deno run -A bench/experiments/idle_compare.ts --before /tmp/bucketgate-before [--rounds 3] [--seconds 5]
 * (make the copy with `git archive HEAD | tar -x -C /tmp/bucketgate-before`, or
 * copy the tree before editing). Needs wrk and curl; everything on 127.0.0.1.
 * `--before-config` / `--after-config` add top-level YAML lines to either side.
 */
import { parseArgs } from "node:util";
import { presignPath } from "../_presign.ts";
import { type LaunchedGateway, launchGateway } from "../../tests/_support/gateway.ts";
import { freePort } from "../../tests/_support/ports.ts";

const KEY = { id: "AKIDBUCKETGATEBENCH1", secret: "bucketgate-bench-secret-0123456789" };
const MiB = 1024 * 1024;

const args = parseArgs({
  args: Deno.args,
  options: {
    before: { type: "string" },
    rounds: { type: "string", default: "3" },
    seconds: { type: "string", default: "5" },
    "before-config": { type: "string", multiple: true, default: [] },
    "after-config": { type: "string", multiple: true, default: [] },
    /** Only the 1 MiB GET (a quicker, tighter look at the per-request cost). */
    "get-only": { type: "boolean", default: false },
  },
}).values;
if (!args.before) {
  console.error(
    "usage: deno run -A bench/experiments/idle_compare.ts --before DIR [--rounds N] [--seconds S]",
  );
  Deno.exit(2);
}
const rounds = Number(args.rounds);
const seconds = Number(args.seconds);
const AFTER_ROOT = new URL("../../", import.meta.url).pathname;

async function sh(cmd: string, argv: string[]): Promise<string> {
  const out = await new Deno.Command(cmd, { args: argv, stdout: "piped", stderr: "piped" })
    .output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) throw new Error(`${cmd} failed: ${new TextDecoder().decode(out.stderr)}`);
  return text;
}

interface Contender {
  readonly name: string;
  readonly port: number;
  readonly gateway: LaunchedGateway;
  readonly putSmall: string;
  readonly putBig: string;
}

async function start(
  name: string,
  root: string,
  dir: string,
  extra: readonly string[],
): Promise<Contender> {
  const port = freePort();
  const config = `${dir}/${name}.yaml`;
  await Deno.mkdir(`${dir}/${name}`, { recursive: true });
  await Deno.writeTextFile(
    config,
    [
      `listen: 127.0.0.1:${port}`,
      "buckets:",
      `  - { name: bench, backend_type: fs, anonymous_access: true, backend_options: { root: ${dir}/data } }`,
      `  - { name: uploads, backend_type: fs, anonymous_access: false, backend_options: { root: ${dir}/${name} } }`,
      "credentials:",
      `  - { access_key_id: ${KEY.id}, secret_access_key: ${KEY.secret}, principal_name: bench,`,
      `      allowed_scopes: [{ bucket: "*", prefixes: [], actions: [get_object, put_object] }] }`,
      ...extra,
    ].join("\n"),
  );
  const gateway = await launchGateway({
    root,
    configPath: config,
    listen: null,
    logFormat: null,
    args: ["--log-level", "warn"],
    stdout: "null",
    stderr: "inherit",
    waitUntilListening: false,
  });
  for (let i = 0;; i++) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/bench/1m.bin`, { method: "HEAD" });
      await r.body?.cancel();
      if (r.ok) break;
    } catch { /* not up yet */ }
    if (i > 300) throw new Error(`${name} did not start`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
  return {
    name,
    port,
    gateway,
    putSmall: await presignPath(KEY, port, "PUT", "/uploads/small.bin"),
    putBig: await presignPath(KEY, port, "PUT", "/uploads/big.bin"),
  };
}

function parseWrk(out: string): { rps: number; mbps: number } {
  if (/Non-2xx/.test(out)) throw new Error(`wrk saw errors:\n${out}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const m = /Transfer\/sec:\s+([\d.]+)([KMG]?B)/.exec(out);
  const unit = { B: 1, KB: 1024, MB: MiB, GB: 1024 * MiB }[m?.[2] ?? "B"] ?? 1;
  return { rps, mbps: Number(m?.[1]) * unit / MiB };
}

async function wrkGet(c: Contender): Promise<{ rps: number; mbps: number }> {
  return parseWrk(
    await sh("wrk", ["-t2", "-c32", `-d${seconds}s`, `http://127.0.0.1:${c.port}/bench/1m.bin`]),
  );
}

async function wrkPut(c: Contender, dir: string): Promise<number> {
  const script = `${dir}/put-${c.name}.lua`;
  await Deno.writeTextFile(
    script,
    `wrk.method = "PUT"\nwrk.body = string.rep("b", 65536)\nwrk.path = ${
      JSON.stringify(c.putSmall)
    }\n`,
  );
  return parseWrk(
    await sh("wrk", ["-t2", "-c16", `-d${seconds}s`, "-s", script, `http://127.0.0.1:${c.port}`]),
  ).rps;
}

async function curlBig(c: Contender, dir: string, put: boolean): Promise<number> {
  const url = `http://127.0.0.1:${c.port}${put ? c.putBig : "/bench/256m.bin"}`;
  const out = await sh(
    "curl",
    put
      ? ["-sS", "-o", "/dev/null", "-w", "%{http_code} %{time_total}", "-T", `${dir}/256m.bin`, url]
      : ["-sS", "-o", "/dev/null", "-w", "%{http_code} %{time_total}", url],
  );
  const [code, time] = out.trim().split(" ");
  if (code !== "200") throw new Error(`${c.name}: HTTP ${code} from ${url}`);
  return 256 / Number(time);
}

/** CPU seconds (user + system) the process used so far. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in USER_HZ (100)
}

/** Runs `work`, returning its result and the contender's CPU milliseconds over it. */
async function withCpu<T>(c: Contender, work: () => Promise<T>): Promise<[T, number]> {
  const t0 = await cpuSeconds(c.gateway.pid);
  const v = await work();
  return [v, (await cpuSeconds(c.gateway.pid) - t0) * 1000];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const dir = await Deno.makeTempDir({ prefix: "bucketgate-idle-bench-" });
const contenders: Contender[] = [];
try {
  await Deno.mkdir(`${dir}/data`);
  const mib = new Uint8Array(MiB).map((_, i) => (i * 7919) & 0xff);
  await Deno.writeFile(`${dir}/data/1m.bin`, mib);
  await Deno.writeFile(`${dir}/256m.bin`, new Uint8Array(256 * MiB).fill(0x5a));
  await Deno.copyFile(`${dir}/256m.bin`, `${dir}/data/256m.bin`);
  const before = await start("before", args.before, dir, args["before-config"]);
  contenders.push(before);
  const after = await start("after", AFTER_ROOT, dir, args["after-config"]);
  contenders.push(after);
  // Warm up both (ETags computed, JIT warm).
  for (const c of contenders) {
    await sh("wrk", ["-t1", "-c4", "-d2s", `http://127.0.0.1:${c.port}/bench/1m.bin`]);
    await curlBig(c, dir, false);
  }
  const results: Record<string, Record<string, number[]>> = {};
  const record = (c: Contender, metric: string, v: number) => {
    ((results[metric] ??= {})[c.name] ??= []).push(v);
  };
  console.log(
    `${(await sh("nproc", [])).trim()} cores; ${
      (await sh(Deno.execPath(), ["--version"])).split("\n")[0]
    }; ${rounds} rounds of ${seconds} s runs, turns A, B, A, B…`,
  );
  for (let r = 1; r <= rounds; r++) {
    for (const c of contenders) {
      // Throughput, and the gateway's own CPU time per request (or per 256 MiB): the
      // CPU figure is what a change costs, and is far less disturbed by other load.
      const [g, gCpu] = await withCpu(c, () => wrkGet(c));
      record(c, "1 MiB GET req/s", g.rps);
      record(c, "1 MiB GET MiB/s", g.mbps);
      record(c, "1 MiB GET CPU µs/req", gCpu * 1000 / (g.rps * seconds));
      if (args["get-only"]) continue;
      const [p, pCpu] = await withCpu(c, () => wrkPut(c, dir));
      record(c, "64 KiB PUT req/s", p);
      record(c, "64 KiB PUT CPU µs/req", pCpu * 1000 / (p * seconds));
      const [bp, bpCpu] = await withCpu(c, () => curlBig(c, dir, true));
      record(c, "256 MiB PUT MiB/s", bp);
      record(c, "256 MiB PUT CPU ms", bpCpu);
      const [bg, bgCpu] = await withCpu(c, () => curlBig(c, dir, false));
      record(c, "256 MiB GET MiB/s", bg);
      record(c, "256 MiB GET CPU ms", bgCpu);
      console.log(
        `round ${r} ${c.name}: ${
          Object.entries(results).map(([k, v]) => `${k} ${v[c.name]!.at(-1)!.toFixed(1)}`).join(
            ", ",
          )
        }`,
      );
    }
  }
  console.log(
    "\n| metric | before (median) | after (median) | after / before | runs before | runs after |",
  );
  console.log("|---|---|---|---|---|---|");
  for (const [metric, by] of Object.entries(results)) {
    const b = median(by.before!);
    const a = median(by.after!);
    const runs = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(", ");
    console.log(
      `| ${metric} | ${b.toFixed(1)} | ${a.toFixed(1)} | ${(a / b).toFixed(3)} | ${
        runs(by.before!)
      } | ${runs(by.after!)} |`,
    );
  }
} finally {
  for (const c of contenders) {
    await c.gateway.stop();
  }
  await Deno.remove(dir, { recursive: true });
}
