/**
 * Preloaded into a gateway by bench/alloc_sites.ts (`deno run --preload`):
 * SIGUSR1 starts V8's sampling heap profiler in this process (objects later
 * collected by a GC included), SIGUSR2 stops it and writes the profile to
 * `$ALLOC_PROFILE`. In-process, so no `--inspect`. Its session still turns
 * on the runtime's network inspection, which allocates in every fetch: those
 * sites (`inspector_network_bridge`, `…ForCdp`) are the profiler's own.
 */
import { Session } from "node:inspector/promises";

const out = Deno.env.get("ALLOC_PROFILE") ?? "/tmp/alloc.heapprofile";
const session = new Session();
session.connect();
await session.post("HeapProfiler.enable");
Deno.addSignalListener("SIGUSR1", () => {
  session.post("HeapProfiler.startSampling", {
    samplingInterval: 128,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
});
Deno.addSignalListener("SIGUSR2", async () => {
  const { profile } = await session.post("HeapProfiler.stopSampling");
  await Deno.writeTextFile(out, JSON.stringify(profile));
  await Deno.writeTextFile(`${out}.done`, "");
});
