// deno-lint-ignore-file no-console -- a bench tool prints its results.
/**
 * The paired A/B driver (issue 30): is one revision of the request path
 * cheaper than another, and how far is each from Deno's own floors? All
 * contenders are alive at once — one gateway per `--rev` (each from its own
 * `git worktree` under /tmp, `.` being this working tree), and the floors of
 * bench/_floor.ts: `relay` (Deno.serve + fetch to the origin, the floor of
 * the s3 targets) and `memory-s3` (Deno.serve reading what an S3 gateway must
 * read, the floor of the fs target). Each round gives every contender one
 * short turn, in an order rotated by one each round; figures are compared
 * within a round, and the report gives the median and IQR of the per-round
 * differences and ratios and in how many rounds one side was cheaper.
 *
 * Targets, each a 1 KiB GET with the headers an SDK sends (bench/_sdk.ts):
 *   presigned-s3  presigned SigV4 → `s3` backend → the nginx origin
 *   signed-s3     SigV4 in the Authorization header → `s3` backend
 *   anon-fs       anonymous → `fs` backend
 *
 * Every gateway's config has a rate limit on each bucket (high enough never
 * to refuse: its cost, not its effect) unless `--no-limits`, and the bench key
 * a 20-statement IAM policy (`policies:`) unless `--no-policy`, which grants
 * it `allowed_scopes` instead (for a revision older than issue 28).
 *
 *   deno run -A bench/ab.ts [--rev main --rev .] [--targets presigned-s3,signed-s3,anon-fs]
 *     [--rounds 12] [--seconds 3] [--connections 32] [--warmup 2] [--no-floors]
 *     [--no-policy] [--no-limits] [--cpu-prof DIR]
 *
 * `--cpu-prof DIR` runs the first gateway under `--cpu-prof`; group the
 * profile with bench/cpuprof_groups.ts and the request count printed.
 */
import { parseArgs } from "node:util";
import { type Nginx, startOrigin } from "./_nginx.ts";
import { BENCH_KEY } from "./_gateway.ts";
import { sdkGet, type SdkShape } from "./_sdk.ts";
import { ensureTools, initClockTicks, loadAverage, machineLine, waitForPort } from "./_system.ts";
import { GcLog, medianIqr, runTurn, type Served, type TurnSample } from "./_turn.ts";
import type { WrkRequest } from "./_wrk.ts";
import { ACTIONS } from "../src/config/types.ts";
import { freePort } from "../tests/_support/ports.ts";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const TARGETS = {
  "presigned-s3": { bucket: "sig-s3", shape: "presigned", floor: "relay" },
  "signed-s3": { bucket: "sig-s3", shape: "signed", floor: "relay" },
  "anon-fs": { bucket: "anon-fs", shape: "anonymous", floor: "memory-s3" },
} as const satisfies Record<string, { bucket: string; shape: SdkShape; floor: string }>;
type Target = keyof typeof TARGETS;
type Floor = "relay" | "memory-s3";

/** A process alive for the whole run. */
interface Proc extends Served {
  stop(): Promise<void>;
}

/** One contender: a process and what it is driven with. */
interface Contender {
  readonly name: string;
  readonly proc: Proc;
  /** Built afresh each turn (a header signature lasts 15 minutes). */
  requests(): Promise<WrkRequest[]>;
}

/**
 * Starts `deno <args>` in `cwd`, GC-traced, stdout and stderr to `<work>/<name>.gc`
 * (V8's trace goes to stdout; a gateway's access log is written there too, a
 * file as in production rather than /dev/null).
 */
async function spawnDeno(
  work: string,
  name: string,
  port: number,
  cwd: string,
  args: readonly string[],
): Promise<Proc> {
  const gcPath = `${work}/${name}.gc`;
  const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  const cmd = [Deno.execPath(), "run", "-A", "--v8-flags=--trace-gc-nvp", ...args].map(q);
  const child = new Deno.Command("sh", {
    args: ["-c", `exec ${cmd.join(" ")} >${q(gcPath)} 2>&1`],
    cwd,
    stdin: "null",
  }).spawn();
  const exited = child.status.then(async (st) => {
    const log = (await Deno.readTextFile(gcPath).catch(() => "")).split("\n")
      .filter((l) => !/\bGC: |Memory pool|removed zone/.test(l)).join("\n");
    throw new Error(`${name} exited (${st.code}) before listening:\n${log.slice(-2000)}`);
  });
  await Promise.race([waitForPort(port, 60_000), exited]);
  exited.catch(() => {});
  return {
    port,
    pid: child.pid,
    gc: new GcLog(gcPath),
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* gone */ }
      await child.status;
    },
  };
}

