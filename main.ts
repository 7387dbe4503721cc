// deno-lint-ignore-file no-console -- main.ts is the process edge: the one module that prints.
/**
 * bucketgate's edge: flags, environment, files, Deno.serve, signals. The only
 * module that touches the process; everything it serves is `createApp`, and
 * what it decides is in src/cli/.
 */
import { type AppHandler, createApp, type InFlight } from "./src/app.ts";
import { createSigningKeyCache } from "./src/sigv4/signing_key.ts";
import type { Backend } from "./src/backends/backend.ts";
import { OIDC_ISSUER_MISSING } from "./src/backends/factory.ts";
import { systemClock } from "./src/clock.ts";
import type { Config, ConfigProblem } from "./src/config/types.ts";
import { createJwksCache, type JwksCache } from "./src/sts/jwks.ts";
import { createOidcCredentials, type OidcCredentials } from "./src/oidc/backend_auth.ts";
import type { OidcIssuer } from "./src/oidc/issuer.ts";
import { trustCertificates } from "./src/backends/s3/http.ts";
import { missingIssuerProblems } from "./src/oidc/provider_env.ts";
import { VERSION } from "./src/version.ts";
import { createLineWriter } from "./src/line_writer.ts";
import { createAdminHandler } from "./src/admin/admin.ts";
import { createMetrics, type Metrics, renderMetrics } from "./src/admin/metrics.ts";
import { enabled } from "./src/log_level.ts";
import { ok, type Result } from "./src/result.ts";
import { buildBackends } from "./src/cli/backends.ts";
import { type Environment, readEnvironment } from "./src/cli/environment.ts";
import { type Flags, parseFlags } from "./src/cli/flags.ts";
import { helpText } from "./src/cli/help.ts";
import { parseListen } from "./src/cli/listen.ts";
import { makeLogger } from "./src/cli/log_format.ts";
import { type ConfigSource, loadConfig, type LoadedConfig } from "./src/cli/load_config.ts";
import { reload } from "./src/cli/reload.ts";
import { adminListeningLine, bodyFailureLine, listeningLine } from "./src/cli/server_lines.ts";
import {
  backendRefusal,
  configOkLine,
  configRefusal,
  environmentRefusal,
  type Refusal,
} from "./src/cli/startup_report.ts";
import { commitId, versionLine } from "./src/cli/version_line.ts";
import { createSummedAdmin } from "./src/workers/admin.ts";
import { resolveWorkers } from "./src/workers/count.ts";
import type { BindAddress, FromWorker, ToWorker } from "./src/workers/protocol.ts";
import {
  createSupervisor,
  type Supervisor,
  type WorkerEvents,
  type WorkerHandle,
} from "./src/workers/supervisor.ts";
import { sumSnapshots } from "./src/workers/sum_metrics.ts";

const EMBEDDED_CONFIG = new URL("./config.yaml", import.meta.url);

/** The global scope of a worker of `--workers N` (this module, started by the supervisor). */
interface WorkerScope {
  postMessage(message: FromWorker): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
}

/** Set when this module runs as one worker of `--workers N`, not as the process's main module. */
const workerScope: WorkerScope | undefined =
  typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== "undefined"
    ? globalThis as unknown as WorkerScope
    : undefined;

/** Ends a worker's start: the supervisor is told, instead of the process exiting. */
class WorkerStartError extends Error {}

function fail(message: string): never {
  if (workerScope) throw new WorkerStartError(message);
  console.error(`bucketgate: ${message}`);
  Deno.exit(2);
}

/** The value, or the process ends with exit 2 and the message. */
function orFail<T>(r: Result<T, string>): T {
  if (!r.ok) fail(r.error);
  return r.value;
}

/** Prints the problems; exits 1 under --check-config, else 2 after the summary. */
function refuse(r: Refusal, flags: Flags): never {
  console.error(r.report);
  if (flags.checkConfig) Deno.exit(1);
  fail(r.summary);
}

