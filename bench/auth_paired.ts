// deno-lint-ignore-file no-console -- a bench tool prints its results.
/**
 * Paired in-process A/B of `authenticate` and of `parseS3Request` (issue
 * 30; the route over a `Headers` already walked once): bench/auth_ab.ts's
 * requests, but the two checkouts' calls interleaved, 60 rounds of 400 calls
 * each in alternating order, and the difference taken within each round, so
 * a load change between two `deno bench` runs does not read as a change.
 * Prints per shape the min and median µs per call of each checkout, the
 * median per-round difference (after − before) with its IQR, and how many
 * rounds the second was cheaper.
 *
 *   deno run -A bench/auth_paired.ts <before checkout> <after checkout>
 */
import { sdkGet } from "./_sdk.ts";
import { BENCH_CREDENTIAL as credential, BENCH_KEY } from "./_gateway.ts";

const here = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const roots = Deno.args.slice(0, 2).map((d) => d === "." ? here : d);
if (roots.length !== 2) throw new Error("usage: auth_paired.ts <before> <after>");
const ROUNDS = 60, BATCH = 400;
const shapes = ["presigned", "signed"] as const;
const reqs: Record<string, Request> = {};
for (const shape of shapes) {
  const r = await sdkGet(shape, BENCH_KEY, 8080, "/sig-s3/1k.bin");
  reqs[shape] = new Request(`http://127.0.0.1:8080${r.path}`, {
    headers: [["host", "127.0.0.1:8080"], ...Object.entries(r.headers ?? {})],
  });
}
const fns: ((c: string) => void)[] = [];
for (const dir of roots) {
  const auth = await import(`${dir}/src/auth/authenticate.ts`);
  const { requestTarget } = await import(`${dir}/src/http/target.ts`);
  const { createSigningKeyCache } = await import(`${dir}/src/sigv4/signing_key.ts`);
  const cache = await import(`${dir}/src/auth/presigned_cache.ts`);
  const deps = {
    credentials: new Map([[BENCH_KEY.id, credential]]),
    clock: { now: () => Date.now() },
    signingKeys: createSigningKeyCache(),
    region: "us-east-1",
    presigned: cache.createPresignedCache(),
  };
  const { parseS3Request } = await import(`${dir}/src/s3/request.ts`);
  fns.push((c) => {
    const [step, shape] = c.split(" ") as [string, string];
    const req = reqs[shape]!;
    const target = requestTarget(req.url);
    const r = step === "auth"
      ? auth.authenticate(req, target, deps)
      : parseS3Request(req.method, target, req.headers);
    if (!r.ok) throw new Error(r.error.message);
  });
}
const cases = shapes.flatMap((s) => [`auth ${s}`, `route ${s}`]);
for (const shape of cases) {
  for (let w = 0; w < 3000; w++) {
    fns[0]!(shape);
    fns[1]!(shape);
  }
  const t: number[][] = [[], []];
  for (let round = 0; round < ROUNDS; round++) {
    for (const k of round % 2 ? [1, 0] : [0, 1]) {
      const s = performance.now();
      for (let i = 0; i < BATCH; i++) fns[k]!(shape);
      t[k]!.push((performance.now() - s) * 1000 / BATCH);
    }
  }
  const d = t[1]!.map((x, i) => x - t[0]![i]!).sort((a, b) => a - b);
  const q = (a: number[], p: number) =>
    [...a].sort((x, y) => x - y)[Math.floor(p * (a.length - 1))]!;
  const f = (x: number) => x.toFixed(2);
  console.log(
    `${shape}: before min ${f(q(t[0]!, 0))} med ${f(q(t[0]!, .5))} | after min ${
      f(q(t[1]!, 0))
    } med ${f(q(t[1]!, .5))} | diff med ${f(q(d, .5))} IQR ${f(q(d, .25))}…${
      f(q(d, .75))
    } after cheaper ${d.filter((x) => x < 0).length}/${ROUNDS}`,
  );
}