/** 20 statements, the last one granting the bench everything (the others never match). */
function policyYaml(): string[] {
  const lines = ["policies:", "  bench-20:", '    Version: "2012-10-17"', "    Statement:"];
  for (let i = 1; i < 20; i++) {
    lines.push(
      `      - { Sid: S${i}, Effect: ${i % 4 ? "Allow" : "Deny"}, Action: [s3:PutObject, ` +
        `s3:DeleteObject], Resource: "arn:aws:s3:::sig-s3/other-${i}/*" }`,
    );
  }
  lines.push('      - { Sid: All, Effect: Allow, Action: "s3:*", Resource: ["arn:aws:s3:::*"] }');
  return lines;
}

/** The gateway's config: the two buckets, the bench key, limits and a policy when asked. */
export function gatewayConfig(
  port: number,
  originPort: number,
  dir: string,
  o: { policy: boolean; limits: boolean },
): string {
  const origin = `{ endpoint: "http://127.0.0.1:${originPort}", bucket_name: bench, ` +
    `region: us-east-1, skip_signature: true }`;
  const grant = o.policy
    ? "policies: [bench-20]"
    : `allowed_scopes: [{ bucket: "*", prefixes: [], actions: [${ACTIONS.join(", ")}] }]`;
  const limit = "requests_per_second: 1000000000, burst: 1000000000";
  return [
    `listen: 127.0.0.1:${port}`,
    "region: us-east-1",
    "buckets:",
    `  - { name: sig-s3, backend_type: s3, anonymous_access: false, backend_options: ${origin} }`,
    `  - { name: anon-fs, backend_type: fs, anonymous_access: true, backend_options: { root: "${dir}" } }`,
    "credentials:",
    `  - { access_key_id: ${BENCH_KEY.id}, secret_access_key: ${BENCH_KEY.secret}, principal_name: bench,`,
    `      ${grant} }`,
    ...(o.policy ? policyYaml() : []),
    ...(o.limits
      ? [
        "limits:",
        `  - { match: { bucket: sig-s3 }, ${limit} }`,
        `  - { match: { anonymous: true }, ${limit} }`,
        `  - { match: { access_key_id: ${BENCH_KEY.id} }, ${limit} }`,
      ]
      : []),
  ].join("\n");
}

/** The checkout of `rev`: this tree for `.`, else a detached worktree under /tmp (kept). */
async function checkout(rev: string): Promise<string> {
  if (rev === ".") return ROOT;
  const git = (...args: string[]) =>
    new Deno.Command("git", { args, cwd: ROOT, stdout: "piped", stderr: "piped" }).output();
  const sha = new TextDecoder().decode((await git("rev-parse", "--verify", rev)).stdout).trim();
  if (!sha) throw new Error(`Cannot resolve ${rev}`);
  const dir = `/tmp/ab-${sha.slice(0, 12)}`;
  try {
    await Deno.stat(`${dir}/main.ts`);
  } catch {
    const out = await git("worktree", "add", "--detach", dir, sha);
    if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  }
  return dir;
}

function flagsOf() {
  const v = parseArgs({
    args: Deno.args,
    options: {
      rev: { type: "string", multiple: true },
      targets: { type: "string", default: Object.keys(TARGETS).join(",") },
      rounds: { type: "string", default: "12" },
      seconds: { type: "string", default: "3" },
      connections: { type: "string", default: "32" },
      warmup: { type: "string", default: "2" },
      "no-floors": { type: "boolean", default: false },
      "no-policy": { type: "boolean", default: false },
      "no-limits": { type: "boolean", default: false },
      "cpu-prof": { type: "string" },
    },
  }).values;
  const targets = v.targets.split(",") as Target[];
  for (const t of targets) if (!TARGETS[t]) throw new Error(`Unknown target ${t}`);
  return { ...v, revs: v.rev?.length ? v.rev : ["."], targets };
}

