/**
 * The 2025 SDK checksums end to end (issue 27): boto3 naming CRC32 full-object
 * on a multipart upload, the checksum back on HEAD and GET, and
 * GetObjectAttributes, against the real gateway on every backend.
 */
import assert from "node:assert/strict";
import { availableBackends, startRig } from "./_backends.ts";
import { DEV, run } from "./_gateway.ts";
import { firstReason, missingPythonModule } from "../_support/tools.ts";

const noBoto3 = await missingPythonModule("boto3");

for (const { kind, skip } of await availableBackends()) {
  const reason = firstReason(noBoto3, skip);
  Deno.test({
    name: `boto3 on ${kind}: CRC32 full-object multipart, checksum mode, GetObjectAttributes`,
    ignore: reason !== undefined,
    async fn() {
      const rig = await startRig(kind);
      try {
        const script = new URL("./checksums_boto3.py", import.meta.url).pathname;
        const r = await run("python3", [script], {
          env: {
            ENDPOINT: rig.gw.url,
            ...(rig.backendEndpoint ? { STORE_ENDPOINT: rig.backendEndpoint } : {}),
            DEV_ID: DEV.id,
            DEV_SECRET: DEV.secret,
            PATH: Deno.env.get("PATH") ?? "",
            HOME: rig.gw.dataDir,
          },
        });
        assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}\n${rig.gw.logs().slice(-3000)}`);
        assert.match(r.stdout, /checksums suite OK/);
      } finally {
        await rig.stop();
      }
    },
  });
}