/** The flags of a run; --help and --version print and exit 0 here. */
async function readFlags(args: string[]): Promise<Flags> {
  const action = orFail(parseFlags(args));
  if (action.kind === "help") {
    console.log(helpText(VERSION));
    Deno.exit(0);
  }
  if (action.kind === "version") {
    const root = new URL("./", import.meta.url);
    console.log(versionLine(VERSION, await commitId({ root, read: Deno.readTextFile })));
    Deno.exit(0);
  }
  return action.flags;
}

async function readConfigSource(path: string | undefined): Promise<ConfigSource> {
  if (path !== undefined) return { name: path, text: await Deno.readTextFile(path) };
  try {
    return { name: "config.yaml", text: await Deno.readTextFile("config.yaml") };
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return { name: "(embedded config.yaml)", text: await Deno.readTextFile(EMBEDDED_CONFIG) };
}

function envLookup(name: string): string | undefined {
  return Deno.env.get(name);
}

function loadFor(flags: Flags): Promise<LoadedConfig> {
  return loadConfig(flags, { read: readConfigSource, env: envLookup });
}

/** A config and environment that passed every check; --check-config exits here. */
interface Checked {
  readonly name: string;
  /** The config's text, which every worker of `--workers N` parses again. */
  readonly source: ConfigSource;
  readonly config: Config;
  readonly environment: Environment;
}

async function checkStartup(flags: Flags): Promise<Checked> {
  const { source, loaded } = await loadFor(flags);
  if (!loaded.ok) refuse(configRefusal(loaded.error, source.name), flags);
  const environment = await readEnvironment(envLookup, systemClock);
  if (!environment.ok) refuse(environmentRefusal(environment.error), flags);
  const orphans = environment.value.oidcIssuer
    ? []
    : missingIssuerProblems(loaded.value, OIDC_ISSUER_MISSING);
  if (orphans.length > 0) refuse(configRefusal(orphans, source.name), flags);
  if (flags.checkConfig) {
    console.log(configOkLine(source.name, loaded.value));
    Deno.exit(0);
  }
  return { name: source.name, source, config: loaded.value, environment: environment.value };
}

/** fetch trusts DENO_CERT itself; streamed uploads go through node:https, which is told here. */
async function trustDenoCert(): Promise<void> {
  const extraCa = Deno.env.get("DENO_CERT");
  if (!extraCa) return;
  try {
    trustCertificates(await Deno.readTextFile(extraCa));
  } catch (e) {
    fail(`DENO_CERT: cannot read ${extraCa}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Writes all of `bytes` to stdout. */
function writeStdout(bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length;) at += Deno.stdout.writeSync(bytes.subarray(at));
}

/**
 * The access log's stdout: lines buffered to the end of each event-loop turn.
 * A worker's whole lines go to the supervisor, the one writer of stdout, so
 * lines of several workers never interleave.
 */
const accessOut = createLineWriter(
  workerScope
    ? (b) => {
      workerScope.postMessage({ kind: "log", bytes: b });
      return b.length;
    }
    : (b) => Deno.stdout.writeSync(b),
);
globalThis.addEventListener("unload", () => accessOut.flush());

/** A config made ready to serve: its handler and its backends. */
interface Serving {
  readonly handler: AppHandler;
  readonly backends: ReadonlyMap<string, Backend>;
}

/** What every app this process builds shares (a reload keeps them). */
interface Runtime {
  readonly metrics: Metrics;
  readonly warn: (message: string) => void;
  /** Counted by every app, so a reload keeps the count. */
  readonly inFlight: InFlight;
  readonly build: (config: Config) => Result<Serving, ConfigProblem[]>;
}

/** `worker`: the id of this worker of `--workers N`, which each access-log line names. */
function createRuntime(flags: Flags, environment: Environment, worker?: number): Runtime {
  const print = makeLogger({
    format: flags.logFormat,
    level: flags.logLevel,
    write: (line) => accessOut.write(line),
    ...(worker !== undefined ? { worker } : {}),
  });
  const metrics = createMetrics();
  const warn = (message: string) => {
    if (enabled(flags.logLevel, "warn")) console.error(message);
  };
  const { sessionKeys, oidcIssuer } = environment;
  const signingKeys = createSigningKeyCache();
  const jwks = jwksCache(metrics, warn);
  const oidcCredentials = oidcIssuer ? backendCredentials(oidcIssuer, metrics, warn) : undefined;
  const inFlight: InFlight = { count: 0 };
  const build = (config: Config): Result<Serving, ConfigProblem[]> => {
    const backends = buildBackends(config, oidcCredentials ? { oidcCredentials } : {});
    if (!backends.ok) return backends;
    // Each config's app labels its metrics with that config's bucket names.
    const observe = metrics.observer(config.buckets.map((b) => b.name));
    const handler = createApp({
      config,
      backends: backends.value,
      clock: systemClock,
      log(e) {
        observe(e);
        print(e);
      },
      signingKeys,
      jwks,
      ...(sessionKeys ? { sessionKeys } : {}),
      ...(oidcIssuer ? { oidcIssuer } : {}),
      inFlight,
    });
    return ok({ handler, backends: backends.value });
  };
  return { metrics, warn, inFlight, build };
}

function jwksCache(metrics: Metrics, warn: (message: string) => void): JwksCache {
  return createJwksCache({
    clock: systemClock,
    onFetch(issuer, outcome, detail) {
      metrics.jwksFetch(outcome === "error" ? "error" : "ok");
      if (outcome === "error") warn(`JWKS fetch for ${issuer} failed: ${detail}`);
    },
  });
}

function backendCredentials(
  issuer: OidcIssuer,
  metrics: Metrics,
  warn: (message: string) => void,
): OidcCredentials {
  return createOidcCredentials({
    issuer,
    clock: systemClock,
    fetch: globalThis.fetch,
    onExchange: (outcome) => metrics.credentialExchange(outcome),
    onFailure(e, retryInMs) {
      warn(`backend credentials: ${String(e.detail ?? e.message)}; next try in ${retryInMs} ms`);
    },
  });
}

/** What the signal handlers and the servers share while the process runs. */
interface State {
  serving: Serving;
  draining: boolean;
}

/** How the gateway's server listens. */
interface Listening {
  readonly address: BindAddress;
  /** SO_REUSEPORT: set in the workers of `--workers N`, which share the port. */
  readonly reusePort: boolean;
  readonly onListen: (address: BindAddress) => void;
}

/** Prints the gateway's first line (one worker, or the supervisor once all workers listen). */
function printListening(checked: Checked, address: BindAddress, workers = 1): void {
  const buckets = checked.config.buckets.map((b) => b.name);
  const sts = checked.environment.sessionKeys !== undefined;
  console.log(listeningLine({ version: VERSION, address, buckets, sts, workers }));
}

function serveGateway(listening: Listening, runtime: Runtime, state: State): Deno.HttpServer {
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
  }, async (req, info) => {
    if (state.draining) {
      await req.body?.cancel();
      return new Response("shutting down\n", { status: 503, headers: { connection: "close" } });
    }
    return await state.serving.handler(req, info);
  });
}

function serveAdmin(listen: string, handler: (req: Request) => Promise<Response>): Deno.HttpServer {
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

async function onReload(flags: Flags, runtime: Runtime, state: State): Promise<void> {
  const r = await reload({ load: () => loadFor(flags), build: runtime.build });
  if (!r.ok) {
    console.error(r.error);
    return;
  }
  state.serving = r.value.serving;
  if (enabled(flags.logLevel, "info")) console.error(`reloaded ${r.value.name}`);
}

/** Stops taking requests (503), waits up to 30 s for those in flight, and closes the servers. */
async function drain(
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
  accessOut.flush();
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

async function main(): Promise<void> {
  const flags = await readFlags(Deno.args);
  const checked = await checkStartup(flags);
  const workers = orFail(resolveWorkers({
    ...(flags.workers !== undefined ? { flag: flags.workers } : {}),
    ...(checked.config.workers !== undefined ? { config: checked.config.workers } : {}),
    cpus: navigator.hardwareConcurrency,
    os: Deno.build.os,
  }));
  await trustDenoCert();
  if (workers > 1) return await supervise(flags, checked, workers);
  const runtime = createRuntime(flags, checked.environment);
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
  Deno.addSignalListener("SIGHUP", () => onReload(flags, runtime, state));
  const admin = flags.adminListen
    ? serveAdmin(
      flags.adminListen,
      createAdminHandler({
        metrics: runtime.metrics,
        backends: () => state.serving.backends,
        inFlight: () => runtime.inFlight.count,
      }),
    )
    : undefined;
  const stop = () => drainAndExit(runtime, state, [server, admin]);
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
  await server.finished;
}

// ---- --workers N: the supervisor (the main module) -------------------------

/** Starts worker `id`: this very module, in an isolate of its own (so `deno compile` needs no --include). */
function spawnWorker(id: number, events: WorkerEvents): WorkerHandle {
  const w = new Worker(import.meta.url, { type: "module", name: `bucketgate-worker-${id}` });
  w.onmessage = (e: MessageEvent<FromWorker>) => events.message(e.data);
  w.onerror = (e) => {
    e.preventDefault();
    events.died(e.message);
  };
  w.onmessageerror = () => events.died("a message from it could not be read");
  return { post: (m) => w.postMessage(m), terminate: () => w.terminate() };
}

/**
 * Runs `count` workers on the config's port and owns the signals: SIGHUP
 * validates here and then reloads every worker or none, SIGTERM drains them
 * all; the admin listener (one, here) sums their metrics.
 */
async function supervise(flags: Flags, checked: Checked, count: number): Promise<void> {
  const { oidcIssuer } = checked.environment;
  const own = createMetrics(); // the supervisor's own: exchanges made by /readyz probes
  const warn = (message: string) => {
    if (enabled(flags.logLevel, "warn")) console.error(message);
  };
  const info = (message: string) => {
    if (enabled(flags.logLevel, "info")) console.error(message);
  };
  const oidcCredentials = oidcIssuer ? backendCredentials(oidcIssuer, own, warn) : undefined;
  const buildChecked = (config: Config) =>
    buildBackends(config, oidcCredentials ? { oidcCredentials } : {});
  const first = buildChecked(checked.config);
  if (!first.ok) refuse(backendRefusal(first.error, checked.name), flags);
  let backends: ReadonlyMap<string, Backend> = first.value;
  const supervisor = createSupervisor({
    count,
    flags,
    source: checked.source,
    bind: orFail(parseListen(checked.config.listen)),
    spawn: spawnWorker,
    accessLog: writeStdout,
    warn,
    info,
  });
  const started = await supervisor.start();
  if (!started.ok) fail(started.error);
  printListening(checked, started.value, count);
  const admin = flags.adminListen
    ? serveAdmin(
      flags.adminListen,
      createSummedAdmin({
        admin: createAdminHandler({ metrics: own, backends: () => backends, inFlight: () => 0 }),
        async metricsText() {
          const summed = await supervisor.metrics();
          return renderMetrics(sumSnapshots([summed.snapshot, own.snapshot()]), summed.inFlight);
        },
      }),
    )
    : undefined;
  Deno.addSignalListener("SIGHUP", async () => {
    const next = await reloadAll(flags, supervisor, buildChecked);
    if (next) backends = next;
  });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await supervisor.drain();
    await admin?.shutdown();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
  if (Deno.env.get("BUCKETGATE_TEST_HOOKS") === "1") {
    Deno.addSignalListener("SIGUSR2", () => supervisor.crash(1));
  }
}

/**
 * SIGHUP under --workers: the config is loaded and its backends built here
 * first (a broken one is refused as with one worker), then every worker
 * switches or none does. The new backends (for /readyz), or undefined.
 */
async function reloadAll(
  flags: Flags,
  supervisor: Supervisor,
  build: (config: Config) => Result<Map<string, Backend>, ConfigProblem[]>,
): Promise<ReadonlyMap<string, Backend> | undefined> {
  let source: ConfigSource | undefined;
  const r = await reload({
    load: async () => {
      const loaded = await loadFor(flags);
      source = loaded.source;
      return loaded;
    },
    build,
  });
  if (!r.ok) {
    console.error(r.error);
    return undefined;
  }
  const all = await supervisor.reload(source!);
  if (!all.ok) {
    console.error(all.error);
    return undefined;
  }
  if (enabled(flags.logLevel, "info")) console.error(`reloaded ${r.value.name}`);
  return r.value.serving;
}

// ---- --workers N: one worker (this module in a Worker) ---------------------

/** One worker: serves what the supervisor's `start` says, then answers its messages. */
function runWorker(scope: WorkerScope): void {
  let serving: WorkerServing | undefined;
  let drainRequested = false;
  scope.onmessage = (e) => {
    const m = e.data;
    if (m.kind === "start") {
      startWorker(scope, m).then((s) => {
        serving = s;
        if (drainRequested) void drainWorker(scope, s);
      }, (e) => {
        const message = e instanceof Error ? e.message : String(e);
        scope.postMessage({ kind: "failed", message });
        scope.onmessage = null;
      });
    } else if (m.kind === "drain") {
      if (serving) void drainWorker(scope, serving);
      else drainRequested = true;
    } else if (serving) onWorkerMessage(scope, serving, m);
  };
}

/** A worker's server and what it serves. */
interface WorkerServing {
  readonly flags: Flags;
  readonly runtime: Runtime;
  readonly state: State;
  readonly server: Deno.HttpServer;
  /** Configs built by `prepare`, by seq, until `commit` or `abort`. */
  readonly prepared: Map<number, Serving>;
}

async function startWorker(
  scope: WorkerScope,
  m: Extract<ToWorker, { kind: "start" }>,
): Promise<WorkerServing> {
  const { source, loaded } = await loadSource(m.flags, m.source);
  if (!loaded.ok) throw new WorkerStartError(configRefusal(loaded.error, source.name).summary);
  const environment = await readEnvironment(envLookup, systemClock);
  if (!environment.ok) throw new WorkerStartError(environmentRefusal(environment.error).summary);
  await trustDenoCert();
  const runtime = createRuntime(m.flags, environment.value, m.id);
  const first = runtime.build(loaded.value);
  if (!first.ok) throw new WorkerStartError(backendRefusal(first.error, source.name).summary);
  const state: State = { serving: first.value, draining: false };
  const server = serveGateway(
    {
      address: m.bind,
      reusePort: true,
      onListen: ({ hostname, port }) => scope.postMessage({ kind: "listening", hostname, port }),
    },
    runtime,
    state,
  );
  return { flags: m.flags, runtime, state, server, prepared: new Map() };
}

/** The config of `source` as a worker reads it: the text the supervisor validated, not the file. */
function loadSource(flags: Flags, source: ConfigSource): Promise<LoadedConfig> {
  return loadConfig(flags, { read: () => Promise.resolve(source), env: envLookup });
}

function onWorkerMessage(scope: WorkerScope, w: WorkerServing, m: ToWorker): void {
  switch (m.kind) {
    case "prepare":
      void reload({ load: () => loadSource(w.flags, m.source), build: w.runtime.build }).then(
        (r) => {
          if (r.ok) w.prepared.set(m.seq, r.value.serving);
          scope.postMessage({ kind: "prepared", seq: m.seq, ...(r.ok ? {} : { error: r.error }) });
        },
      );
      return;
    case "commit": {
      const next = w.prepared.get(m.seq);
      w.prepared.clear();
      if (next) w.state.serving = next;
      return;
    }
    case "abort":
      w.prepared.delete(m.seq);
      return;
    case "metrics":
      scope.postMessage({
        kind: "metrics",
        seq: m.seq,
        snapshot: w.runtime.metrics.snapshot(),
        inFlight: w.runtime.inFlight.count,
      });
      return;
    case "crash":
      setTimeout(() => {
        throw new Error("worker crash requested by the test hook (BUCKETGATE_TEST_HOOKS)");
      });
      return;
    case "start":
    case "drain":
      return;
    default: {
      const never: never = m;
      throw new TypeError(`Cannot handle a supervisor message: ${JSON.stringify(never)}`);
    }
  }
}

async function drainWorker(scope: WorkerScope, w: WorkerServing): Promise<void> {
  if (w.state.draining) return;
  await drain(w.runtime, w.state, [w.server]);
  scope.postMessage({ kind: "drained" });
}

if (import.meta.main) {
  if (workerScope) runWorker(workerScope);
  else await main();
}
