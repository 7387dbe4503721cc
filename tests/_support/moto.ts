/** Starts Python moto's S3 emulator (moto_server) on a free port on 127.0.0.1. */

/** A running moto server. */
export interface Moto {
  readonly endpoint: string;
  stop(): Promise<void>;
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Whether moto_server can be run here; under CI=true its absence is a failure. */
export async function haveMoto(): Promise<boolean> {
  try {
    const out = await new Deno.Command("sh", {
      args: ["-c", "command -v moto_server"],
      stdout: "null",
    }).output();
    if (out.success) return true;
  } catch { /* no shell */ }
  if (Deno.env.get("CI") === "true") {
    throw new Error("moto_server is required in CI but is not installed");
  }
  return false;
}

/** Starts moto and waits until it answers. */
export async function startMoto(): Promise<Moto> {
  const port = freePort();
  const child = new Deno.Command("moto_server", {
    args: ["-H", "127.0.0.1", "-p", String(port)],
    stdout: "null",
    stderr: "null",
  }).spawn();
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const r = await fetch(`${endpoint}/moto-api/`);
      await r.body?.cancel();
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error("moto_server did not start within 20 s");
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    endpoint,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
    },
  };
}
