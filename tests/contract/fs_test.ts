import { createFsBackend } from "../../src/backends/fs.ts";
import { runBackendContract } from "./backend_contract.ts";

runBackendContract("fs", async () => {
  const root = await Deno.makeTempDir({ prefix: "bucketgate-fs-" });
  return { backend: createFsBackend(root), cleanup: () => Deno.remove(root, { recursive: true }) };
});
