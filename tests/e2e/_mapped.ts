/**
 * The real gateway process with `path_mapping:` over fs buckets acme--data
 * (public), acme--logs and other--x, shown as `acme` and `other`, for the
 * path-mapping end-to-end tests.
 */
import assert from "node:assert/strict";
import { ACTIONS } from "../../src/config/types.ts";
import { launchGateway } from "../_support/gateway.ts";
import { DEV, type Gateway, run } from "./_gateway.ts";

const BUCKETS = ["acme--data", "acme--logs", "other--x"];

/** The gateway over the mapped buckets, each a directory of `dataDir`; `extraConfig` lines appended. */
export async function startMapped(extraConfig: readonly string[] = []): Promise<Gateway> {
  const dataDir = await Deno.makeTempDir({ prefix: "bucketgate-mapped-" });
  for (const b of BUCKETS) await Deno.mkdir(`${dataDir}/${b}`);
  const config = [
    "listen: 127.0.0.1:0",
    'path_mapping: { bucket_segments: 2, separator: "--", display_bucket_segments: 1 }',
    "buckets:",
    ...BUCKETS.map((b) =>
      `  - { name: ${b}, backend_type: fs, anonymous_access: ${
        b === "acme--data"
      }, backend_options: { root: ${dataDir}/${b} } }`
    ),
    "credentials:",
    `  - { access_key_id: ${DEV.id}, secret_access_key: ${DEV.secret}, principal_name: dev,`,
    `      allowed_scopes: [{ bucket: "*", prefixes: [], actions: [${ACTIONS.join(", ")}] }] }`,
    ...extraConfig,
  ].join("\n");
  const gw = await launchGateway({ config });
  const stop = async () => {
    await gw.stop();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  };
  return { ...gw, dataDir, stop, [Symbol.asyncDispose]: stop };
}

/** Seeds acme--data and acme--logs on disk (fs backend: a file per key). */
export async function seed(gw: Gateway): Promise<void> {
  const files: Record<string, string> = {
    "acme--data/file.txt": "file",
    "acme--data/sub/a.txt": "a",
    "acme--data/sub/b.txt": "b",
    "acme--logs/2026/01.log": "jan",
  };
  for (const [path, text] of Object.entries(files)) {
    const full = `${gw.dataDir}/${path}`;
    await Deno.mkdir(full.slice(0, full.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(full, text);
  }
}

/** A command's stdout, asserting it exited 0 (`what` and its output in the message). */
export function succeeded(
  r: { code: number; stdout: string; stderr: string },
  what: string,
): string {
  assert.equal(r.code, 0, `${what}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/**
 * Runs path_mapping_boto3.py in `mode` (`account`: path style; `vhost`:
 * virtual-hosted under `domain`) against the gateway; its stdout, asserting
 * it exits 0 (the failure shows the gateway's log too).
 */
export async function runMappedBoto3(gw: Gateway, mode: string, domain = ""): Promise<string> {
  const script = new URL("./path_mapping_boto3.py", import.meta.url).pathname;
  const r = await run("python3", [script], {
    env: {
      MODE: mode,
      DOMAIN: domain,
      ENDPOINT: gw.url,
      PORT: String(gw.port),
      DEV_ID: DEV.id,
      DEV_SECRET: DEV.secret,
      PATH: Deno.env.get("PATH") ?? "",
      HOME: gw.dataDir,
    },
  });
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}\n${gw.logs().slice(-3000)}`);
  return r.stdout;
}