/** Starts every contender: the floors, then one gateway per revision. */
async function startAll(
  f: ReturnType<typeof flagsOf>,
  work: string,
  originPort: number,
  dir: string,
  started: Proc[],
): Promise<Contender[]> {
  const contenders: Contender[] = [];
  const anon = async (
    port: number,
    path: string,
  ) => [await sdkGet("anonymous", BENCH_KEY, port, path)];
  if (!f["no-floors"]) {
    const port = freePort();
    const floor = await spawnDeno(work, "floor", port, ROOT, [
      `${ROOT}/bench/_floor.ts`,
      String(port),
      String(originPort),
      dir,
    ]);
    started.push(floor);
    const floors = new Set(f.targets.map((t) => TARGETS[t].floor));
    if (floors.has("relay")) {
      contenders.push({ name: "relay", proc: floor, requests: () => anon(port, "/bench/1k.bin") });
    }
    if (floors.has("memory-s3")) {
      contenders.push({
        name: "memory-s3",
        proc: floor,
        requests: () => anon(port, "/floor/memory-s3"),
      });
    }
  }
  for (const [i, rev] of f.revs.entries()) {
    const root = await checkout(rev);
    const port = freePort();
    const config = `${work}/gateway-${i}.yaml`;
    await Deno.writeTextFile(
      config,
      gatewayConfig(port, originPort, dir, { policy: !f["no-policy"], limits: !f["no-limits"] }),
    );
    const prof = i === 0 && f["cpu-prof"] ? ["--cpu-prof", `--cpu-prof-dir=${f["cpu-prof"]}`] : [];
    const gw = await spawnDeno(work, `gw${i}`, port, root, [
      ...prof,
      `${root}/main.ts`,
      "--config",
      config,
    ]);
    started.push(gw);
    for (const t of f.targets) {
      const { bucket, shape } = TARGETS[t];
      contenders.push({
        name: `${t}@${rev}`,
        proc: gw,
        requests: async () => [await sdkGet(shape, BENCH_KEY, port, `/${bucket}/1k.bin`)],
      });
    }
  }
  return contenders;
}

/** Checks each contender answers its request with the 1 KiB. */
async function check(c: Contender): Promise<void> {
  const [r] = await c.requests();
  const res = await fetch(`http://127.0.0.1:${c.proc.port}${r!.path}`, {
    headers: r!.headers ?? {},
  });
  const body = await res.bytes();
  const n = body.byteLength;
  if (res.status !== 200) console.error(new TextDecoder().decode(body));
  if (res.status !== 200 || n !== 1024) {
    throw new Error(`${c.name}: ${res.status}, ${n} bytes ${r!.path}`);
  }
}

type Samples = Map<string, TurnSample[]>;

/** The per-contender table: medians over rounds. */
function contenderTable(contenders: readonly Contender[], s: Samples): string {
  const lines = [
    "| contender | req/s | server CPU µs/req, median [IQR] | of which other threads | alloc KB/req | GC pause µs/req | errors |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const c of contenders) {
    const ss = s.get(c.name) ?? [];
    const m = (f: (x: TurnSample) => number, d = 1) => medianIqr(ss.map(f), d).split(" [")[0];
    lines.push(
      `| ${c.name} | ${m((x) => x.rps, 0)} | ${medianIqr(ss.map((x) => x.cpuUs))} | ` +
        `${m((x) => x.helperUs)} | ${m((x) => x.allocBytes / 1000)} | ${m((x) => x.gcPauseUs)} | ` +
        `${ss.reduce((n, x) => n + x.errors, 0)} |`,
    );
  }
  return lines.join("\n");
}

