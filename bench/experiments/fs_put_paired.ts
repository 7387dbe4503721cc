// deno-lint-ignore-file no-console -- a bench script prints its results.
/**
 * What does one unconditional 1 KiB PutObject cost the fs backend, in CPU,
 * in two or more checkouts side by side (issue 25: "unconditional writes stay
 * as cheap as today")? Each checkout's `createFsBackend` is imported into this
 * one process (no HTTP, no auth: only the backend), over its own temp bucket
 * with `fsync: false`, and driven in rounds: every round, each contender in
 * turn (the order rotating), 8 writers each overwriting its own key. The
 * figure is the process's CPU (user + system, `process.cpuUsage`) per PUT,
 * the median over the rounds, which a shared machine's load moves far less
 * than wall time; and the median of each round's ratio to the first
 * contender (load shifts within a round fall on both alike).
 *
 *   deno run -A bench/experiments/fs_put_paired.ts --contender old=/tmp/fs-old \
 *     --contender new=. [--rounds 15] [--puts 800] [--writers 8] [--size 1024]
 */
import { parseArgs } from "node:util";
import process from "node:process";
import type { Backend } from "../../src/backends/backend.ts";

interface Contender {
  readonly name: string;
  readonly backend: Backend;
  readonly dir: string;
  readonly cpuUs: number[];
}

async function load(spec: string): Promise<Contender> {
  const [name, path] = spec.split("=") as [string, string];
  const url = new URL(`${path}/src/backends/fs/fs.ts`, `file://${Deno.cwd()}/`).href;
  const mod = await import(url) as {
    createFsBackend(o: { root: string; fsync?: boolean }): Backend;
  };
  const dir = await Deno.makeTempDir({ prefix: `bucketgate-paired-${name}-` });
  return { name, dir, backend: mod.createFsBackend({ root: `${dir}/b`, fsync: false }), cpuUs: [] };
}

function bodyOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      c.enqueue(bytes);
      c.close();
    },
  });
}

/** `puts` PUTs by `writers` concurrent writers, each on its own key; CPU µs per PUT. */
async function round(c: Contender, o: { puts: number; writers: number; size: number }) {
  const each = Math.ceil(o.puts / o.writers);
  const bytes = crypto.getRandomValues(new Uint8Array(o.size));
  const before = process.cpuUsage();
  await Promise.all(Array.from({ length: o.writers }, async (_, w) => {
    for (let i = 0; i < each; i++) {
      const r = await c.backend.put(`w${w}/obj`, bodyOf(bytes), {
        meta: { contentType: "application/octet-stream", userMetadata: {} },
        contentLength: o.size,
      });
      if (!r.ok) throw new Error(`${c.name}: ${r.error.kind}`);
    }
  }));
  const used = process.cpuUsage(before);
  return (used.user + used.system) / (each * o.writers);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const { values } = parseArgs({
  options: {
    contender: { type: "string", multiple: true },
    rounds: { type: "string", default: "15" },
    puts: { type: "string", default: "800" },
    writers: { type: "string", default: "8" },
    size: { type: "string", default: "1024" },
  },
});
const contenders = await Promise.all((values.contender ?? ["new=."]).map(load));
const o = { puts: +values.puts, writers: +values.writers, size: +values.size };
for (const c of contenders) await round(c, o); // warm-up
for (let r = 0; r < +values.rounds; r++) {
  for (let i = 0; i < contenders.length; i++) {
    const c = contenders[(r + i) % contenders.length]!;
    c.cpuUs.push(await round(c, o));
  }
}
const base = median(contenders[0]!.cpuUs);
/** The median over rounds of `c`'s CPU per PUT over the first contender's in the same round. */
const ratio = (c: Contender) => median(c.cpuUs.map((x, r) => x / contenders[0]!.cpuUs[r]!));
for (const c of contenders) {
  const m = median(c.cpuUs);
  const sorted = [...c.cpuUs].sort((a, b) => a - b);
  const q1 = sorted[Math.floor(sorted.length / 4)]!;
  const q3 = sorted[Math.floor((sorted.length * 3) / 4)]!;
  console.log(
    `${c.name.padEnd(10)} ${m.toFixed(0).padStart(6)} µs CPU/PUT (IQR ${q1.toFixed(0)}–${
      q3.toFixed(0)
    }), medians ${((m / base - 1) * 100).toFixed(1)}% vs ${contenders[0]!.name}, ` +
      `median of the rounds' ratios ${((ratio(c) - 1) * 100).toFixed(1)}%`,
  );
}
for (const c of contenders) await Deno.remove(c.dir, { recursive: true });
