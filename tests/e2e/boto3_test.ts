/** boto3 (client and resource APIs) against the real gateway process, on every backend. */
import assert from "node:assert/strict";
import { availableBackends, startRig } from "./_backends.ts";
import { runPythonSuite } from "./_python.ts";
import { clientTest, commandVersion } from "./compat/record.ts";
import { firstReason, missingPythonModule } from "../_support/tools.ts";

/** Why boto3 cannot run here; under CI=true, throws. */
const noBoto3 = await missingPythonModule("boto3");

for (const { kind, skip } of await availableBackends()) {
  clientTest({
    client: "boto3",
    backend: kind,
    name: "objects, multipart transfers, paginators, presigned GET/PUT, errors",
    skip: firstReason(noBoto3, skip),
    version: () =>
      commandVersion("python3", ["-c", "import boto3; print(boto3.__version__)"], /^(\S+)/),
    async fn() {
      const rig = await startRig(kind);
      try {
        const out = await runPythonSuite(rig, new URL("./boto3_suite.py", import.meta.url));
        assert.match(out, /boto3 suite OK/);
      } finally {
        await rig.stop();
      }
    },
  });
}
