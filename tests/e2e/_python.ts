/** The e2e Python scripts (boto3 and friends), run against a rig's gateway. */
import assert from "node:assert/strict";
import type { Rig } from "./_backends.ts";
import { DEV, READER, run } from "./_gateway.ts";

/**
 * Runs `python3 <script>` (a URL beside the test) with the rig in its
 * environment: ENDPOINT, DATA_DIR, STORE_ENDPOINT (when the backend has one),
 * the DEV and READER keys, PATH, HOME in the gateway's data directory, and
 * `env`. Asserts it exits 0 (the failure shows its output and the gateway's
 * log) and returns its stdout.
 */
export async function runPythonSuite(
  rig: Rig,
  script: URL,
  env: Record<string, string> = {},
): Promise<string> {
  const r = await run("python3", [script.pathname], {
    env: {
      ENDPOINT: rig.gw.url,
      DATA_DIR: rig.gw.dataDir,
      ...(rig.backendEndpoint ? { STORE_ENDPOINT: rig.backendEndpoint } : {}),
      DEV_ID: DEV.id,
      DEV_SECRET: DEV.secret,
      READER_ID: READER.id,
      READER_SECRET: READER.secret,
      PATH: Deno.env.get("PATH") ?? "",
      HOME: rig.gw.dataDir,
      ...env,
    },
  });
  assert.equal(
    r.code,
    0,
    `${r.stdout}\n${r.stderr}\n--- gateway log ---\n${rig.gw.logs().slice(-4000)}`,
  );
  return r.stdout;
}
