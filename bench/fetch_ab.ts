// deno-lint-ignore-file no-console -- a bench tool prints its results.
/**
 * In-process A/B of a backend GET through the real `fetch` (issue 30): where
 * bench/backend_ab.ts stubs fetch to measure our side alone, this one sends
 * each call to an nginx origin on loopback (1 KiB object) and charges the
 * process's CPU (user + system, every thread: V8's and the HTTP client's)
 * per call, so what fetch does with our arguments (the signal it follows,
 * the headers it converts, the ops) counts too. Cases run in batches of
 * `--batch` calls, `--conc` at a time, alternating every round (the order
 * reversed every other round) so the machine's drift hits each alike; min,
 * p10, median and p75 are over the batches' per-call CPU µs (on a loaded
 * machine the low quantiles are the uncontended cost), and each case's
 * difference from the first case is taken round by round (its median and
 * quartiles printed: read those). Each call has a fresh client signal, never
 * aborted: under `no-legacy-abort` (deno.json) Deno.serve aborts a request's
 * signal only when its client goes away.
 *
 * Cases: `getObject <name>` for each checkout of ROOTS (backends/s3's
 * getObject, anonymous store, as the bench gateway's `sig-s3`), and with
 * `--shapes`, bare fetch shapes that tell what a signal costs fetch:
 * `fetch none` (no signal), `fetch client` (the client's signal passed
 * straight), `fetch follow` (a controller of our own following the client's,
 * as `send` does).
 *
 *   ROOTS=main=/tmp/ab-<sha>,new=. deno run -A bench/fetch_ab.ts \
 *     [--rounds 40] [--batch 400] [--conc 8] [--shapes]
 *
 * Allocation per call (heap growth over 200 calls after a full GC, the largest of 9
 * windows: a scavenge within one only shrinks it): add `--alloc`, run with
 * `--v8-flags=--expose-gc,--min-semi-space-size=64`.
 */
import { parseArgs } from "node:util";
import process from "node:process";
import { startOrigin } from "./_nginx.ts";
import { freePort } from "../tests/_support/ports.ts";

const f = parseArgs({
  args: Deno.args,
  options: {
    rounds: { type: "string", default: "40" },
    batch: { type: "string", default: "400" },
    conc: { type: "string", default: "8" },
    shapes: { type: "boolean", default: false },
    alloc: { type: "boolean", default: false },
  },
}).values;

const here = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const roots = (Deno.env.get("ROOTS") ?? "this=.").split(",").map((x) => {
  const [name, dir] = x.split("=") as [string, string];
  return { name, dir: dir === "." ? here : dir };
});

const work = await Deno.makeTempDir({ prefix: "fetch-ab-" });
await Deno.mkdir(`${work}/root/bench/dir`, { recursive: true });
await Deno.writeFile(`${work}/root/bench/dir/1k.bin`, new Uint8Array(1024).fill(0x61));
const origin = await startOrigin(`${work}/origin`, freePort(), `${work}/root`, 1);
const url = `http://127.0.0.1:${origin.port}/bench/dir/1k.bin`;

/** One call, under its client's signal. */
type Call = (signal: AbortSignal) => Promise<void>;
const cases: { name: string; call: Call }[] = [];

/** Reads a body to its end, as the gateway's client would. */
async function drain(body: ReadableStream<Uint8Array> | null): Promise<void> {
  if (!body) return;
  const reader = body.getReader();
  while (!(await reader.read()).done) { /* bytes */ }
}

for (const { name, dir } of roots) {
  const { createS3Client } = await import(`${dir}/src/backends/s3/client.ts`);
  const objects = await import(`${dir}/src/backends/s3/objects.ts`);
  const client = createS3Client({
    endpoint: `http://127.0.0.1:${origin.port}`,
    bucketName: "bench",
    region: "us-east-1",
    forcePathStyle: true,
    requestTimeoutMs: 30_000,
  }, { clock: { now: () => Date.now() } });
  cases.push({
    name: `getObject ${name}`,
    call: async (signal) => {
      const r = await objects.getObject(client, "dir/1k.bin", { signal });
      if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
      await drain(r.value.body);
    },
  });
}

if (f.shapes) {
  const headers = () => ({
    "accept-encoding": "identity",
    "user-agent": "bucketgate/bench",
    "x-amz-checksum-mode": "ENABLED",
  });
  const once = { once: true };
  const { createIdleWatchdog } = await import(`${here}/src/streams/idle.ts`);
  const watchdog = createIdleWatchdog({ timeoutMs: 30_000 });
  const get = async (signal: AbortSignal | null) => {
    const res = await fetch(url, { method: "GET", headers: headers(), signal, redirect: "manual" });
    await drain(res.body);
  };
  cases.push(
    { name: "fetch none", call: () => get(null) },
    { name: "fetch client", call: (signal) => get(signal) },
    {
      name: "fetch follow",
      call: async (client) => {
        const c = new AbortController();
        const late = watchdog.watch(() => c.abort(new Error("late")));
        client.addEventListener("abort", () => c.abort(client.reason), once);
        const res = await fetch(url, {
          method: "GET",
          headers: headers(),
          signal: c.signal,
          redirect: "manual",
        });
        late.end();
        await drain(res.body);
      },
    },
  );
}

/** Runs `n` calls of `call`, `conc` at a time. */
async function run(call: Call, n: number, conc: number): Promise<void> {
  let left = n;
  const lane = async () => {
    while (left-- > 0) await call(new AbortController().signal);
  };
  await Promise.all(Array.from({ length: conc }, lane));
}

const cpuMicros = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

const rounds = Number(f.rounds), batch = Number(f.batch), conc = Number(f.conc);
const q = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))]!;
try {
  for (const c of cases) await run(c.call, 2_000, conc); // warm up
  if (f.alloc) {
    // A scavenge within a window shrinks its growth: the largest of 9 windows is the GC-free one.
    for (const c of cases) {
      const n = 200;
      const grown: number[] = [];
      for (let k = 0; k < 9; k++) {
        (globalThis as { gc?: () => void }).gc?.();
        const before = Deno.memoryUsage().heapUsed;
        await run(c.call, n, conc);
        grown.push((Deno.memoryUsage().heapUsed - before) / n);
      }
      console.log(`${c.name}: ${Math.round(Math.max(...grown))} B/call (largest of 9 windows)`);
    }
  } else {
    const out = new Map(cases.map((c) => [c.name, [] as number[]]));
    for (let r = 0; r < rounds; r++) {
      for (const c of r % 2 ? [...cases].reverse() : cases) {
        const t0 = cpuMicros();
        await run(c.call, batch, conc);
        out.get(c.name)!.push((cpuMicros() - t0) / batch);
      }
    }
    const first = out.get(cases[0]!.name)!;
    for (const [name, xs] of out) {
      // Paired: each round's difference from the first case, so drift between rounds cancels.
      const diff = xs.map((x, i) => x - first[i]!);
      console.log(
        `${name.padEnd(18)} min ${q(xs, 0).toFixed(1)}  p10 ${q(xs, 0.1).toFixed(1)}  median ${
          q(xs, 0.5).toFixed(1)
        }  p75 ${q(xs, 0.75).toFixed(1)} CPU µs/call; minus ${cases[0]!.name}: median ${
          q(diff, 0.5).toFixed(1)
        } (p25 ${q(diff, 0.25).toFixed(1)}, p75 ${q(diff, 0.75).toFixed(1)})`,
      );
    }
  }
} finally {
  await origin.stop();
  await Deno.remove(work, { recursive: true });
}
