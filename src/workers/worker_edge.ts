/**
 * One worker of `--workers N`: an isolate running main.ts, which hands its
 * global scope here. It serves what the supervisor's `start` says on the
 * shared port (SO_REUSEPORT), then answers the supervisor's messages:
 * prepare/commit/abort of a reload, metrics, drain and the crash test hook.
 */
import { trustDenoCert } from "../cli/deno_cert.ts";
import { readEnvironment } from "../cli/environment.ts";
import type { Flags } from "../cli/flags.ts";
import {
  type ConfigSource,
  loadConfig,
  type LoadedConfig,
  policyFileReader,
} from "../cli/load_config.ts";
import { reload } from "../cli/reload.ts";
import { createRuntime, type Runtime, type Serving } from "../cli/runtime.ts";
import { drain, serveGateway, type State } from "../cli/serve.ts";
import { backendRefusal, configRefusal, environmentRefusal } from "../cli/startup_report.ts";
import { systemClock } from "../clock.ts";
import type { LineWriter } from "../log/line_writer.ts";
import type { FromWorker, ToWorker } from "./protocol.ts";

/** The global scope of a worker of `--workers N`. */
export interface WorkerScope {
  postMessage(message: FromWorker): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
}

/** Ends a worker's start: the supervisor is told, instead of the process exiting. */
class WorkerStartError extends Error {}

/** A worker's server and what it serves. */
interface WorkerServing {
  readonly flags: Flags;
  readonly runtime: Runtime;
  readonly state: State;
  readonly server: Deno.HttpServer;
  /** Configs built by `prepare`, by seq, until `commit` or `abort`. */
  readonly prepared: Map<number, Serving>;
}

function envLookup(name: string): string | undefined {
  return Deno.env.get(name);
}

/**
 * One worker: serves what the supervisor's `start` says, then answers its
 * messages. `accessLog` sends whole lines to the supervisor, the one writer
 * of stdout.
 */
export function runWorker(scope: WorkerScope, accessLog: LineWriter): void {
  let serving: WorkerServing | undefined;
  let drainRequested = false;
  scope.onmessage = (e) => {
    const m = e.data;
    if (m.kind === "start") {
      startWorker(scope, m, accessLog).then((s) => {
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

async function startWorker(
  scope: WorkerScope,
  m: Extract<ToWorker, { kind: "start" }>,
  accessLog: LineWriter,
): Promise<WorkerServing> {
  const { source, loaded } = await loadSource(m.flags, m.source);
  if (!loaded.ok) throw new WorkerStartError(configRefusal(loaded.error, source.name).summary);
  const environment = await readEnvironment(envLookup, systemClock);
  if (!environment.ok) throw new WorkerStartError(environmentRefusal(environment.error).summary);
  const trusted = await trustDenoCert();
  if (!trusted.ok) throw new WorkerStartError(trusted.error);
  const runtime = createRuntime({
    flags: m.flags,
    environment: environment.value,
    accessLog,
    worker: m.id,
    ...(m.workers !== undefined ? { workers: m.workers } : {}),
    ...(m.counters ? { counters: m.counters } : {}),
  });
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

/**
 * The config of `source` as a worker reads it: the text the supervisor
 * validated, not the file; its `policy_file`s relative to the config file.
 */
function loadSource(flags: Flags, source: ConfigSource): Promise<LoadedConfig> {
  return loadConfig(flags, {
    read: () => Promise.resolve(source),
    env: envLookup,
    readPolicyFile: policyFileReader(flags.config, Deno.readTextFileSync),
  });
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
