/** Runs the `deno bench` microbenchmarks in bench/ and reads their ns/op. */

/** One microbenchmark's figures. */
export interface MicroResult {
  readonly name: string;
  /** Mean and 99th percentile, nanoseconds per operation. */
  readonly avgNs: number;
  readonly p99Ns: number;
  readonly minNs: number;
}

const HERE = new URL(".", import.meta.url).pathname;

/** `deno bench --json` over the *_bench.ts files here. */
export async function runMicro(): Promise<MicroResult[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["bench", "--allow-all", "--json", HERE],
    cwd: `${HERE}..`,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(`Cannot run deno bench: ${new TextDecoder().decode(out.stderr)}${text}`);
  }
  const json = JSON.parse(text) as {
    benches: { name: string; results: { ok?: { avg: number; p99: number; min: number } }[] }[];
  };
  return json.benches.flatMap((b) => {
    const r = b.results[0]?.ok;
    return r ? [{ name: b.name, avgNs: r.avg, p99Ns: r.p99, minNs: r.min }] : [];
  });
}
