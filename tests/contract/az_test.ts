/** The backend contract against the az backend over Azurite (which checks Shared Key signatures). */
import { createAzBackend } from "../../src/backends/az/az.ts";
import { azuriteMissing, azuriteOptions, startAzurite } from "../_support/azurite.ts";
import { emulatorSuite } from "../_support/emulator.ts";
import { runBackendContract } from "./backend_contract.ts";
import { rawBlobs } from "./_az_raw.ts";

const suite = emulatorSuite({
  name: "az (Azurite)",
  missing: await azuriteMissing(),
  start: startAzurite,
});
let n = 0;

/** A fresh container and an az backend over it. */
async function freshContainer(what: string) {
  const azurite = suite.emulator();
  const container = `${what}-${Date.now()}-${n++}`;
  await azurite.createContainer(container);
  return {
    container,
    backend: createAzBackend(azuriteOptions(azurite.endpoint, container)),
  };
}

runBackendContract("az (Azurite)", async () => {
  const { container, backend } = await freshContainer("contract");
  const endpoint = suite.emulator().endpoint;
  return {
    backend,
    cleanup: () => Promise.resolve(),
    // Every blob under `.bucketgate/`, straight from Azurite, with its Azure ETag.
    snapshot: () => rawBlobs(endpoint, container, ".bucketgate/"),
    sibling: async () => (await freshContainer("sibling")).backend,
  };
}, { register: suite.test });
