/** boto3 (client and resource APIs) against the real gateway process. */
import assert from "node:assert/strict";
import { DEV, haveTool, READER, run, startGateway } from "./_gateway.ts";

const hasPython = await haveTool("python3");

Deno.test({
  name: "boto3: objects, multipart transfers, paginators, presigned GET/PUT, errors",
  ignore: !hasPython,
  async fn() {
    const check = await run("python3", ["-c", "import boto3"]);
    if (check.code !== 0) {
      if (Deno.env.get("CI") === "true") throw new Error("boto3 is required in CI");
      return;
    }
    const gw = await startGateway();
    try {
      const r = await run("python3", [new URL("./boto3_suite.py", import.meta.url).pathname], {
        env: {
          ENDPOINT: gw.url,
          DATA_DIR: gw.dataDir,
          DEV_ID: DEV.id,
          DEV_SECRET: DEV.secret,
          READER_ID: READER.id,
          READER_SECRET: READER.secret,
          PATH: Deno.env.get("PATH") ?? "",
          HOME: gw.dataDir,
        },
      });
      assert.equal(
        r.code,
        0,
        `${r.stdout}\n${r.stderr}\n--- gateway log ---\n${gw.logs().slice(-4000)}`,
      );
      assert.match(r.stdout, /boto3 suite OK/);
    } finally {
      await gw.stop();
    }
  },
});
