/**
 * The supervisor of `--workers N`: starts N workers on one port, restarts a
 * worker that dies (with back-off), reloads all of them or none, sums their
 * metrics and drains them all. Pure over injected workers and timers: main.ts
 * makes the `Worker`s, owns the signals and writes what the workers log.
 */
import type { MetricsSnapshot } from "../admin/metrics.ts";
import type { Flags } from "../cli/flags.ts";
import type { ConfigSource } from "../cli/load_config.ts";
import { err, ok, type Result } from "../result.ts";
import type { BindAddress, FromWorker, ToWorker } from "./protocol.ts";
import { emptySnapshot, sumSnapshots } from "./sum_metrics.ts";

/** One running worker as the supervisor drives it. */
export interface WorkerHandle {
  post(message: ToWorker): void;
  /** Ends the worker at once (what it has not finished is lost). */
  terminate(): void;
}

/** What a worker tells the supervisor: its messages, or that it died. */
export interface WorkerEvents {
  message(m: FromWorker): void;
  /** The worker ended on an uncaught error (`detail` is its message). */
  died(detail: string): void;
}

/** Timers, injectable for tests. */
export interface Timers {
  /** Returns a handle for `clearTimeout`. */
  setTimeout(f: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

/** Back-off of restarts: `firstMs`, doubling per quick death, at most `maxMs`. */
export interface Backoff {
  /** @default 100 */
  readonly firstMs?: number;
  /** @default 30000 */
  readonly maxMs?: number;
  /** A worker that served this long before dying starts the back-off over. @default 30000 */
  readonly healthyMs?: number;
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

/** The summed metrics of the workers. */
export interface SummedMetrics {
  readonly snapshot: MetricsSnapshot;
  readonly inFlight: number;
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

type Reply = Extract<FromWorker, { seq: number }>;

interface Slot {
  readonly id: number;
  handle: WorkerHandle | undefined;
  /** Increments per spawn: events of an earlier incarnation are ignored. */
  generation: number;
  state: "starting" | "serving" | "waiting" | "stopped";
  /** The config generation it serves (or started with). */
  configSeq: number;
  startedAt: number;
  quickDeaths: number;
  timer: unknown;
  /** The latest metrics it reported (kept when it dies). */
  last: MetricsSnapshot | undefined;
  onStarted: ((r: Result<BindAddress, string>) => void) | undefined;
  onDrained: (() => void) | undefined;
  readonly waiting: Map<number, (r: Reply | undefined) => void>;
}

const realTimers: Timers = {
  setTimeout: (f, ms) => setTimeout(f, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

/** Creates a supervisor; nothing runs before `start()`. */
export function createSupervisor(o: SupervisorOptions): Supervisor {
  const timers = o.timers ?? realTimers;
  const firstMs = o.backoff?.firstMs ?? 100;
  const maxMs = o.backoff?.maxMs ?? 30_000;
  const healthyMs = o.backoff?.healthyMs ?? 30_000;
  const replyTimeoutMs = o.replyTimeoutMs ?? 10_000;
  const slots: Slot[] = Array.from({ length: o.count }, (_, i) => ({
    id: i + 1,
    generation: 0,
    state: "stopped",
    configSeq: 0,
    startedAt: 0,
    quickDeaths: 0,
    handle: undefined,
    timer: undefined,
    last: undefined,
    onStarted: undefined,
    onDrained: undefined,
    waiting: new Map(),
  }));
  let bind = o.bind;
  let source = o.source;
  let configSeq = 0;
  let seq = 0;
  let started = false;
  let draining = false;
  let retired = emptySnapshot();
  let reloads: Promise<unknown> = Promise.resolve();

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
    slot.handle.post({ kind: "start", id: slot.id, flags: o.flags, source, bind });
  }

  function onMessage(slot: Slot, m: FromWorker): void {
    switch (m.kind) {
      case "log":
        o.accessLog(m.bytes);
        return;
      case "listening":
        return onListening(slot, { hostname: m.hostname, port: m.port });
      case "failed":
        return onDeath(slot, m.message);
      case "prepared":
      case "metrics": {
        const waiter = slot.waiting.get(m.seq);
        slot.waiting.delete(m.seq);
        waiter?.(m);
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
    const r = await ask(slot, (s) => ({ kind: "prepare", seq: s, source }));
    if (r?.kind !== "prepared") return;
    if (r.error !== undefined) {
      o.warn(`worker ${slot.id} cannot take the current config: ${r.error}`);
      return;
    }
    slot.handle?.post({ kind: "commit", seq: r.seq });
    slot.configSeq = target;
  }

  function onDeath(slot: Slot, detail: string): void {
    slot.handle?.terminate();
    slot.handle = undefined;
    slot.generation++;
    for (const waiter of slot.waiting.values()) waiter(undefined);
    slot.waiting.clear();
    if (slot.last) retired = sumSnapshots([retired, slot.last]);
    slot.last = undefined;
    slot.onDrained?.();
    if (!started || draining) {
      slot.state = "stopped";
      slot.onStarted?.(err(`worker ${slot.id} could not start: ${detail}`));
      slot.onStarted = undefined;
      return;
    }
    if (timers.now() - slot.startedAt >= healthyMs) slot.quickDeaths = 0;
    const delay = Math.min(maxMs, firstMs * 2 ** slot.quickDeaths);
    slot.quickDeaths++;
    slot.state = "waiting";
    o.warn(`worker ${slot.id} died (${detail}); restarting it in ${delay} ms`);
    slot.timer = timers.setTimeout(() => {
      slot.timer = undefined;
      if (!draining) spawn(slot);
    }, delay);
  }

  /** Posts a request to a serving worker; its reply, or undefined (died, timed out). */
  function ask(slot: Slot, make: (seq: number) => ToWorker): Promise<Reply | undefined> {
    const handle = slot.handle;
    if (!handle || slot.state !== "serving") return Promise.resolve(undefined);
    const s = ++seq;
    return new Promise((resolve) => {
      const timer = timers.setTimeout(() => {
        slot.waiting.delete(s);
        resolve(undefined);
      }, replyTimeoutMs);
      slot.waiting.set(s, (r) => {
        timers.clearTimeout(timer);
        resolve(r);
      });
      handle.post(make(s));
    });
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
    const live = slots.filter((s) => s.state === "serving");
    const answers = await Promise.all(
      live.map((s) => ask(s, (n) => ({ kind: "prepare", seq: n, source: next }))),
    );
    const refused = (a: Reply | undefined) => a?.kind !== "prepared" || a.error !== undefined;
    if (answers.length === 0 || answers.some(refused)) {
      answers.forEach((a, i) => {
        if (!refused(a)) live[i]!.handle?.post({ kind: "abort", seq: a!.seq });
      });
      const why = answers.find((a) => a?.kind === "prepared" && a.error !== undefined);
      return err(
        why?.kind === "prepared" && why.error !== undefined
          ? why.error
          : "reload refused; keeping the old config: a worker did not answer",
      );
    }
    source = next;
    configSeq++;
    answers.forEach((a, i) => {
      live[i]!.handle?.post({ kind: "commit", seq: a!.seq });
      live[i]!.configSeq = configSeq;
    });
    return ok(undefined);
  }

  async function metrics(): Promise<SummedMetrics> {
    const live = slots.filter((s) => s.state === "serving");
    const answers = await Promise.all(
      live.map((s) => ask(s, (n) => ({ kind: "metrics", seq: n }))),
    );
    let inFlight = 0;
    const snapshots = [retired];
    answers.forEach((a, i) => {
      const slot = live[i]!;
      if (a?.kind === "metrics") {
        slot.last = a.snapshot;
        inFlight += a.inFlight;
      }
      // A worker that did not answer counts with what it last said.
      if (slot.last) snapshots.push(slot.last);
    });
    return { snapshot: sumSnapshots(snapshots), inFlight };
  }

  async function drain(): Promise<void> {
    if (draining) return;
    draining = true;
    const live = slots.filter((s) => s.handle !== undefined);
    for (const s of slots) {
      if (s.timer !== undefined) timers.clearTimeout(s.timer);
      s.timer = undefined;
    }
    const drained = live.map((s) =>
      new Promise<void>((resolve) => {
        s.onDrained = resolve;
        s.handle!.post({ kind: "drain" });
      })
    );
    let timer: unknown;
    const late = new Promise<void>((r) => timer = timers.setTimeout(r, o.drainTimeoutMs ?? 35_000));
    await Promise.race([Promise.all(drained), late]);
    timers.clearTimeout(timer);
    for (const s of slots) {
      s.handle?.terminate();
      s.handle = undefined;
      s.state = "stopped";
    }
  }

  return {
    start,
    reload(next) {
      const r = reloads.then(() => reloadNow(next));
      reloads = r;
      return r;
    },
    metrics,
    drain,
    crash(id) {
      slots[id - 1]?.handle?.post({ kind: "crash" });
    },
    serving: () => slots.filter((s) => s.state === "serving").length,
  };
}
