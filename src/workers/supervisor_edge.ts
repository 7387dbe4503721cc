// deno-lint-ignore-file no-console -- reload messages are printed here, as with one process.
/**
 * The supervisor's edge under `--workers N`: makes the `Worker`s, writes the
 * access-log lines they send to stdout, serves the one admin listener (their
 * metrics summed) and owns the signals: SIGHUP validates here and then
 * reloads every worker or none, SIGTERM drains them all.
 */
import { type AdminDeps, createAdminHandler } from "../admin/admin.ts";
import { createMetrics, type Metrics } from "../admin/metrics.ts";
import { openCounterStore } from "../limits/open_store.ts";
import { createSharedCounters } from "../limits/shared_store.ts";
import type { Backend } from "../backends/backend.ts";
import { buildBackends } from "../cli/backends.ts";
import { fail, orFail, refuse } from "../cli/exit.ts";
import type { Flags } from "../cli/flags.ts";
import { parseListen } from "../cli/listen.ts";
import type { ConfigSource, LoadedConfig } from "../cli/load_config.ts";
import { reload } from "../cli/reload.ts";
import { backendCredentials, stderrAt } from "../cli/runtime.ts";
import { adminLimits, type Checked, printListening, serveAdmin } from "../cli/serve.ts";
import { backendRefusal } from "../cli/startup_report.ts";
import type { Config, ConfigProblem } from "../config/types.ts";
import { enabled } from "../log/level.ts";
import type { Result } from "../result.ts";
import type { FromWorker } from "./protocol.ts";
import { createSupervisor, type Supervisor, type WorkerEvents } from "./supervisor.ts";
import type { WorkerHandle } from "./slot.ts";
import { sumSnapshots } from "./sum_metrics.ts";

/** Builds a config's backends (the supervisor's own, for /readyz). */
type BuildBackends = (config: Config) => Result<Map<string, Backend>, ConfigProblem[]>;

/** What `supervise` runs. */
export interface SuperviseOptions {
  readonly flags: Flags;
  readonly checked: Checked;
  readonly count: number;
  /**
   * The module every worker runs (main.ts passes its own `import.meta.url`,
   * so `deno compile` needs no --include for it).
   */
  readonly workerModule: string;
  /** Loads the config again (SIGHUP). */
  readonly load: () => Promise<LoadedConfig>;
}

/** Writes all of `bytes` to stdout. */
function writeStdout(bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length;) at += Deno.stdout.writeSync(bytes.subarray(at));
}

/** Starts worker `id` of `module` in an isolate of its own. */
function spawnWorker(module: string, id: number, events: WorkerEvents): WorkerHandle {
  const w = new Worker(module, { type: "module", name: `bucketgate-worker-${id}` });
  w.onmessage = (e: MessageEvent<FromWorker>) => events.message(e.data);
  w.onerror = (e) => {
    e.preventDefault();
    events.died(e.message);
  };
  w.onmessageerror = () => events.died("a message from it could not be read");
  return { post: (m) => w.postMessage(m), terminate: () => w.terminate() };
}

/** Runs `count` workers on the config's port until SIGTERM or SIGINT has drained them. */
export async function supervise(o: SuperviseOptions): Promise<void> {
  const { flags, checked } = o;
  const own = createMetrics(); // the supervisor's own: exchanges made by /readyz probes
  const warn = stderrAt(flags.logLevel, "warn");
  const { oidcIssuer } = checked.environment;
  const oidcCredentials = oidcIssuer ? backendCredentials(oidcIssuer, own, warn) : undefined;
  const build: BuildBackends = (config) =>
    buildBackends(config, oidcCredentials ? { oidcCredentials } : {});
  const first = build(checked.config);
  if (!first.ok) refuse(backendRefusal(first.error, checked.name), flags);
  let backends: ReadonlyMap<string, Backend> = first.value;
  let config = checked.config; // the config now serving, for the status page's quotas
  // One table of rate-limit and quota counters for every worker, kept across reloads and restarts.
  const counters = createSharedCounters();
  const limits = openCounterStore({
    ...(checked.config.limitsStore ? { redis: checked.config.limitsStore } : {}),
    shared: counters,
    log: warn,
  });
  const supervisor = createSupervisor({
    count: o.count,
    flags,
    source: checked.source,
    bind: orFail(parseListen(checked.config.listen)),
    spawn: (id, events) => spawnWorker(o.workerModule, id, events),
    accessLog: writeStdout,
    counters,
    warn,
    info: stderrAt(flags.logLevel, "info"),
  });
  const started = await supervisor.start();
  if (!started.ok) fail(started.error);
  printListening(checked, started.value, o.count);
  const admin = flags.adminListen
    ? serveAdmin(
      flags.adminListen,
      summedAdmin(supervisor, own, () => backends, adminLimits(limits, () => config)),
    )
    : undefined;
  Deno.addSignalListener("SIGHUP", async () => {
    const next = await reloadAll({ flags, load: o.load, supervisor, build });
    if (next) ({ backends, config } = next);
  });
  onStopSignals(async () => {
    await supervisor.drain();
    await admin?.shutdown();
    Deno.exit(0);
  });
  if (Deno.env.get("BUCKETGATE_TEST_HOOKS") === "1") {
    Deno.addSignalListener("SIGUSR2", () => supervisor.crash(1));
  }
}

/** The admin handler whose /metrics and status page sum the workers' and the supervisor's `own`. */
function summedAdmin(
  supervisor: Supervisor,
  own: Metrics,
  backends: () => ReadonlyMap<string, Backend>,
  limits: Pick<AdminDeps, "limits" | "quotas">,
): (req: Request) => Promise<Response> {
  return createAdminHandler({
    metrics: own,
    backends,
    inFlight: () => 0,
    ...limits,
    async readings() {
      const summed = await supervisor.metrics();
      return {
        snapshot: sumSnapshots([summed.snapshot, own.snapshot()]),
        inFlight: summed.inFlight,
        workers: supervisor.serving(),
      };
    },
  });
}

/** Runs `stop` on the first SIGTERM or SIGINT (later ones are ignored). */
function onStopSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const once = async () => {
    if (stopping) return;
    stopping = true;
    await stop();
  };
  Deno.addSignalListener("SIGTERM", once);
  Deno.addSignalListener("SIGINT", once);
}

/** What a reload of every worker runs. */
interface ReloadAllOptions {
  readonly flags: Flags;
  readonly load: () => Promise<LoadedConfig>;
  readonly supervisor: Supervisor;
  readonly build: BuildBackends;
}

/**
 * SIGHUP under --workers: the config is loaded and its backends built here
 * first (a broken one is refused as with one worker), then every worker
 * switches or none does. The new backends (for /readyz) and config (for the
 * status page's quotas), or undefined.
 */
async function reloadAll(
  o: ReloadAllOptions,
): Promise<{ backends: ReadonlyMap<string, Backend>; config: Config } | undefined> {
  let source: ConfigSource | undefined;
  let config: Config | undefined;
  const r = await reload({
    load: async () => {
      const loaded = await o.load();
      source = loaded.source;
      if (loaded.loaded.ok) config = loaded.loaded.value;
      return loaded;
    },
    build: o.build,
  });
  if (!r.ok) {
    console.error(r.error);
    return undefined;
  }
  const all = await o.supervisor.reload(source!);
  if (!all.ok) {
    console.error(all.error);
    return undefined;
  }
  if (enabled(o.flags.logLevel, "info")) console.error(`reloaded ${r.value.name}`);
  return { backends: r.value.serving, config: config! };
}
