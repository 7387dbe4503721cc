/**
 * The processes of the paired driver (bench/ab.ts): a Deno process started
 * GC-traced with its output to a file, the gateway's config (limits and the
 * 20-statement policy), and the checkout of a revision.
 */
import { BENCH_KEY } from "./_gateway.ts";
import { waitForPort } from "./_system.ts";
import { GcLog, type Served } from "./_turn.ts";
import { ACTIONS } from "../src/config/types.ts";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");

/** A process of the run: a floor or a gateway. */
export interface Proc extends Served {
  stop(): Promise<void>;
}

/**
 * Starts `deno <args>` in `cwd`, GC-traced, stdout and stderr to `<work>/<name>.gc`
 * (V8's trace goes to stdout; a gateway's access log is written there too, a
 * file as in production rather than /dev/null).
 */
export async function spawnDeno(
  work: string,
  name: string,
  port: number,
  cwd: string,
  args: readonly string[],
): Promise<Proc> {
  const gcPath = `${work}/${name}.gc`;
  const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  const cmd = [Deno.execPath(), "run", "-A", "--v8-flags=--trace-gc-nvp", ...args].map(q);
  const child = new Deno.Command("sh", {
    args: ["-c", `exec ${cmd.join(" ")} >${q(gcPath)} 2>&1`],
    cwd,
    stdin: "null",
  }).spawn();
  const exited = child.status.then(async (st) => {
    const log = (await Deno.readTextFile(gcPath).catch(() => "")).split("\n")
      .filter((l) => !/\bGC: |Memory pool|removed zone/.test(l)).join("\n");
    throw new Error(`${name} exited (${st.code}) before listening:\n${log.slice(-2000)}`);
  });
  await Promise.race([waitForPort(port, 60_000), exited]);
  exited.catch(() => {});
  return {
    port,
    pid: child.pid,
    gc: new GcLog(gcPath),
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* gone */ }
      await child.status;
    },
  };
}

/** 20 statements, the last one granting the bench everything (the others never match). */
function policyYaml(): string[] {
  const lines = ["policies:", "  bench-20:", '    Version: "2012-10-17"', "    Statement:"];
  for (let i = 1; i < 20; i++) {
    lines.push(
      `      - { Sid: S${i}, Effect: ${i % 4 ? "Allow" : "Deny"}, Action: [s3:PutObject, ` +
        `s3:DeleteObject], Resource: "arn:aws:s3:::sig-s3/other-${i}/*" }`,
    );
  }
  lines.push('      - { Sid: All, Effect: Allow, Action: "s3:*", Resource: ["arn:aws:s3:::*"] }');
  return lines;
}

/** The gateway's config: the two buckets, the bench key, limits and a policy when asked. */
export function gatewayConfig(
  port: number,
  originPort: number,
  dir: string,
  o: { policy: boolean; limits: boolean },
): string {
  const origin = `{ endpoint: "http://127.0.0.1:${originPort}", bucket_name: bench, ` +
    `region: us-east-1, skip_signature: true }`;
  const grant = o.policy
    ? "policies: [bench-20]"
    : `allowed_scopes: [{ bucket: "*", prefixes: [], actions: [${ACTIONS.join(", ")}] }]`;
  const limit = "requests_per_second: 1000000000, burst: 1000000000";
  return [
    `listen: 127.0.0.1:${port}`,
    "region: us-east-1",
    "buckets:",
    `  - { name: sig-s3, backend_type: s3, anonymous_access: false, backend_options: ${origin} }`,
    `  - { name: anon-fs, backend_type: fs, anonymous_access: true, backend_options: { root: "${dir}" } }`,
    "credentials:",
    `  - { access_key_id: ${BENCH_KEY.id}, secret_access_key: ${BENCH_KEY.secret}, principal_name: bench,`,
    `      ${grant} }`,
    ...(o.policy ? policyYaml() : []),
    ...(o.limits
      ? [
        "limits:",
        `  - { match: { bucket: sig-s3 }, ${limit} }`,
        `  - { match: { anonymous: true }, ${limit} }`,
        `  - { match: { access_key_id: ${BENCH_KEY.id} }, ${limit} }`,
      ]
      : []),
  ].join("\n");
}

/** The checkout of `rev`: this tree for `.`, else a detached worktree under /tmp (kept). */
export async function checkout(rev: string): Promise<string> {
  if (rev === ".") return ROOT;
  const git = (...args: string[]) =>
    new Deno.Command("git", { args, cwd: ROOT, stdout: "piped", stderr: "piped" }).output();
  const sha = new TextDecoder().decode((await git("rev-parse", "--verify", rev)).stdout).trim();
  if (!sha) throw new Error(`Cannot resolve ${rev}`);
  const dir = `/tmp/ab-${sha.slice(0, 12)}`;
  try {
    await Deno.stat(`${dir}/main.ts`);
  } catch {
    const out = await git("worktree", "add", "--detach", dir, sha);
    if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  }
  return dir;
}
