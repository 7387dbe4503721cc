/**
 * In-process A/B of `authenticate` (issue 30): each checkout's
 * `src/auth/authenticate.ts` over the requests bench/ab.ts sends (an SDK's
 * GetObject, presigned and header-signed, 8–10 headers), in one process, so a
 * change of a few µs shows where bench/ab.ts's per-process offsets (±10–30 µs
 * on a shared 2-core machine, its A/A run in bench/results.md) hide it. Read
 * min and p75; the means carry the machine's preemptions.
 *
 *   ROOTS=main=/tmp/ab-<sha>,new=. deno bench -A bench/auth_ab.ts
 *
 * Each root is a checkout (bench/ab.ts leaves one per `--rev` under /tmp);
 * the first is the baseline. A presigned URL is the same every iteration, so
 * a checkout with auth/presigned_cache.ts measures its hit.
 */
import { sdkGet } from "./_sdk.ts";
import { BENCH_CREDENTIAL as credential, BENCH_KEY } from "./_gateway.ts";

type AuthResult = { ok: boolean; error?: { message: string } };
const here = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const roots = (Deno.env.get("ROOTS") ?? "this=.").split(",").map((x) => {
  const [name, dir] = x.split("=") as [string, string];
  return { name, dir: dir === "." ? here : dir };
});

const cases: Record<string, string[][]> = {};
const urls: Record<string, string> = {};
for (const shape of ["presigned", "signed"] as const) {
  const r = await sdkGet(shape, BENCH_KEY, 8080, "/sig-s3/1k.bin");
  urls[shape] = `http://127.0.0.1:8080${r.path}`;
  cases[shape] = [["host", "127.0.0.1:8080"], ...Object.entries(r.headers ?? {})];
}

for (const [i, { name, dir }] of roots.entries()) {
  const auth = await import(`${dir}/src/auth/authenticate.ts`);
  const { requestTarget } = await import(`${dir}/src/http/target.ts`);
  const { createSigningKeyCache } = await import(`${dir}/src/sigv4/signing_key.ts`);
  const cache = await import(`${dir}/src/auth/presigned_cache.ts`).catch(() => undefined);
  const deps = {
    credentials: new Map([[BENCH_KEY.id, credential]]),
    clock: { now: () => Date.now() },
    signingKeys: createSigningKeyCache(),
    region: "us-east-1",
    ...(cache ? { presigned: cache.createPresignedCache() } : {}),
  };
  for (const [shape, headers] of Object.entries(cases)) {
    const req = new Request(urls[shape]!, { headers: headers as [string, string][] });
    const check = (r: AuthResult) => {
      if (!r.ok) throw new Error(`${name} ${shape}: ${r.error?.message}`);
    };
    Deno.bench({ name: `${shape} ${name}`, group: shape, baseline: i === 0, n: 20_000 }, () => {
      // A fresh target per request, as the server makes one; an async revision awaited.
      const r: AuthResult | Promise<AuthResult> = auth.authenticate(
        req,
        requestTarget(req.url),
        deps,
      );
      return r instanceof Promise ? r.then(check) : check(r);
    });
  }
}
