/**
 * A private redis-server for tests: its own free port, no persistence, no
 * files. Missing redis-server makes the tests ignored (a failure under CI=true).
 */
import { freePort } from "./ports.ts";
import { missingCommand } from "./tools.ts";

/** A running redis-server. */
export interface RedisServer {
  readonly port: number;
  /** Stops it (SIGTERM, then waits for the process). */
  stop(): Promise<void>;
}

/** Why redis-server cannot run here, or undefined (see `requireTool`). */
export function missingRedis(): Promise<string | undefined> {
  return missingCommand("redis-server");
}

/** Starts redis-server on a free port (or `port`) and waits until it accepts connections. */
export async function startRedis(port: number = freePort()): Promise<RedisServer> {
  const child = new Deno.Command("redis-server", {
    args: ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      break;
    } catch (e) {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        await child.status;
        throw e;
      }
      await new Promise((r) => setTimeout(r, 30));
    }
  }
  return {
    port,
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* gone */ }
      await child.status;
    },
  };
}

/** The commands clients send a redis-server, as MONITOR shows them (a script's own calls left out). */
export interface RedisMonitor {
  /** The command names seen so far (upper case), in order. */
  commands(): string[];
  close(): void;
}

/** Watches a redis-server with MONITOR until closed. */
export async function monitorRedis(port: number): Promise<RedisMonitor> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new TextEncoder().encode("MONITOR\r\n"));
  const seen: string[] = [];
  let text = "";
  let ready!: () => void;
  const started = new Promise<void>((r) => (ready = r));
  void (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of conn.readable) {
        text += decoder.decode(chunk, { stream: true });
        const lines = text.split("\r\n");
        text = lines.pop()!;
        for (const line of lines) {
          if (line === "+OK") ready();
          const m = /^\+[\d.]+ \[\d+ ([^\]]+)\] "([^"]+)"/.exec(line);
          if (m && m[1] !== "lua") seen.push(m[2]!.toUpperCase());
        }
      }
    } catch { /* closed */ }
  })();
  await started;
  return {
    commands: () => [...seen],
    close: () => {
      try {
        conn.close();
      } catch { /* closed already */ }
    },
  };
}
