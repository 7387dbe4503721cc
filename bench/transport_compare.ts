// deno-lint-ignore-file no-console -- a bench script prints its results.
/**
 * Which HTTP client should the backends talk to their stores with? One run
 * puts a minimal `Deno.serve` relay of a 1 KiB GET in front of a private
 * nginx origin, once per client, each relay its own process, and drives each
 * with wrk in turns (round after round, every contender once a round, so
 * other load on the machine falls on all alike):
 *
 *   memory   Deno.serve answering 1 KiB from memory (the floor: no client at all)
 *   fetch    the global fetch, its body stream handed on
 *   fetch-bytes  the global fetch, a body of up to 64 KiB read whole first
 *            (`new Response(bytes)` is cheaper to serve than a stream)
 *   node     node:http with a keep-alive Agent
 *   undici   npm undici's Pool
 *   own      src/transport (our HTTP/1.1 client), its `bytes` when the body
 *            came with the head, else its stream
 *   own-stream  src/transport, always its body stream
 *   nginx    nginx proxy_pass with upstream keepalive (the reference)
 *
 * Every relay streams the store's body into its response, as the s3 backend
 * must. The figure to decide on is the relay process's CPU time over a run
 * divided by the requests it answered (µs per request): on a shared machine
 * req/s is noisy, CPU per request much less so.
 *
 * `--big` adds a 1 GiB GET through each relay (curl, one at a time): MB/s
 * and the relay's CPU seconds per GiB, since a stream made in JS is pumped
 * chunk by chunk where fetch's body is piped by Deno itself.
 *
 *   deno run -A bench/transport_compare.ts [--rounds 3] [--seconds 5] [--connections 32]
 *                                          [--only fetch,own]
 *
 * A relay alone: `deno run -A --no-lock bench/transport_compare.ts --relay <kind> <port> <origin port>`.
 */
import { parseArgs } from "node:util";
import { type Nginx, startOrigin, startProxy } from "./_nginx.ts";
import { cpuSeconds, ensureTools, initClockTicks, machineLine, waitForPort } from "./_system.ts";
import { fmt, median, runRounds, type Sample } from "./_cpu_rounds.ts";
import { freePort } from "../tests/_support/ports.ts";

/** The relays, each a way of fetching the origin's 1 KiB. */
const RELAYS = ["memory", "fetch", "fetch-bytes", "node", "undici", "own", "own-stream"] as const;
type Relay = typeof RELAYS[number];

/** A relay's upstream call: the origin's answer, body streamed. */
type Upstream = (path: string) => Promise<Response>;

const KEEP = ["content-type", "content-length", "etag", "last-modified"];

function pick(get: (name: string) => string | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of KEEP) {
    const v = get(name);
    if (typeof v === "string") out[name] = v;
  }
  return out;
}

/** Builds the upstream call of one relay kind (npm clients loaded only when used). */
async function upstream(kind: Relay, origin: string): Promise<Upstream> {
  switch (kind) {
    case "memory": {
      const kib = new Uint8Array(1024).fill(0x62);
      return () =>
        Promise.resolve(
          new Response(kib, { headers: { "content-type": "application/octet-stream" } }),
        );
    }
    case "fetch":
      return async (path) => {
        const r = await fetch(`${origin}${path}`);
        return new Response(r.body, { status: r.status, headers: pick((n) => r.headers.get(n)) });
      };
    case "fetch-bytes":
      return async (path) => {
        const r = await fetch(`${origin}${path}`);
        const length = Number(r.headers.get("content-length") ?? NaN);
        const body = length <= 65536 ? await r.bytes() : r.body;
        return new Response(body, { status: r.status, headers: pick((n) => r.headers.get(n)) });
      };
    case "node": {
      const http = (await import("node:http")).default;
      const { Readable } = await import("node:stream");
      const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
      return (path) =>
        new Promise((resolve, reject) => {
          const req = http.get(`${origin}${path}`, { agent }, (res) => {
            const h = pick((n) => {
              const v = res.headers[n];
              return Array.isArray(v) ? v.join(", ") : v;
            });
            const body = Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>;
            resolve(new Response(body, { status: res.statusCode ?? 502, headers: h }));
          });
          req.on("error", reject);
        });
    }
    case "undici": {
      // deno-lint-ignore no-import-prefix -- a contender of this bench only, not a dependency
      const { Pool } = await import("npm:undici@^8");
      const { Readable } = await import("node:stream");
      const pool = new Pool(origin, { connections: 128 });
      return async (path) => {
        const r = await pool.request({ method: "GET", path });
        const h = pick((n) => {
          const v = r.headers[n];
          return Array.isArray(v) ? v.join(", ") : v;
        });
        const body = Readable.toWeb(r.body) as unknown as ReadableStream<Uint8Array>;
        return new Response(body, { status: r.statusCode, headers: h });
      };
    }
    case "own":
    case "own-stream": {
      const { createTransport } = await import("../src/transport/mod.ts");
      const transport = createTransport();
      const inHand = kind === "own";
      return async (path) => {
        const r = await transport.request({ method: "GET", url: `${origin}${path}` });
        const body = inHand ? r.bytes ?? r.body : r.body;
        return new Response(body, { status: r.status, headers: pick((n) => r.headers.get(n)) });
      };
    }
  }
}

