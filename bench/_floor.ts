/**
 * The runtime's floors, as contenders of the 1 KiB GET workload: what Deno
 * itself reaches on this machine with no gateway work at all. Run as its own
 * process (`startFloor`, or `deno run --allow-net bench/_floor.ts <port>
 * <origin port>`): `GET /floor/memory` answers 1 KiB from memory (Deno.serve
 * alone); any other path is relayed to the origin with `fetch` and its body
 * streamed back (the transport of the s3 backend, without auth, routing or
 * headers).
 */
import { waitForPort } from "./_system.ts";

/** A running floor server. */
export interface FloorProcess {
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

/** Starts the floor server on 127.0.0.1:port, relaying to the origin's port. */
export async function startFloor(port: number, originPort: number): Promise<FloorProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      new URL(import.meta.url).pathname,
      String(port),
      String(originPort),
    ],
    stdin: "null",
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  try {
    await waitForPort(port);
  } catch (e) {
    child.kill("SIGKILL");
    await child.status;
    throw e;
  }
  return {
    port,
    pid: child.pid,
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* gone */ }
      await child.status;
    },
  };
}

function serve(port: number, originPort: number): void {
  const kib = new Uint8Array(1024).fill(0x62);
  Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, async (req) => {
    const { pathname } = new URL(req.url);
    if (pathname === "/floor/memory") {
      return new Response(kib, { headers: { "content-type": "application/octet-stream" } });
    }
    const res = await fetch(`http://127.0.0.1:${originPort}${pathname}`, { method: req.method });
    const headers: Record<string, string> = {};
    for (const name of ["content-type", "content-length", "etag", "last-modified"]) {
      const value = res.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    return new Response(res.body, { status: res.status, headers });
  });
}

if (import.meta.main) {
  const [port, originPort] = Deno.args.map(Number);
  if (!port || !originPort) throw new Error("usage: _floor.ts <port> <origin port>");
  serve(port, originPort);
}
