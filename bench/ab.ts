// deno-lint-ignore-file no-console -- a bench tool prints its results.
/**
 * The paired A/B driver (issue 30): is one revision of the request path
 * cheaper than another, and how far is each from Deno's own floors? All
 * contenders are alive at once — one gateway per `--rev` (each from its own
 * `git worktree` under /tmp, `.` being this working tree), and the floors of
 * bench/_floor.ts: `relay` (Deno.serve + a bare fetch to the origin, the
 * issue's reference for the s3 targets), `relay-s3` (the relay doing what any
 * S3 gateway must around fetch: headers, signal, redirect, seven answer
 * headers; the s3 targets' floor), `s3-gateway` (`relay-s3` plus what an
 * authenticating gateway cannot skip on a presigned GET, written plainly: the
 * SigV4 query verified for real with node:crypto, a JSON access-log line
 * batched to stdout; presigned-s3's floor, its requests presigned for the
 * floor's path), `memory-s3` (Deno.serve reading what an
 * S3 gateway must read, the floor of the fs target) and `fs-s3` (`memory-s3`
 * with a stat of the object's file per request, what serving a directory's
 * current bytes cannot skip: the fs target's second floor). Each round gives every contender one
 * short turn, a target's contenders side by side, in an order rotated by one
 * and reversed every other round; figures are compared
 * within a round, and the report gives the median and IQR of the per-round
 * differences and ratios and in how many rounds one side was cheaper.
 *
 * Each process carries an offset of its own for its whole life (±10–30 µs
 * CPU per request on the loaded 2-core box: JIT, heap layout, core), which
 * rotation does not cancel. So `--procs K` runs K processes per revision (and
 * per floor), a revision's figure per round being the mean of its processes'
 * turns; `--restart N` restarts every process every N rounds (then warms it
 * up again), so the offsets are drawn afresh and fall into the rounds'
 * spread instead of biasing the median; `--aa` adds the first revision again
 * as a control, and a change is called only when its median difference lies
 * outside the A/A pair's spread (bench/_ab_report.ts).
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
 *     [--procs 1] [--restart 0] [--aa] [--no-policy] [--no-limits] [--cpu-prof DIR]
 *
 * `--cpu-prof DIR` runs the first gateway under `--cpu-prof`; group the
 * profile with bench/cpuprof_groups.ts and the request count printed.
 */
import { parseArgs } from "node:util";
import { type Nginx, startOrigin } from "./_nginx.ts";
import { BENCH_KEY } from "./_gateway.ts";
import { sdkGet, type SdkShape } from "./_sdk.ts";
import { ensureTools, initClockTicks, loadAverage, machineLine } from "./_system.ts";
import { runTurn } from "./_turn.ts";
import type { WrkRequest } from "./_wrk.ts";
import { checkout, gatewayConfig, type Proc, spawnDeno } from "./_ab_procs.ts";
import { contenderTable, groupRounds, type Pair, pairedTable, type Samples } from "./_ab_report.ts";
import { freePort } from "../tests/_support/ports.ts";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const TARGETS = {
  "presigned-s3": {
    bucket: "sig-s3",
    shape: "presigned",
    floors: ["relay", "relay-s3", "s3-gateway"],
  },
  "signed-s3": { bucket: "sig-s3", shape: "signed", floors: ["relay", "relay-s3"] },
  "anon-fs": { bucket: "anon-fs", shape: "anonymous", floors: ["memory-s3", "fs-s3"] },
} as const satisfies Record<
  string,
  { bucket: string; shape: SdkShape; floors: readonly string[] }
>;
type Target = keyof typeof TARGETS;

/** A process of the run, restarted every `--restart` rounds. */
interface Slot {
  proc: Proc;
  readonly start: () => Promise<Proc>;
}

/** One contender: a process and what it is driven with; `group` is its revision's target or floor. */
interface Contender {
  readonly name: string;
  readonly group: string;
  readonly slot: Slot;
  /** Built afresh each turn (a header signature lasts 15 minutes). */
  requests(): Promise<WrkRequest[]>;
}

