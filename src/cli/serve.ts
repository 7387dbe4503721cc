// deno-lint-ignore-file no-console -- the listening lines and reload messages are printed here.
/**
 * Serving in one process: the gateway's Deno.serve (503 while draining), the
 * admin listener, SIGHUP's reload and the SIGTERM/SIGINT drain. The parts a
 * worker of `--workers N` serves with too (src/workers/worker_edge.ts).
 */
import { type AdminDeps, createAdminHandler } from "../admin/admin.ts";
import { quotaUseOf } from "../admin/limits.ts";
import { systemClock } from "../clock.ts";
import type { Config } from "../config/types.ts";
import type { CounterStore } from "../limits/store.ts";
import type { LineWriter } from "../log/line_writer.ts";
import { enabled } from "../log/level.ts";
import { VERSION } from "../version.ts";
import type { Environment } from "./environment.ts";
import { orFail, refuse } from "./exit.ts";
import type { Flags } from "./flags.ts";
import { parseListen } from "./listen.ts";
import type { ConfigSource, LoadedConfig } from "./load_config.ts";
import { reload } from "./reload.ts";
import { createRuntime, type Runtime, type Serving } from "./runtime.ts";
import { adminListeningLine, bodyFailureLine, listeningLine } from "./server_lines.ts";
import { backendRefusal } from "./startup_report.ts";

/** A config and environment that passed every check; --check-config exits before. */
export interface Checked {
  readonly name: string;
  /** The config's text, which every worker of `--workers N` parses again. */
  readonly source: ConfigSource;
  readonly config: Config;
  readonly environment: Environment;
}

/** What the signal handlers and the servers share while the process runs. */
export interface State {
  serving: Serving;
  draining: boolean;
}

/** A host and port the gateway listens on. */
export interface HostPort {
  readonly hostname: string;
  readonly port: number;
}

/** How the gateway's server listens. */
export interface Listening {
  readonly address: HostPort;
  /** SO_REUSEPORT: set in the workers of `--workers N`, which share the port. */
  readonly reusePort: boolean;
  readonly onListen: (address: HostPort) => void;
}

/** Prints the gateway's first line (one worker, or the supervisor once all workers listen). */
export function printListening(checked: Checked, address: HostPort, workers = 1): void {
  const buckets = checked.config.buckets.map((b) => b.name);
  const sts = checked.environment.sessionKeys !== undefined;
  console.log(listeningLine({ version: VERSION, address, buckets, sts, workers }));
}

/** The gateway's server: what `state` serves now, 503 once it drains. */
export function serveGateway(
  listening: Listening,
  runtime: Runtime,
  state: State,
): Deno.HttpServer {
  return Deno.serve({
    ...listening.address,
    ...(listening.reusePort ? { reusePort: true } : {}),
    // Reached only by a response body that fails after its head was sent: the
    // client already has its status.
    onError(e) {
      runtime.warn(bodyFailureLine(e));
      return new Response(null, { status: 500 });
    },
    onListen: listening.onListen,
  }, (req, info) => {
    // Not async: a request is the app's own promise, with no layer around it (issue 30).
    return state.draining ? refuseDraining(req) : state.serving.handler(req, info);
  });
}

/** The answer while draining: 503, the connection closed. */
async function refuseDraining(req: Request): Promise<Response> {
  await req.body?.cancel();
  return new Response("shutting down\n", { status: 503, headers: { connection: "close" } });
}

/** The admin listener on `--admin-listen` (a bad address ends the process). */
export function serveAdmin(
  listen: string,
  handler: (req: Request) => Promise<Response>,
): Deno.HttpServer {
  return Deno.serve(
    {
      ...orFail(parseListen(listen)),
      onListen(address) {
        console.log(adminListeningLine(address));
      },
    },
    handler,
  );
}

/** SIGHUP: serves the config loaded again, or prints why it keeps the old one. */
async function onReload(
  flags: Flags,
  load: () => Promise<LoadedConfig>,
  runtime: Runtime,
  state: State,
): Promise<void> {
  const r = await reload({ load, build: runtime.build });
  if (!r.ok) {
    console.error(r.error);
    return;
  }
  state.serving = r.value.serving;
  if (enabled(flags.logLevel, "info")) console.error(`reloaded ${r.value.name}`);
}

/** Stops taking requests (503), waits up to 30 s for those in flight, and closes the servers. */
export async function drain(
  runtime: Runtime,
  state: State,
  servers: readonly (Deno.HttpServer | undefined)[],
): Promise<void> {
  state.draining = true;
  const deadline = Date.now() + 30_000;
  while (runtime.inFlight.count > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  await Promise.all(servers.map((s) => s?.shutdown()));
  runtime.accessLog.flush();
}

/** Drains and exits 0. */
async function drainAndExit(
  runtime: Runtime,
  state: State,
  servers: readonly (Deno.HttpServer | undefined)[],
): Promise<void> {
  if (state.draining) return;
  await drain(runtime, state, servers);
  Deno.exit(0);
}

/** What serving in one process needs. */
export interface ServeOptions {
  readonly flags: Flags;
  readonly checked: Checked;
  /** Where the access-log lines go. */
  readonly accessLog: LineWriter;
  /** Loads the config again (SIGHUP). */
  readonly load: () => Promise<LoadedConfig>;
}

/** The admin listener's `/limits` and quota use over `store`, for the config now serving. */
export function adminLimits(
  store: CounterStore | undefined,
  config: () => Config,
): Pick<AdminDeps, "limits" | "quotas"> {
  if (!store) return {};
  return { limits: store, quotas: quotaUseOf(() => config().quotas ?? [], store, systemClock) };
}

/** Serves the checked config in this process until SIGTERM or SIGINT has drained it. */
export async function serveSingle(o: ServeOptions): Promise<void> {
  const { flags, checked } = o;
  const runtime = createRuntime({
    flags,
    environment: checked.environment,
    accessLog: o.accessLog,
  });
  const first = runtime.build(checked.config);
  // --check-config has exited by now: this refusal always ends with exit 2.
  if (!first.ok) refuse(backendRefusal(first.error, checked.name), flags);
  const state: State = { serving: first.value, draining: false };
  const server = serveGateway(
    {
      address: orFail(parseListen(checked.config.listen)),
      reusePort: false,
      onListen: (address) => printListening(checked, address),
    },
    runtime,
    state,
  );
  Deno.addSignalListener("SIGHUP", () => onReload(flags, o.load, runtime, state));
  const admin = flags.adminListen
    ? serveAdmin(
      flags.adminListen,
      createAdminHandler({
        metrics: runtime.metrics,
        backends: () => state.serving.backends,
        inFlight: () => runtime.inFlight.count,
        ...adminLimits(runtime.limits(), () => state.serving.config),
      }),
    )
    : undefined;
  const stop = () => drainAndExit(runtime, state, [server, admin]);
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
  await server.finished;
}
