/**
 * The supervisor of `--workers N`: starts N workers on one port, restarts a
 * worker that dies (with back-off), reloads all of them or none, sums their
 * metrics and drains them all. Pure over injected workers and timers:
 * supervisor_edge.ts makes the `Worker`s, owns the signals and writes what
 * the workers log. One slot's parts are in slot.ts, the rounds over all of
 * them in rounds.ts.
 */
import type { Flags } from "../cli/flags.ts";
import type { ConfigSource } from "../cli/load_config.ts";
import { err, ok, type Result } from "../result.ts";
import type { BindAddress, FromWorker } from "./protocol.ts";
import { commitAll, drainAll, refuseOrKeep, sumAnswers, type SummedMetrics } from "./rounds.ts";
import {
  ask,
  type Backoff,
  bury,
  newSlot,
  realTimers,
  type Reply,
  restartDelay,
  type Slot,
  type Timers,
  type WorkerHandle,
} from "./slot.ts";
import { emptySnapshot, sumSnapshots } from "./sum_metrics.ts";

export type { Backoff, SummedMetrics, Timers, WorkerHandle };

/** What a worker tells the supervisor: its messages, or that it died. */
export interface WorkerEvents {
  message(m: FromWorker): void;
  /** The worker ended on an uncaught error (`detail` is its message). */
  died(detail: string): void;
}

/** What a supervisor needs. */
export interface SupervisorOptions {
  readonly count: number;
  readonly flags: Flags;
  /** The config every worker starts with (validated by the caller). */
  readonly source: ConfigSource;
  /** The config's listen address (port 0: the first worker's port is everyone's). */
  readonly bind: BindAddress;
  /** Starts worker `id` (1-based) whose events go to `events`. */
  spawn(id: number, events: WorkerEvents): WorkerHandle;
  /** Writes whole access-log lines from a worker. */
  accessLog(bytes: Uint8Array): void;
  /** The counter table every worker shares; a restarted worker gets the same one. */
  readonly counters?: SharedArrayBuffer;
  /** A warning line (a worker died, a reload a worker refused). */
  warn(line: string): void;
  /** An info line (a worker restarted). */
  info(line: string): void;
  readonly timers?: Timers;
  readonly backoff?: Backoff;
  /** How long a worker may take to answer prepare or metrics. @default 10000 */
  readonly replyTimeoutMs?: number;
  /** How long a drain may take before the workers are ended. @default 35000 */
  readonly drainTimeoutMs?: number;
}

/** A running set of workers. */
export interface Supervisor {
  /** Starts every worker; the address they listen on, or why one could not start. */
  start(): Promise<Result<BindAddress, string>>;
  /** Switches every worker to `source`, or none; the error is the message to print. */
  reload(source: ConfigSource): Promise<Result<void, string>>;
  /** The sum over the workers (a dead worker's last counts included). */
  metrics(): Promise<SummedMetrics>;
  /** Drains every worker and ends them all. */
  drain(): Promise<void>;
  /** Test hook: makes worker `id` throw an uncaught error. */
  crash(id: number): void;
  /** The number of workers serving now. */
  serving(): number;
}