type Flags = ReturnType<typeof flagsOf>;

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
      procs: { type: "string", default: "1" },
      restart: { type: "string", default: "0" },
      aa: { type: "boolean", default: false },
      "no-floors": { type: "boolean", default: false },
      "no-policy": { type: "boolean", default: false },
      "no-limits": { type: "boolean", default: false },
      "cpu-prof": { type: "string" },
    },
  }).values;
  const targets = v.targets.split(",") as Target[];
  for (const t of targets) if (!TARGETS[t]) throw new Error(`Unknown target ${t}`);
  if (v["cpu-prof"] && Number(v.restart) > 0) throw new Error("--cpu-prof with --restart");
  return { ...v, revs: revisions(v.rev?.length ? v.rev : ["."], v.aa), targets };
}

/** The revisions run, labelled apart: a repeated `--rev` gets `#n`, the `--aa` control `(A/A)`. */
function revisions(revs: readonly string[], aa: boolean): { rev: string; label: string }[] {
  const out = revs.map((rev, i) => ({
    rev,
    label: revs.indexOf(rev) < i ? `${rev}#${i + 1}` : rev,
  }));
  return aa ? [...out, { rev: revs[0]!, label: `${revs[0]} (A/A)` }] : out;
}

/** A slot whose process `spawn(generation)` starts, now and at each restart. */
async function slotOf(spawn: (gen: number) => Promise<Proc>, started: Slot[]): Promise<Slot> {
  let gen = 0;
  const slot: Slot = { proc: await spawn(gen), start: () => spawn(++gen) };
  started.push(slot);
  return slot;
}

/** The floors' contenders in `p`'s floor process. */
async function floorsOf(f: Flags, p: number, run: Run, started: Slot[]): Promise<Contender[]> {
  const port = freePort();
  const args = [`${ROOT}/bench/_floor.ts`, String(port), String(run.originPort), run.dir];
  const slot = await slotOf(
    (g) => spawnDeno(run.work, `floor${p}.${g}`, port, ROOT, args),
    started,
  );
  const floors = [...new Set(f.targets.flatMap((t) => TARGETS[t].floors))];
  const get: Record<typeof floors[number], [SdkShape, string]> = {
    relay: ["anonymous", "/bench/1k.bin"],
    "relay-s3": ["anonymous", "/floor/relay-s3/bench/1k.bin"],
    "s3-gateway": ["presigned", "/floor/s3-gateway/bench/1k.bin"],
    "memory-s3": ["anonymous", "/floor/memory-s3"],
    "fs-s3": ["anonymous", "/floor/fs-s3/1k.bin"],
  };
  return floors.map((fl) => {
    const [shape, path] = get[fl];
    return {
      name: `${fl} p${p + 1}`,
      group: fl,
      slot,
      requests: async () => [await sdkGet(shape, BENCH_KEY, port, path)],
    };
  });
}

/** The contenders of revision `i`'s gateway number `p`. */
async function gatewayOf(
  f: Flags,
  i: number,
  p: number,
  run: Run,
  started: Slot[],
): Promise<Contender[]> {
  const { rev, label } = f.revs[i]!;
  const root = await checkout(rev);
  const port = freePort();
  const config = `${run.work}/gateway-${i}-${p}.yaml`;
  const o = { policy: !f["no-policy"], limits: !f["no-limits"] };
  await Deno.writeTextFile(config, gatewayConfig(port, run.originPort, run.dir, o));
  const prof = i === 0 && p === 0 && f["cpu-prof"]
    ? ["--cpu-prof", `--cpu-prof-dir=${f["cpu-prof"]}`]
    : [];
  const args = [...prof, `${root}/main.ts`, "--config", config];
  const slot = await slotOf(
    (g) => spawnDeno(run.work, `gw${i}-${p}.${g}`, port, root, args),
    started,
  );
  return f.targets.map((t) => ({
    name: `${t}@${label} p${p + 1}`,
    group: `${t}@${label}`,
    slot,
    requests:
      async () => [await sdkGet(TARGETS[t].shape, BENCH_KEY, port, `/${TARGETS[t].bucket}/1k.bin`)],
  }));
}

