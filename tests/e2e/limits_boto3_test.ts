/** boto3 under `limits:` and `quotas:` against the real gateway (issue 29's done-when cases). */
import assert from "node:assert/strict";
import { launchGateway } from "../_support/gateway.ts";
import { missingPythonModule, skippable } from "../_support/tools.ts";
import { run } from "./_gateway.ts";

const noBoto3 = await missingPythonModule("boto3");
const KEYS = {
  LIMITED: ["AKIDLIMITED00000001", "limited-secret-12345"],
  METERED: ["AKIDMETERED00000001", "metered-secret-12345"],
  FREE: ["AKIDFREE00000000001", "free-secret-1234567"],
} as const;
const cred = ([id, secret]: readonly [string, string]) =>
  `  - { access_key_id: ${id}, secret_access_key: ${secret}, allowed_scopes: [{ bucket: data, prefixes: [], actions: [get_object, put_object, list_bucket, head_object] }] }\n`;

Deno.test({
  ...skippable(
    "boto3 (standard retries, 10 attempts) completes 100 uploads under 5/s burst 5; a 1 MiB quota refuses the crossing download",
    noBoto3,
  ),
  async fn() {
    await using gw = await launchGateway({
      config: `buckets:
  - { name: data, backend_type: memory, anonymous_access: false }
credentials:
${Object.values(KEYS).map(cred).join("")}limits:
  - { match: { access_key_id: ${KEYS.LIMITED[0]} }, requests_per_second: 5, burst: 5 }
quotas:
  - { match: { access_key_id: ${KEYS.METERED[0]} }, bytes_out_per_day: 1048576 }
`,
    });
    const env: Record<string, string> = { ENDPOINT: gw.url, PATH: Deno.env.get("PATH") ?? "" };
    for (const [name, [id, secret]] of Object.entries(KEYS)) {
      env[`${name}_ID`] = id;
      env[`${name}_SECRET`] = secret;
    }
    const r = await run("python3", [new URL("./limits_boto3.py", import.meta.url).pathname], {
      env,
    });
    assert.equal(
      r.code,
      0,
      `${r.stdout}\n${r.stderr}\n--- gateway log ---\n${gw.logs().slice(-3000)}`,
    );
    assert.match(r.stdout, /limits boto3 OK/);
  },
});
