// deno-lint-ignore-file no-console -- main.ts is the process edge: --help, --version, --check-config print.
/**
 * bucketgate's edge: flags, environment, files, the startup checks and the
 * dispatch to serving in this process (src/cli/serve.ts) or to `--workers N`
 * (src/workers/supervisor_edge.ts). Under `--workers N` this very module is
 * also each worker's (src/workers/worker_edge.ts), so `deno compile` needs
 * no --include for it.
 */
import { OIDC_ISSUER_MISSING } from "./src/backends/factory.ts";
import { systemClock } from "./src/clock.ts";
import { createLineWriter } from "./src/log/line_writer.ts";
import { missingIssuerProblems } from "./src/oidc/provider_env.ts";
import { VERSION } from "./src/version.ts";
import { trustDenoCert } from "./src/cli/deno_cert.ts";
import { readEnvironment } from "./src/cli/environment.ts";
import { orFail, refuse } from "./src/cli/exit.ts";
import { type Flags, parseFlags } from "./src/cli/flags.ts";
import { helpText } from "./src/cli/help.ts";
import { runExplain } from "./src/cli/explain_command.ts";
import {
  type ConfigSource,
  loadConfig,
  type LoadedConfig,
  policyFileReader,
} from "./src/cli/load_config.ts";
import { type Checked, serveSingle } from "./src/cli/serve.ts";
import {
  configOkLine,
  configRefusal,
  configWarnings,
  environmentRefusal,
} from "./src/cli/startup_report.ts";
import { commitId, versionLine } from "./src/cli/version_line.ts";
import { resolveWorkers } from "./src/workers/count.ts";
import { supervise } from "./src/workers/supervisor_edge.ts";
import { runWorker, type WorkerScope } from "./src/workers/worker_edge.ts";

const EMBEDDED_CONFIG = new URL("./config.yaml", import.meta.url);

/** Set when this module runs as one worker of `--workers N`, not as the process's main module. */
const workerScope: WorkerScope | undefined =
  typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== "undefined"
    ? globalThis as unknown as WorkerScope
    : undefined;

/**
 * The access log's stdout: lines buffered to the end of each event-loop turn.
 * A worker's whole lines go to the supervisor, the one writer of stdout, so
 * lines of several workers never interleave.
 */
const accessOut = createLineWriter(
  workerScope
    ? (b) => {
      // A copy of the view alone: posting the view would clone the writer's whole reused buffer.
      workerScope.postMessage({ kind: "log", bytes: b.slice() });
      return b.length;
    }
    : (b) => Deno.stdout.writeSync(b),
);
globalThis.addEventListener("unload", () => accessOut.flush());

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
  const readPolicyFile = policyFileReader(flags.config, Deno.readTextFileSync);
  return loadConfig(flags, { read: readConfigSource, env: envLookup, readPolicyFile });
}

/** The config and environment, or the process refuses to start; --check-config exits here. */
async function checkStartup(flags: Flags): Promise<Checked> {
  const { source, loaded } = await loadFor(flags);
  if (!loaded.ok) refuse(configRefusal(loaded.error, source.name), flags);
  const environment = await readEnvironment(envLookup, systemClock);
  if (!environment.ok) refuse(environmentRefusal(environment.error), flags);
  const orphans = environment.value.oidcIssuer
    ? []
    : missingIssuerProblems(loaded.value, OIDC_ISSUER_MISSING);
  if (orphans.length > 0) refuse(configRefusal(orphans, source.name), flags);
  for (const warning of configWarnings(source.name, loaded.value)) console.error(warning);
  if (flags.checkConfig) {
    console.log(configOkLine(source.name, loaded.value));
    Deno.exit(0);
  }
  return { name: source.name, source, config: loaded.value, environment: environment.value };
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
  orFail(await trustDenoCert());
  const load = () => loadFor(flags);
  if (workers > 1) {
    // Each worker runs this module (see workerScope), so `deno compile` needs no --include.
    return await supervise({ flags, checked, count: workers, workerModule: import.meta.url, load });
  }
  await serveSingle({ flags, checked, accessLog: accessOut, load });
}

/** `bucketgate explain …`: decide one request offline, print why, exit 0 (allow) or 1 (deny). */
function explainMain(args: string[]): never {
  const outcome = runExplain(args, {
    readText: (path) => Deno.readTextFileSync(path),
    env: envLookup,
    now: Date.now(),
  });
  for (const line of outcome.lines) (outcome.code === 2 ? console.error : console.log)(line);
  Deno.exit(outcome.code);
}

if (import.meta.main) {
  if (workerScope) runWorker(workerScope, accessOut);
  else if (Deno.args[0] === "explain") explainMain(Deno.args.slice(1));
  else await main();
}