async function serveRelay(kind: Relay, port: number, originPort: number): Promise<void> {
  const call = await upstream(kind, `http://127.0.0.1:${originPort}`);
  Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, (req) => {
    const { pathname } = new URL(req.url);
    return call(pathname);
  });
}

/** A relay process. */
interface RelayProcess {
  readonly kind: Relay;
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

async function startRelay(kind: Relay, originPort: number): Promise<RelayProcess> {
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--no-lock",
      new URL(import.meta.url).pathname,
      "--relay",
      kind,
      String(port),
      String(originPort),
    ],
    stdin: "null",
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  await waitForPort(port, 120_000);
  // One request first: the npm clients load, the pools open.
  const warm = await fetch(`http://127.0.0.1:${port}/bench/1k.bin`);
  const bytes = (await warm.bytes()).byteLength;
  if (warm.status !== 200 || bytes !== 1024) {
    throw new Error(`Cannot relay through ${kind}: ${warm.status}, ${bytes} bytes`);
  }
  return {
    kind,
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

interface Contender {
  readonly name: string;
  readonly label: string;
  readonly port: number;
  pids(): Promise<number[]>;
}

const LABELS: Readonly<Record<Relay | "nginx", string>> = {
  memory: "Deno.serve from memory (floor, no client)",
  fetch: "Deno.serve + global fetch (body stream)",
  "fetch-bytes": "Deno.serve + global fetch (body ≤ 64 KiB read whole)",
  node: "Deno.serve + node:http keep-alive Agent",
  undici: "Deno.serve + npm undici Pool",
  own: "Deno.serve + src/transport (own client; bytes in hand)",
  "own-stream": "Deno.serve + src/transport (own client; body stream)",
  nginx: "nginx proxy_pass (upstream keepalive)",
};

function report(
  contenders: readonly Contender[],
  samples: ReadonlyMap<string, Sample[]>,
): string {
  const nginxRps = median((samples.get("nginx") ?? []).map((s) => s.rps));
  const lines = [
    "| contender | req/s (median) | × proxy_pass | server CPU µs/request (median) | range over rounds | errors |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const c of contenders) {
    const ss = samples.get(c.name) ?? [];
    const rps = median(ss.map((s) => s.rps));
    const cpu = ss.map((s) => s.cpuUsPerRequest);
    lines.push(
      `| ${c.label} | ${fmt(rps)} | ${(rps / nginxRps).toFixed(2)}× | ${fmt(median(cpu), 1)} | ` +
        `${fmt(Math.min(...cpu), 1)}–${fmt(Math.max(...cpu), 1)} | ` +
        `${ss.reduce((n, s) => n + s.errors, 0)} |`,
    );
  }
  return lines.join("\n");
}

/** One 1 GiB GET per contender with curl: MB/s and the server's CPU seconds per GiB. */
async function bigTable(contenders: readonly Contender[]): Promise<string> {
  const lines = [
    "| contender | GET 1 GiB, MB/s | server CPU s per GiB |",
    "| --- | ---: | ---: |",
  ];
  for (const c of contenders) {
    if (c.name === "memory") continue;
    const pids = await c.pids();
    const before = await Promise.all(pids.map(cpuSeconds));
    const out = await new Deno.Command("curl", {
      args: [
        "-sS",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code} %{size_download} %{time_total}",
        `http://127.0.0.1:${c.port}/bench/1g.bin`,
      ],
      stdout: "piped",
    }).output();
    const after = await Promise.all(pids.map(cpuSeconds));
    const [code, size, time] = new TextDecoder().decode(out.stdout).split(" ").map(Number);
    if (code !== 200 || size !== 1 << 30) throw new Error(`Cannot GET 1 GiB through ${c.name}`);
    const cpu = after.reduce((s, x, i) => s + x - before[i]!, 0);
    lines.push(`| ${c.label} | ${fmt(size / 1e6 / time!)} | ${fmt(cpu, 2)} |`);
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  const flags = parseArgs({
    args: Deno.args,
    options: {
      rounds: { type: "string", default: "3" },
      seconds: { type: "string", default: "5" },
      connections: { type: "string", default: "32" },
      only: { type: "string" },
      big: { type: "boolean", default: false },
    },
  }).values;
  const rounds = Number(flags.rounds);
  const seconds = Number(flags.seconds);
  const connections = Number(flags.connections);
  const kinds = RELAYS.filter((k) => !flags.only || flags.only.split(",").includes(k));
  const log = (s: string) => console.error(`[transport_compare] ${s}`);
  await ensureTools(log);
  await initClockTicks();
  const work = await Deno.makeTempDir({ prefix: "bucketgate-transport-" });
  const started: { stop(): Promise<void> }[] = [];
  try {
    await Deno.mkdir(`${work}/root/bench`, { recursive: true });
    await Deno.writeFile(`${work}/root/bench/1k.bin`, new Uint8Array(1024).fill(0x61));
    if (flags.big) {
      const f = await Deno.open(`${work}/root/bench/1g.bin`, { write: true, create: true });
      await f.truncate(1 << 30);
      f.close();
    }
    const origin: Nginx = await startOrigin(`${work}/origin`, freePort(), `${work}/root`, 1);
    started.push(origin);
    const proxy = await startProxy(`${work}/proxy`, freePort(), origin.port, 1);
    started.push(proxy);
    const contenders: Contender[] = [
      { name: "nginx", label: LABELS.nginx, port: proxy.port, pids: () => proxy.pids() },
    ];
    for (const kind of kinds) {
      const relay = await startRelay(kind, origin.port);
      started.push(relay);
      contenders.push({
        name: kind,
        label: LABELS[kind],
        port: relay.port,
        pids: () => Promise.resolve([relay.pid]),
      });
    }
    const { samples, loads } = await runRounds({
      contenders: contenders.map((c) => ({ ...c, path: "/bench/1k.bin" })),
      keyOf: (c) => c.name,
      rounds,
      round: { seconds, connections, script: `${work}/wrk.lua` },
      onSample: (round, name, s) =>
        log(
          `round ${round} ${name}: ${fmt(s.rps)} req/s, ${fmt(s.cpuUsPerRequest, 1)} µs CPU/req`,
        ),
    });
    console.log(
      `${await machineLine()}\n\nGET 1 KiB through a relay to an nginx origin; wrk -t2 -c${connections}, ` +
        `${seconds} s a run, ${rounds} rounds in turns; 1-minute load average ` +
        `${fmt(Math.min(...loads), 1)}–${fmt(Math.max(...loads), 1)}.\n`,
    );
    console.log(report(contenders, samples));
    if (flags.big) console.log(`\n${await bigTable(contenders)}`);
  } finally {
    for (const s of started.reverse()) await s.stop().catch(() => {});
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  const i = Deno.args.indexOf("--relay");
  if (i >= 0) {
    const [kind, port, originPort] = Deno.args.slice(i + 1);
    if (!RELAYS.includes(kind as Relay) || !Number(port) || !Number(originPort)) {
      throw new Error("usage: transport_compare.ts --relay <kind> <port> <origin port>");
    }
    await serveRelay(kind as Relay, Number(port), Number(originPort));
  } else {
    await main();
  }
}
