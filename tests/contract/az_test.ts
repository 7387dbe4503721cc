/** The backend contract against the az backend over Azurite (which checks Shared Key signatures). */
import { createAzBackend } from "../../src/backends/az/az.ts";
import { azOptions } from "../../src/backends/az/options.ts";
import {
  type Azurite,
  AZURITE_ACCOUNT,
  AZURITE_KEY,
  haveAzurite,
  startAzurite,
} from "../_support/azurite.ts";
import { runBackendContract } from "./backend_contract.ts";
import { rawBlobs } from "./_az_raw.ts";

const available = await haveAzurite();
let azurite: Azurite | undefined;
let n = 0;

if (available) {
  runBackendContract("az (Azurite)", async () => {
    azurite ??= await startAzurite();
    const container = `contract-${Date.now()}-${n++}`;
    await azurite.createContainer(container);
    const backend = createAzBackend(azOptions({
      endpoint: azurite.endpoint,
      account_name: AZURITE_ACCOUNT,
      container_name: container,
      access_key: AZURITE_KEY,
    }));
    const endpoint = azurite.endpoint;
    return {
      backend,
      cleanup: () => Promise.resolve(),
      // Every blob under `.bucketgate/`, straight from Azurite, with its Azure ETag.
      snapshot: () => rawBlobs(endpoint, container, ".bucketgate/"),
    };
  });
  Deno.test({
    name: "az (Azurite): stop the emulator",
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      await azurite?.stop();
    },
  });
}