/** What every process of a run shares. */
interface Run {
  readonly work: string;
  readonly originPort: number;
  readonly dir: string;
}

/** Starts every contender: per `--procs`, the floors, then one gateway per revision. */
async function startAll(f: Flags, run: Run, started: Slot[]): Promise<Contender[]> {
  const contenders: Contender[] = [];
  for (let p = 0; p < Number(f.procs); p++) {
    if (!f["no-floors"]) contenders.push(...await floorsOf(f, p, run, started));
    for (let i = 0; i < f.revs.length; i++) {
      contenders.push(...await gatewayOf(f, i, p, run, started));
    }
  }
  // A target's contenders side by side (its floor first): a pair is measured seconds apart.
  const rank = (c: Contender) => {
    const t = c.group.split("@")[0];
    return f.targets.findIndex((x) =>
      x === t || (TARGETS[x].floors as readonly string[]).includes(t!)
    );
  };
  return contenders.toSorted((a, b) => rank(a) - rank(b));
}

/** Checks each contender answers its request with the 1 KiB. */
async function check(c: Contender): Promise<void> {
  const [r] = await c.requests();
  const res = await fetch(`http://127.0.0.1:${c.slot.proc.port}${r!.path}`, {
    headers: r!.headers ?? {},
  });
  const body = await res.bytes();
  const n = body.byteLength;
  if (res.status !== 200) console.error(new TextDecoder().decode(body));
  if (res.status !== 200 || n !== 1024) {
    throw new Error(`${c.name}: ${res.status}, ${n} bytes ${r!.path}`);
  }
  if (c.group === "s3-gateway") await checkRefused(c.slot.proc.port, r!);
}

/** Checks the `s3-gateway` floor verifies for real: a signature altered by one digit is a 403. */
async function checkRefused(port: number, r: WrkRequest): Promise<void> {
  const path = r.path.replace(
    /(X-Amz-Signature=[0-9a-f]*)([0-9a-f])/,
    (_, head: string, last: string) => `${head}${last === "0" ? "1" : "0"}`,
  );
  if (path === r.path) throw new Error(`s3-gateway: no signature in ${r.path}`);
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: r.headers ?? {} });
  await res.body?.cancel();
  if (res.status !== 403) throw new Error(`s3-gateway: an altered signature got ${res.status}`);
}

/** The pairs compared: each revision against its floor, each later one against the first. */
function pairsOf(f: Flags): Pair[] {
  const pairs: Pair[] = [];
  for (const t of f.targets) {
    const g = (i: number) => `${t}@${f.revs[i]!.label}`;
    if (!f["no-floors"]) {
      for (const floor of TARGETS[t].floors) {
        for (const i of f.revs.keys()) pairs.push({ target: t, a: floor, b: g(i), kind: "floor" });
      }
    }
    for (let i = 1; i < f.revs.length; i++) {
      const kind = f.aa && i === f.revs.length - 1 ? "control" : "change";
      pairs.push({ target: t, a: g(0), b: g(i), kind });
    }
  }
  return pairs;
}

/** Restarts every process (all at once), checks and warms them. */
async function restartAll(
  f: Flags,
  slots: readonly Slot[],
  contenders: readonly Contender[],
  turn: Turn,
) {
  await Promise.all(slots.map((s) => s.proc.stop().catch(() => {})));
  await Promise.all(slots.map(async (s) => (s.proc = await s.start())));
  for (const c of contenders) await check(c);
  await warmUp(f, contenders, turn);
}

/** Whether `c` is served by the process `--cpu-prof` profiles: the first revision's first. */
const profiledBy = (f: Flags, c: Contender) =>
  c.group.endsWith(`@${f.revs[0]!.label}`) && c.name.endsWith(" p1");

type Turn = Parameters<typeof runTurn>[2];