/** Creates a supervisor; nothing runs before `start()`. */
export function createSupervisor(o: SupervisorOptions): Supervisor {
  const timers = o.timers ?? realTimers;
  const slots: Slot[] = Array.from({ length: o.count }, (_, i) => newSlot(i + 1));
  let bind = o.bind;
  let source = o.source;
  let configSeq = 0;
  let seq = 0;
  let started = false;
  let draining = false;
  let retired = emptySnapshot();
  let reloads: Promise<unknown> = Promise.resolve();
  const asking = { timers, timeoutMs: o.replyTimeoutMs ?? 10_000, nextSeq: () => ++seq };
  const serving = () => slots.filter((s) => s.state === "serving");

  function spawn(slot: Slot): void {
    const generation = ++slot.generation;
    slot.state = "starting";
    slot.configSeq = configSeq;
    slot.startedAt = timers.now();
    const current = () => slot.generation === generation;
    slot.handle = o.spawn(slot.id, {
      message: (m) => current() && onMessage(slot, m),
      died: (detail) => current() && onDeath(slot, detail),
    });
    slot.handle.post({
      kind: "start",
      id: slot.id,
      flags: o.flags,
      source,
      bind,
      workers: o.count,
      ...(o.counters ? { counters: o.counters } : {}),
    });
  }

  function onMessage(slot: Slot, m: FromWorker): void {
    if (m.kind === "log") o.accessLog(m.bytes);
    else if (m.kind === "listening") onListening(slot, { hostname: m.hostname, port: m.port });
    else if (m.kind === "failed") onDeath(slot, m.message);
    else answered(slot, m);
  }

  function onListening(slot: Slot, address: BindAddress): void {
    slot.state = "serving";
    const restarted = started;
    slot.onStarted?.(ok(address));
    slot.onStarted = undefined;
    if (!restarted) return;
    o.info(`worker ${slot.id} restarted`);
    if (slot.configSeq !== configSeq) void catchUp(slot);
  }

  /** A worker restarted during a reload serves the config that won it. */
  async function catchUp(slot: Slot): Promise<void> {
    const target = configSeq;
    const r = await ask(slot, (s) => ({ kind: "prepare", seq: s, source }), asking);
    if (r?.kind !== "prepared") return;
    if (r.error !== undefined) {
      o.warn(`worker ${slot.id} cannot take the current config: ${r.error}`);
      return;
    }
    slot.handle?.post({ kind: "commit", seq: r.seq });
    slot.configSeq = target;
  }

  function onDeath(slot: Slot, detail: string): void {
    const last = bury(slot);
    if (last) retired = sumSnapshots([retired, last]);
    slot.onDrained?.();
    if (!started || draining) {
      slot.state = "stopped";
      slot.onStarted?.(err(`worker ${slot.id} could not start: ${detail}`));
      slot.onStarted = undefined;
      return;
    }
    const delay = restartDelay(slot, timers.now(), o.backoff);
    slot.state = "waiting";
    o.warn(`worker ${slot.id} died (${detail}); restarting it in ${delay} ms`);
    slot.timer = timers.setTimeout(() => {
      slot.timer = undefined;
      if (!draining) spawn(slot);
    }, delay);
  }

  function startOne(slot: Slot): Promise<Result<BindAddress, string>> {
    return new Promise((resolve) => {
      slot.onStarted = resolve;
      spawn(slot);
    });
  }

  async function start(): Promise<Result<BindAddress, string>> {
    const first = await startOne(slots[0]!);
    if (!first.ok) return first;
    bind = { hostname: bind.hostname, port: first.value.port };
    const rest = await Promise.all(slots.slice(1).map(startOne));
    const failed = rest.find((r) => !r.ok);
    if (failed) {
      for (const s of slots) s.handle?.terminate();
      return failed;
    }
    started = true;
    return first;
  }

  async function reloadNow(next: ConfigSource): Promise<Result<void, string>> {
    const live = serving();
    const answers = await Promise.all(
      live.map((s) => ask(s, (n) => ({ kind: "prepare", seq: n, source: next }), asking)),
    );
    const refusal = refuseOrKeep(live, answers);
    if (refusal !== undefined) return err(refusal);
    source = next;
    configSeq++;
    commitAll(live, answers, configSeq);
    return ok(undefined);
  }

  return {
    start,
    reload(next) {
      const r = reloads.then(() => reloadNow(next));
      reloads = r;
      return r;
    },
    async metrics() {
      const live = serving();
      const answers = await Promise.all(
        live.map((s) => ask(s, (n) => ({ kind: "metrics", seq: n }), asking)),
      );
      return sumAnswers(live, answers, retired);
    },
    async drain() {
      if (draining) return;
      draining = true;
      await drainAll(slots, timers, o.drainTimeoutMs ?? 35_000);
    },
    crash(id) {
      slots[id - 1]?.handle?.post({ kind: "crash" });
    },
    serving: () => serving().length,
  };
}

/** Hands a reply to whoever asked for it (a `drained` to the drain waiting on it). */
function answered(slot: Slot, m: Exclude<FromWorker, { kind: "log" | "listening" | "failed" }>) {
  switch (m.kind) {
    case "prepared":
    case "metrics": {
      const waiter = slot.waiting.get(m.seq);
      slot.waiting.delete(m.seq);
      waiter?.(m satisfies Reply);
      return;
    }
    case "drained":
      slot.onDrained?.();
      return;
    default: {
      const never: never = m;
      throw new TypeError(`Cannot handle a worker message: ${JSON.stringify(never)}`);
    }
  }
}
