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
import { createMetrics, type Metrics } from "./src/admin/metrics.ts";
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

const EMBEDDED_CONFIG = new URL("./config.yaml", import.meta.url);

function fail(message: string): never {
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
  return { name: source.name, config: loaded.value, environment: environment.value };
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

/** The access log's stdout: lines buffered to the end of each event-loop turn. */
const accessOut = createLineWriter((b) => Deno.stdout.writeSync(b));
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

function createRuntime(flags: Flags, environment: Environment): Runtime {
  const print = makeLogger({
    format: flags.logFormat,
    level: flags.logLevel,
    write: (line) => accessOut.write(line),
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

function serveGateway(checked: Checked, runtime: Runtime, state: State): Deno.HttpServer {
  return Deno.serve({
    ...orFail(parseListen(checked.config.listen)),
    // Reached only by a response body that fails after its head was sent: the
    // client already has its status.
    onError(e) {
      runtime.warn(bodyFailureLine(e));
      return new Response(null, { status: 500 });
    },
    onListen(address) {
      const buckets = checked.config.buckets.map((b) => b.name);
      const sts = checked.environment.sessionKeys !== undefined;
      console.log(listeningLine({ version: VERSION, address, buckets, sts }));
    },
  }, async (req, info) => {
    if (state.draining) {
      await req.body?.cancel();
      return new Response("shutting down\n", { status: 503, headers: { connection: "close" } });
    }
    return await state.serving.handler(req, info);
  });
}

function serveAdmin(listen: string, runtime: Runtime, state: State): Deno.HttpServer {
  return Deno.serve(
    {
      ...orFail(parseListen(listen)),
      onListen(address) {
        console.log(adminListeningLine(address));
      },
    },
    createAdminHandler({
      metrics: runtime.metrics,
      backends: () => state.serving.backends,
      inFlight: () => runtime.inFlight.count,
    }),
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

/** Stops taking requests, waits up to 30 s for those in flight, and exits 0. */
async function drainAndExit(
  runtime: Runtime,
  state: State,
  servers: readonly (Deno.HttpServer | undefined)[],
): Promise<void> {
  if (state.draining) return;
  state.draining = true;
  const deadline = Date.now() + 30_000;
  while (runtime.inFlight.count > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  await Promise.all(servers.map((s) => s?.shutdown()));
  accessOut.flush();
  Deno.exit(0);
}

async function main(): Promise<void> {
  const flags = await readFlags(Deno.args);
  const checked = await checkStartup(flags);
  await trustDenoCert();
  const runtime = createRuntime(flags, checked.environment);
  const first = runtime.build(checked.config);
  // --check-config has exited by now: this refusal always ends with exit 2.
  if (!first.ok) refuse(backendRefusal(first.error, checked.name), flags);
  const state: State = { serving: first.value, draining: false };
  const server = serveGateway(checked, runtime, state);
  Deno.addSignalListener("SIGHUP", () => onReload(flags, runtime, state));
  const admin = flags.adminListen ? serveAdmin(flags.adminListen, runtime, state) : undefined;
  const stop = () => drainAndExit(runtime, state, [server, admin]);
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
  await server.finished;
}

if (import.meta.main) await main();
