/**
 * In-process A/B of the request path's route, authorization and limits steps
 * (issue 30), each checkout's code in one process, as bench/auth_ab.ts does
 * for `authenticate`: the presigned GET's query decoded for a fresh target
 * (`queryOf`), a GetObject authorized against bench/ab.ts's 20-statement
 * policy (`createAuthorizer` and one check, as s3/serve.ts runs them), and the
 * limiter's admission under bench/ab.ts's three rate limits (`callerOf` and
 * `admit`, awaited). Read min and p75; the means carry the machine's
 * preemptions.
 *
 *   ROOTS=main=/tmp/ab-<sha>,new=. deno bench -A bench/route_ab.ts
 *
 * Each root is a checkout (bench/ab.ts leaves one per `--rev` under /tmp);
 * the first is the baseline.
 */
import { sdkGet } from "./_sdk.ts";
import { BENCH_KEY } from "./_gateway.ts";
import { gatewayConfig } from "./_ab_procs.ts";

const here = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const roots = (Deno.env.get("ROOTS") ?? "this=.").split(",").map((x) => {
  const [name, dir] = x.split("=") as [string, string];
  return { name, dir: dir === "." ? here : dir };
});
const presigned = await sdkGet("presigned", BENCH_KEY, 8080, "/sig-s3/1k.bin");
const url = `http://127.0.0.1:8080${presigned.path}`;
const yaml = gatewayConfig(8080, 8081, "/tmp", { policy: true, limits: true });
const headers = new Headers(
  Object.entries((await sdkGet("signed", BENCH_KEY, 8080, "/sig-s3/1k.bin")).headers ?? {}),
);

for (const [i, { name, dir }] of roots.entries()) {
  const { requestTarget, queryOf } = await import(`${dir}/src/http/target.ts`);
  const { parseConfig } = await import(`${dir}/src/config/load.ts`);
  const { createAuthorizer } = await import(`${dir}/src/authz/authorizer.ts`);
  const { createLimiter } = await import(`${dir}/src/limits/limiter.ts`);
  const { createLocalStore } = await import(`${dir}/src/limits/local_store.ts`);
  const { callerOf } = await import(`${dir}/src/limits/plan.ts`);
  const parsed = parseConfig(yaml, () => undefined);
  if (!parsed.ok) throw new Error(`${name}: ${JSON.stringify(parsed.error)}`);
  const config = parsed.value;
  const baseline = i === 0;

  Deno.bench({ name: `query ${name}`, group: "query", baseline, n: 50_000 }, () => {
    if (!queryOf(requestTarget(url)).ok) throw new Error("refused");
  });

  const identity = {
    kind: "access_key",
    accessKeyId: BENCH_KEY.id,
    principal: "bench",
    scopes: config.credentials[0].allowedScopes,
  };
  const bucket = config.buckets.find((b: { name: string }) => b.name === "sig-s3");
  const query = queryOf(requestTarget(url)).value;
  Deno.bench({ name: `authorize ${name}`, group: "authorize", baseline, n: 50_000 }, () => {
    const authorize = createAuthorizer({
      config,
      sourceIp: "127.0.0.1",
      secureTransport: false,
      now: Date.now(),
      headers,
      query,
    });
    if (authorize({ identity, bucket, operation: "GetObject", key: "1k.bin" })) {
      throw new Error("denied");
    }
  });

  const rules = { limits: config.limits ?? [], quotas: config.quotas ?? [] };
  const limiter = createLimiter({
    rules: () => rules,
    store: createLocalStore(),
    clock: { now: () => Date.now() },
    sleep: () => Promise.resolve(),
  });
  Deno.bench({ name: `limits ${name}`, group: "limits", baseline, n: 50_000 }, async () => {
    const caller = callerOf(identity, "127.0.0.1", "sig-s3", undefined);
    if (!(await limiter.admit(caller, 0)).ok) throw new Error("refused");
  });
}
