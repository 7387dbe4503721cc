// deno-lint-ignore-file no-console -- a bench tool prints its results.
/**
 * In-process A/B of the request path's own glue and its access log (issue
 * 30), each checkout's code in one process, as bench/route_ab.ts does for
 * routing: `log` is a typical GET's log entry made (`accessLogEntry`),
 * observed by the metrics, formatted as a JSON line and queued on the line
 * writer (into a sink that drops it); `anonymous` and `presigned` are whole
 * GETs of a 1 KiB object through `createApp` over memory backends, with
 * bench/ab.ts's config (20-statement policy, rate limits) and SDK-shaped
 * headers, log and metrics included, the body read. Rounds in rotating
 * order: each round times (in process CPU time) a batch of calls of every root; the report gives
 * each root's fastest and median round (µs per call) and the median of the
 * per-round differences against the first root, which the load of other
 * processes moves least.
 *
 *   ROOTS=main=/tmp/base,new=. deno run -A --v8-flags=--expose-gc bench/glue_ab.ts [rounds]
 *
 * With `--expose-gc`, each line also gives the heap's growth per call over
 * 500 calls after a full GC (allocation per request).
 *
 * Each root is a checkout (`git archive main | tar -x -C /tmp/base`, or one
 * bench/ab.ts left under /tmp); the first is the baseline.
 */
import { cpuUsage } from "node:process";
import { sdkGet } from "./_sdk.ts";
import { BENCH_KEY } from "./_gateway.ts";
import { benchRoots, loadAppRoot } from "./_app_root.ts";

const anonymous = await sdkGet("anonymous", BENCH_KEY, 8080, "/anon-fs/1k.bin");
const presigned = await sdkGet("presigned", BENCH_KEY, 8080, "/sig-s3/1k.bin");
const request = (r: typeof anonymous) =>
  new Request(`http://127.0.0.1:8080${r.path}`, {
    headers: { host: "127.0.0.1:8080", ...r.headers },
  });
const info = { remoteAddr: { hostname: "127.0.0.1", port: 40000 } };
const sink = (bytes: Uint8Array) => bytes.length;

/** One measured step of one root: a batch of calls. */
type Step = () => Promise<void> | void;
const cases: { group: string; name: string; batch: number; run: Step }[] = [];

for (const root of benchRoots()) {
  const { name, dir } = root;
  const { observe, createLineWriter, app } = await loadAppRoot(root);
  const { accessLogEntry } = await import(`${dir}/src/log/entry.ts`);
  const { formatter } = await import(`${dir}/src/cli/log_format.ts`);
  // Flushed at its high-water mark only: the end-of-turn timer is not the subject.
  const lines = createLineWriter(sink, () => {});
  const print = formatter("json", (line: string) => lines.write(line));
  const log = (e: unknown) => {
    observe(e);
    print(e);
  };

  // What the log step reads: a GET's request, its answer and outcome.
  const req = request(presigned);
  const response = new Response("x".repeat(1024), {
    headers: { "content-length": "1024", etag: '"abc"' },
  });
  const outcome = {
    result: { ok: true, value: response },
    route: { op: "GetObject", bucket: "sig-s3", key: "1k.bin" },
    identity: { kind: "access_key", accessKeyId: BENCH_KEY.id, principal: "bench", scopes: [] },
    authMs: 0.031,
    backendMs: 0.412,
  };
  const client = { ok: true, value: { address: "127.0.0.1", host: "127.0.0.1:8080" } };
  const logOne = () => {
    log(accessLogEntry(req, {
      requestId: "0123456789ABCDEF",
      started: Date.now(),
      totalMs: 0.52,
      outcome,
      response,
      client,
      peer: info.remoteAddr,
    }));
  };
  cases.push({ group: "log", name, batch: 20_000, run: logOne });

  const handle = app(log);
  for (const [shape, r] of [["anonymous", anonymous], ["presigned", presigned]] as const) {
    const get = async () => {
      const res = await handle(request(r), info);
      if (res.status !== 200) throw new Error(`${shape} ${name}: ${res.status}`);
      await res.arrayBuffer();
    };
    cases.push({ group: shape, name, batch: 3_000, run: get });
  }
}

/** CPU µs per call of one batch (the process's, GC threads included: preemption does not count). */
async function timeBatch(c: (typeof cases)[number]): Promise<number> {
  const t = cpuUsage();
  for (let n = 0; n < c.batch; n++) await c.run();
  const d = cpuUsage(t);
  return (d.user + d.system) / c.batch;
}

const rounds = Number(Deno.args[0] ?? 30);
const times = new Map<(typeof cases)[number], number[]>(cases.map((c) => [c, []]));
// Warmed up before any root is measured, so the order of the roots does not count.
for (const c of cases) for (let n = 0; n < 5; n++) await timeBatch(c);
for (let r = 0; r < rounds; r++) {
  for (let k = 0; k < cases.length; k++) {
    const c = cases[(k + r) % cases.length]!;
    times.get(c)!.push(await timeBatch(c));
  }
}
/** Heap growth per call over 500 calls after a full GC, when the GC is exposed. */
async function bytesPerCall(c: (typeof cases)[number]): Promise<string> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return "";
  gc();
  const before = Deno.memoryUsage().heapUsed;
  for (let n = 0; n < 500; n++) await c.run();
  return `  ${Math.round((Deno.memoryUsage().heapUsed - before) / 500)} B/call`;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const group of new Set(cases.map((c) => c.group))) {
  const mine = cases.filter((c) => c.group === group);
  const base = times.get(mine[0]!)!;
  for (const c of mine) {
    const t = times.get(c)!;
    const diff = median(t.map((x, r) => x - base[r]!));
    console.log(
      `${group.padEnd(10)} ${c.name.padEnd(8)} min ${Math.min(...t).toFixed(2).padStart(7)} µs` +
        `  median ${median(t).toFixed(2).padStart(7)} µs  paired diff ${
          diff.toFixed(2).padStart(6)
        } µs` +
        `  cheaper in ${t.filter((x, r) => x < base[r]!).length}/${rounds}` + await bytesPerCall(c),
    );
  }
}
