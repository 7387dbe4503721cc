/** boto3 (client and resource APIs) against the real gateway process, on every backend. */
import assert from "node:assert/strict";
import { availableBackends, startRig } from "./_backends.ts";
import { DEV, haveTool, READER, run } from "./_gateway.ts";
import { clientTest, commandVersion } from "./compat/record.ts";

const hasPython = await haveTool("python3");
const hasBoto3 = hasPython && (await run("python3", ["-c", "import boto3"])).code === 0;
if (!hasBoto3 && Deno.env.get("CI") === "true") throw new Error("boto3 is required in CI");

for (const { kind, ready } of await availableBackends()) {
  clientTest({
    client: "boto3",
    backend: kind,
    name: "objects, multipart transfers, paginators, presigned GET/PUT, errors",
    ignore: !hasBoto3 || !ready,
    version: () =>
      commandVersion("python3", ["-c", "import boto3; print(boto3.__version__)"], /^(\S+)/),
    async fn() {
      const rig = await startRig(kind);
      try {
        const r = await run("python3", [new URL("./boto3_suite.py", import.meta.url).pathname], {
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
          },
        });
        assert.equal(
          r.code,
          0,
          `${r.stdout}\n${r.stderr}\n--- gateway log ---\n${rig.gw.logs().slice(-4000)}`,
        );
        assert.match(r.stdout, /boto3 suite OK/);
      } finally {
        await rig.stop();
      }
    },
  });
}
