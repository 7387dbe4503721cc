// deno-lint-ignore-file no-console -- a bench tool prints its results.
/**
 * Paired in-process A/B of `authenticate` and of `parseS3Request` (issue
 * 30): bench/ab.ts's SDK-shaped GetObject requests (header-signed with
 * boto3's 9 headers, each signed afresh; presigned, one URL used again so
 * the presigned cache hits) as `Deno.serve` hands them over
 * (bench/_served.ts: their headers already walked once, as the route does),
 * the two checkouts' calls interleaved, rounds of 400 calls each in
 * alternating order, timed in the process's CPU time (a preemption by other
 * processes does not count), the difference taken within each round, so a
 * load change between two `deno bench` runs does not read as a change.
 * Prints per step the min and median µs per call of each checkout, the
 * median per-round difference (after − before) with its IQR, and how many
 * rounds the second was cheaper; with `--expose-gc`, each checkout's heap
 * growth per call too (the largest of five runs of 200 calls after a full
 * GC: a scavenge within one only lowers it).
 *
 *   deno run -A --v8-flags=--expose-gc bench/auth_paired.ts <before> <after> [rounds]
 */
import { cpuUsage } from "node:process";
import { sdkGet } from "./_sdk.ts";
import { BENCH_CREDENTIAL as credential, BENCH_KEY } from "./_gateway.ts";
import { servedRequests } from "./_served.ts";
import type { WrkRequest } from "./_wrk.ts";
import { freePort } from "../tests/_support/ports.ts";

const here = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const roots = Deno.args.slice(0, 2).map((d) => d === "." ? here : d);
if (roots.length !== 2) throw new Error("usage: auth_paired.ts <before> <after> [rounds]");
const ROUNDS = Number(Deno.args[2] ?? 60), BATCH = 400, DISTINCT = 16;
const shapes = ["presigned", "signed"] as const;
const port = freePort();
const groups: WrkRequest[][] = [];
const once = await sdkGet("presigned", BENCH_KEY, port, "/sig-s3/1k.bin");
groups.push(Array.from({ length: DISTINCT }, () => once));
const signed: WrkRequest[] = [];
for (let i = 0; i < DISTINCT; i++) {
  signed.push(await sdkGet("signed", BENCH_KEY, port, "/sig-s3/1k.bin"));
}
groups.push(signed);
const served = await servedRequests(port, groups);
const reqs: Record<string, Request[]> = {
  presigned: served.requests[0]!,
  signed: served.requests[1]!,
};

const fns: ((c: string, i: number) => void)[] = [];
for (const dir of roots) {
  const auth = await import(`${dir}/src/auth/authenticate.ts`);
  const { requestTarget } = await import(`${dir}/src/http/target.ts`);
  const { createSigningKeyCache } = await import(`${dir}/src/sigv4/signing_key.ts`);
  const cache = await import(`${dir}/src/auth/presigned_cache.ts`);
  const { parseS3Request } = await import(`${dir}/src/s3/request.ts`);
  const deps = {
    credentials: new Map([[BENCH_KEY.id, credential]]),
    clock: { now: () => Date.now() },
    signingKeys: createSigningKeyCache(),
    region: "us-east-1",
    presigned: cache.createPresignedCache(),
  };
  // The request target is the route's work, made once per request here.
  const targets = Object.fromEntries(
    shapes.map((s) => [s, reqs[s]!.map((r) => requestTarget(r.url))]),
  );
  fns.push((c, i) => {
    const [step, shape] = c.split(" ") as [string, string];
    const req = reqs[shape]![i % DISTINCT]!;
    const target = targets[shape]![i % DISTINCT];
    const r = step === "auth"
      ? auth.authenticate(req, target, deps)
      : parseS3Request(req.method, target, req.headers);
    if (!r.ok) throw new Error(r.error.message);
  });
}

const gc = (globalThis as { gc?: () => void }).gc;
/** Heap growth per call of `fn` (bytes), or "" without --expose-gc. */
function bytesPerCall(fn: (c: string, i: number) => void, c: string): string {
  if (!gc) return "";
  let most = 0;
  for (let run = 0; run < 5; run++) {
    gc();
    const before = Deno.memoryUsage().heapUsed;
    for (let i = 0; i < 200; i++) fn(c, i);
    most = Math.max(most, (Deno.memoryUsage().heapUsed - before) / 200);
  }
  return ` ${Math.round(most)} B`;
}

const cases = shapes.flatMap((s) => [`auth ${s}`, `route ${s}`]);
for (const c of cases) {
  for (let w = 0; w < 3000; w++) {
    fns[0]!(c, w);
    fns[1]!(c, w);
  }
  const t: number[][] = [[], []];
  for (let round = 0; round < ROUNDS; round++) {
    for (const k of round % 2 ? [1, 0] : [0, 1]) {
      const s = cpuUsage();
      for (let i = 0; i < BATCH; i++) fns[k]!(c, i);
      const d = cpuUsage(s);
      t[k]!.push((d.user + d.system) / BATCH);
    }
  }
  const d = t[1]!.map((x, i) => x - t[0]![i]!).sort((a, b) => a - b);
  const q = (a: number[], p: number) =>
    [...a].sort((x, y) => x - y)[Math.floor(p * (a.length - 1))]!;
  const f = (x: number) => x.toFixed(2);
  console.log(
    `${c}: before min ${f(q(t[0]!, 0))} med ${f(q(t[0]!, .5))}${
      bytesPerCall(fns[0]!, c)
    } | after min ${f(q(t[1]!, 0))} med ${f(q(t[1]!, .5))}${bytesPerCall(fns[1]!, c)} | diff med ${
      f(q(d, .5))
    } IQR ${f(q(d, .25))}…${f(q(d, .75))} after cheaper ${d.filter((x) => x < 0).length}/${ROUNDS}`,
  );
}
await served.close();