/** `--warmup` seconds of load on each contender, not measured. */
async function warmUp(f: Flags, contenders: readonly Contender[], turn: Turn): Promise<number> {
  let n = 0;
  for (const c of Number(f.warmup) > 0 ? contenders : []) {
    const x = await runTurn(c.slot.proc, await c.requests(), {
      ...turn,
      seconds: Number(f.warmup),
    });
    if (profiledBy(f, c)) n += x.requests;
  }
  return n;
}

/**
 * Every contender once a round, order rotated by one each round; every
 * process restarted every `--restart` rounds. Returns the samples and the
 * requests the first gateway served (warm-up included: a profile's scale).
 */
async function rounds(
  f: Flags,
  contenders: readonly Contender[],
  slots: readonly Slot[],
  work: string,
): Promise<{ samples: Samples; profiled: number }> {
  const turn = {
    seconds: Number(f.seconds),
    connections: Number(f.connections),
    script: `${work}/wrk.lua`,
  };
  const samples: Samples = new Map();
  let profiled = await warmUp(f, contenders, turn);
  const every = Number(f.restart);
  for (let r = 0; r < Number(f.rounds); r++) {
    if (every > 0 && r > 0 && r % every === 0) {
      console.error(`[ab] round ${r + 1}: restarting ${slots.length} processes`);
      await restartAll(f, slots, contenders, turn);
    }
    const order = r % 2 ? contenders.toReversed() : contenders;
    for (let k = 0; k < order.length; k++) {
      const c = order[(r + k) % order.length]!;
      const x = await runTurn(c.slot.proc, await c.requests(), turn);
      samples.set(c.name, [...samples.get(c.name) ?? [], x]);
      if (profiledBy(f, c)) profiled += x.requests;
      console.error(
        `[ab] round ${r + 1} ${c.name}: ${x.rps.toFixed(0)} req/s, ${x.cpuUs.toFixed(1)} µs/req, ` +
          `${(x.allocBytes / 1000).toFixed(1)} KB/req`,
      );
    }
  }
  return { samples, profiled };
}

/** The run's header line. */
function header(f: Flags, load: number, after: number): string {
  const restart = Number(f.restart) > 0 ? `, restarted every ${f.restart} rounds` : "";
  return [
    `${new Date().toISOString()}: GET 1 KiB, SDK-shaped headers; wrk -t2 -c${f.connections}`,
    `${f.rounds} rounds of ${f.seconds} s turns, side by side, rotated`,
    `${f.procs} process(es) per revision${restart}`,
    `limits ${f["no-limits"] ? "off" : "on"}, policy ${f["no-policy"] ? "off" : "20 statements"}`,
    `load ${load.toFixed(2)} before, ${after.toFixed(2)} after.\n`,
  ].join("; ");
}

async function main(): Promise<void> {
  const f = flagsOf();
  await ensureTools((s) => console.error(`[ab] ${s}`));
  await initClockTicks();
  const work = await Deno.makeTempDir({ prefix: "bucketgate-ab-" });
  const started: Slot[] = [];
  let origin: Nginx | undefined;
  try {
    const dir = `${work}/root/bench`;
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeFile(`${dir}/1k.bin`, new Uint8Array(1024).fill(0x61));
    origin = await startOrigin(`${work}/origin`, freePort(), `${work}/root`, 1);
    const contenders = await startAll(f, { work, originPort: origin.port, dir }, started);
    for (const c of contenders) await check(c);
    const load = await loadAverage();
    const { samples, profiled } = await rounds(f, contenders, started, work);
    const g = groupRounds(contenders, samples);
    console.log(`${await machineLine()}\n\n${header(f, load, await loadAverage())}`);
    console.log(`${contenderTable(contenders, samples, g)}\n\n${pairedTable(pairsOf(f), g)}`);
    if (f["cpu-prof"]) {
      console.log(
        `\nProfile of ${f.revs[0]!.label} in ${f["cpu-prof"]} (${profiled} requests, warm-up ` +
          `included): deno run -A bench/cpuprof_groups.ts <file> --requests ${profiled}`,
      );
    }
  } finally {
    for (const s of started.reverse()) await s.proc.stop().catch(() => {});
    await origin?.stop().catch(() => {});
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) await main();
