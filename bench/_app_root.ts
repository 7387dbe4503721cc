/**
 * What the in-process A/B benches of the request path's glue (glue_ab.ts,
 * serve_ab.ts) load from each checkout they compare: its app over memory
 * backends holding `1k.bin` in both of bench/ab.ts's buckets (same config:
 * 20-statement policy, rate limits), its metrics observer and its line writer.
 */
import { gatewayConfig } from "./_ab_procs.ts";

/** A checkout under comparison. */
export interface Root {
  readonly name: string;
  readonly dir: string;
}

/** The checkouts `ROOTS` names (`name=dir,…`, `.` being this tree; this tree alone by default), the first the baseline. */
export function benchRoots(): Root[] {
  const here = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
  return (Deno.env.get("ROOTS") ?? "this=.").split(",").map((x) => {
    const [name, dir] = x.split("=") as [string, string];
    return { name, dir: dir === "." ? here : dir };
  });
}

/** An access-log entry, as each checkout types it. */
type Entry = unknown;

/** One checkout's parts. */
export interface AppRoot {
  /** Its metrics observer over the config's buckets and the bench key. */
  readonly observe: (e: Entry) => void;
  /** Its `createLineWriter`. */
  readonly createLineWriter: (
    sink: (bytes: Uint8Array) => number,
    later?: (f: () => void) => void,
  ) => { write(line: string): void };
  /** Its `createApp` over the memory backends, logging to `log`. */
  readonly app: (log: (e: Entry) => void) => (req: Request, info?: unknown) => Promise<Response>;
}

/** Loads one checkout's app and log parts. */
export async function loadAppRoot({ name, dir }: Root): Promise<AppRoot> {
  const { parseConfig } = await import(`${dir}/src/config/load.ts`);
  const { createApp } = await import(`${dir}/src/app.ts`);
  const { createMemoryBackend } = await import(`${dir}/src/backends/memory.ts`);
  const { systemClock } = await import(`${dir}/src/clock.ts`);
  const { createSigningKeyCache } = await import(`${dir}/src/sigv4/signing_key.ts`);
  const { createLineWriter } = await import(`${dir}/src/log/line_writer.ts`);
  const { createMetrics } = await import(`${dir}/src/admin/metrics.ts`);
  const yaml = gatewayConfig(8080, 8081, "/tmp", { policy: true, limits: true });
  const parsed = parseConfig(yaml, () => undefined);
  if (!parsed.ok) throw new Error(`${name}: ${JSON.stringify(parsed.error)}`);
  const config = parsed.value;
  const observe = createMetrics().observer(config.buckets.map((b: { name: string }) => b.name), {
    keys: ["bench"],
    roles: [],
  });
  const mem = createMemoryBackend();
  const body = new Uint8Array(1024).fill(120);
  await mem.put("1k.bin", new Blob([body]).stream(), { meta: { userMetadata: {} } });
  const app = (log: (e: Entry) => void) =>
    createApp({
      config,
      backends: new Map([["sig-s3", mem], ["anon-fs", mem]]),
      clock: systemClock,
      log,
      signingKeys: createSigningKeyCache(),
    });
  return { observe, createLineWriter, app };
}
