// deno-lint-ignore-file no-console -- a bench tool prints its results.
/**
 * In-process A/B of the glue around Deno.serve (issue 30): for each checkout,
 * one Deno.serve in this very process (its `serveGateway`, cli/serve.ts) over
 * its `createApp` (memory backends, bench/ab.ts's config: 20-statement policy,
 * rate limits), its access log as served (`makeLogger` JSON lines into its
 * `createLineWriter` with the default end-of-turn flush, written to a file as
 * stdout is under bench/ab.ts) and its metrics observer. wrk drives one
 * server at a time with an SDK-shaped anonymous 1 KiB GET; each turn's CPU
 * of this process (main thread and the other threads apart, /proc) is
 * divided by its requests. What glue_ab.ts cannot see is included: the
 * flush's timer and write (the report gives the lines per write),
 * Deno.serve's own promise per request, GC threads. Rounds in rotating
 * order, reversed every other round; the report gives each root's median and
 * the median of per-round differences against the first root. wrk shares the
 * machine's cores, so a difference under ~3 µs needs an A/A control (the
 * first root again under another name, a copy of its directory) and repeats.
 *
 *   ROOTS=main=/tmp/base,new=. deno run -A bench/serve_ab.ts [rounds] [seconds] [connections]
 */
import { BENCH_KEY } from "./_gateway.ts";
import { benchRoots, loadAppRoot } from "./_app_root.ts";
import { sdkGet } from "./_sdk.ts";
import { initClockTicks, loadAverage, threadCpuSeconds } from "./_system.ts";
import { runWrk } from "./_wrk.ts";
import { freePort } from "../tests/_support/ports.ts";

const roots = benchRoots();
const rounds = Number(Deno.args[0] ?? 8);
const seconds = Number(Deno.args[1] ?? 2);
const connections = Number(Deno.args[2] ?? 32);
await initClockTicks();

interface Contender {
  readonly name: string;
  readonly port: number;
  readonly logPath: string;
  readonly cpu: number[];
  readonly main: number[];
  readonly rps: number[];
  /** Writes of the log so far. */
  readonly writes: { n: number; perWrite: number[] };
}
const contenders: Contender[] = [];
const anonymous = await sdkGet("anonymous", BENCH_KEY, 8080, "/anon-fs/1k.bin");

for (const root of roots) {
  const { name, dir } = root;
  const { observe, createLineWriter, app } = await loadAppRoot(root);
  const { makeLogger } = await import(`${dir}/src/cli/log_format.ts`);
  const { serveGateway } = await import(`${dir}/src/cli/serve.ts`);
  const logPath = `/tmp/serve_ab-${name}.log`;
  const file = Deno.openSync(logPath, { write: true, create: true, truncate: true });
  const writes = { n: 0, perWrite: [] as number[] };
  const lines = createLineWriter((b: Uint8Array) => (writes.n++, file.writeSync(b)));
  const print = makeLogger({ format: "json", level: "info", write: (l: string) => lines.write(l) });
  const handler = app((e: unknown) => {
    observe(e);
    print(e);
  });
  const port = freePort();
  serveGateway(
    { address: { hostname: "127.0.0.1", port }, reusePort: false, onListen: () => {} },
    { warn: (m: string) => console.error(m) },
    { serving: { handler }, draining: false },
  );
  contenders.push({ name, port, logPath, cpu: [], main: [], rps: [], writes });
}

/** One turn on `c`: CPU µs per request of this process (all threads, and the main one). */
async function turn(c: Contender, record: boolean): Promise<void> {
  await Deno.truncate(c.logPath);
  c.writes.n = 0;
  const before = await threadCpuSeconds(Deno.pid);
  const run = await runWrk({
    port: c.port,
    requests: [anonymous],
    connections,
    seconds,
    scriptPath: `/tmp/serve_ab-${c.name}.lua`,
  });
  const after = await threadCpuSeconds(Deno.pid);
  if (run.errors) throw new Error(`${c.name}: ${run.errors} errors`);
  if (!record) return;
  const n = Math.max(run.requests, 1);
  c.cpu.push((after.main + after.others - before.main - before.others) / n * 1e6);
  c.main.push((after.main - before.main) / n * 1e6);
  c.rps.push(run.rps);
  c.writes.perWrite.push(run.requests / Math.max(c.writes.n, 1));
}

for (const c of contenders) await turn(c, false);
for (let r = 0; r < rounds; r++) {
  const order = contenders.map((_, k) => contenders[(k + r) % contenders.length]!);
  if (r % 2) order.reverse();
  for (const c of order) await turn(c, true);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const base = contenders[0]!;
console.log(`load average ${await loadAverage()}, ${rounds} rounds of ${seconds} s`);
for (const c of contenders) {
  const diff = median(c.cpu.map((x, r) => x - base.cpu[r]!));
  const mdiff = median(c.main.map((x, r) => x - base.main[r]!));
  console.log(
    `${c.name.padEnd(8)} cpu ${median(c.cpu).toFixed(1).padStart(6)} µs/req` +
      `  main ${median(c.main).toFixed(1).padStart(6)}  paired diff ${
        diff.toFixed(1).padStart(5)
      }` +
      ` (main ${mdiff.toFixed(1)})  cheaper in ${
        c.cpu.filter((x, r) => x < base.cpu[r]!).length
      }/${rounds}  ${Math.round(median(c.rps))} req/s` +
      `  ${median(c.writes.perWrite).toFixed(1)} lines/write`,
  );
}
Deno.exit(0);
