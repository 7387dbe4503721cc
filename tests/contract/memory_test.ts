import { createMemoryBackend } from "../../src/backends/memory.ts";
import { runBackendContract } from "./backend_contract.ts";

runBackendContract(
  "memory",
  () => Promise.resolve({ backend: createMemoryBackend(), cleanup: () => Promise.resolve() }),
);