/** Per-round comparisons: each gateway against its floor, each later revision against the first. */
function pairedTable(f: ReturnType<typeof flagsOf>, s: Samples): string {
  const lines = [
    "| target | A | B | B − A CPU µs/req, median [IQR] | B / A, median [IQR] | rounds B cheaper |",
    "| --- | --- | --- | ---: | ---: | ---: |",
  ];
  const pair = (t: string, a: string, b: string) => {
    const sa = s.get(a), sb = s.get(b);
    if (!sa || !sb) return;
    const n = Math.min(sa.length, sb.length);
    const d = [...Array(n).keys()].map((i) => sb[i]!.cpuUs - sa[i]!.cpuUs);
    const r = [...Array(n).keys()].map((i) => sb[i]!.cpuUs / sa[i]!.cpuUs);
    lines.push(
      `| ${t} | ${a} | ${b} | ${medianIqr(d)} | ${medianIqr(r, 2)} | ` +
        `${d.filter((x) => x < 0).length} of ${n} |`,
    );
  };
  for (const t of f.targets) {
    for (const rev of f.revs) pair(t, TARGETS[t].floor as Floor, `${t}@${rev}`);
    for (const rev of f.revs.slice(1)) pair(t, `${t}@${f.revs[0]}`, `${t}@${rev}`);
  }
  return lines.length > 2 ? lines.join("\n") : "(no pairs: one revision and no floors)";
}

/** Every contender once a round, order rotated by one each round. */
async function rounds(
  f: ReturnType<typeof flagsOf>,
  contenders: readonly Contender[],
  work: string,
): Promise<Samples> {
  const turn = {
    seconds: Number(f.seconds),
    connections: Number(f.connections),
    script: `${work}/wrk.lua`,
  };
  const samples: Samples = new Map();
  for (const c of Number(f.warmup) > 0 ? contenders : []) {
    const x = await runTurn(c.proc, await c.requests(), { ...turn, seconds: Number(f.warmup) });
    samples.set(`~${c.name}`, [x]); // warm-up: counted only for a profile's scale
  }
  for (let r = 0; r < Number(f.rounds); r++) {
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(r + k) % contenders.length]!;
      const x = await runTurn(c.proc, await c.requests(), turn);
      samples.set(c.name, [...samples.get(c.name) ?? [], x]);
      console.error(
        `[ab] round ${r + 1} ${c.name}: ${x.rps.toFixed(0)} req/s, ${x.cpuUs.toFixed(1)} µs/req, ` +
          `${(x.allocBytes / 1000).toFixed(1)} KB/req`,
      );
    }
  }
  return samples;
}

async function main(): Promise<void> {
  const f = flagsOf();
  await ensureTools((s) => console.error(`[ab] ${s}`));
  await initClockTicks();
  const work = await Deno.makeTempDir({ prefix: "bucketgate-ab-" });
  const started: Proc[] = [];
  let origin: Nginx | undefined;
  try {
    const dir = `${work}/root/bench`;
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeFile(`${dir}/1k.bin`, new Uint8Array(1024).fill(0x61));
    origin = await startOrigin(`${work}/origin`, freePort(), `${work}/root`, 1);
    const contenders = await startAll(f, work, origin.port, dir, started);
    for (const c of contenders) await check(c);
    const load = await loadAverage();
    const samples = await rounds(f, contenders, work);
    console.log(
      `${await machineLine()}\n\n${new Date().toISOString()}: GET 1 KiB, SDK-shaped headers; ` +
        `wrk -t2 -c${f.connections}, ${f.rounds} rounds of ${f.seconds} s turns, rotated; ` +
        `limits ${f["no-limits"] ? "off" : "on"}, policy ${
          f["no-policy"] ? "off" : "20 statements"
        }; ` +
        `load ${load.toFixed(2)} before, ${(await loadAverage()).toFixed(2)} after.\n`,
    );
    console.log(`${contenderTable(contenders, samples)}\n\n${pairedTable(f, samples)}`);
    if (f["cpu-prof"]) {
      let n = 0;
      for (const [k, ss] of samples) {
        if (k.endsWith(`@${f.revs[0]}`)) n += ss.reduce((a, x) => a + x.requests, 0);
      }
      console.log(
        `\nProfile of ${f.revs[0]} in ${f["cpu-prof"]} (${n} requests, warm-up included): ` +
          `deno run -A bench/cpuprof_groups.ts <file> --requests ${n}`,
      );
    }
  } finally {
    for (const p of started.reverse()) await p.stop().catch(() => {});
    await origin?.stop().catch(() => {});
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) await main();
