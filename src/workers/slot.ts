/**
 * One place of the supervisor's worker set: the worker in it now, what waits
 * on that worker's replies, and its restart back-off. The supervisor
 * (supervisor.ts) drives the slots; these helpers are its parts that touch
 * one slot at a time.
 */
import type { MetricsSnapshot } from "../admin/metrics.ts";
import type { Result } from "../result.ts";
import type { BindAddress, FromWorker, ToWorker } from "./protocol.ts";

/** One running worker as the supervisor drives it. */
export interface WorkerHandle {
  post(message: ToWorker): void;
  /** Ends the worker at once (what it has not finished is lost). */
  terminate(): void;
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

/** A worker's answer to a request that carried a `seq`. */
export type Reply = Extract<FromWorker, { seq: number }>;

/** One worker place and the incarnation in it. */
export interface Slot {
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

/** The timers of the process. */
export const realTimers: Timers = {
  setTimeout: (f, ms) => setTimeout(f, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

/** An empty, stopped slot for worker `id`. */
export function newSlot(id: number): Slot {
  return {
    id,
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
  };
}

/**
 * Forgets a dead incarnation: ends it, ignores its later events and answers
 * what waits on it with undefined. The metrics it last reported, to keep.
 */
export function bury(slot: Slot): MetricsSnapshot | undefined {
  slot.handle?.terminate();
  slot.handle = undefined;
  slot.generation++;
  for (const waiter of slot.waiting.values()) waiter(undefined);
  slot.waiting.clear();
  const last = slot.last;
  slot.last = undefined;
  return last;
}

/** How long to wait before restarting `slot`, which died at `now`; counts the death. */
export function restartDelay(slot: Slot, now: number, backoff: Backoff | undefined): number {
  const firstMs = backoff?.firstMs ?? 100;
  const maxMs = backoff?.maxMs ?? 30_000;
  const healthyMs = backoff?.healthyMs ?? 30_000;
  if (now - slot.startedAt >= healthyMs) slot.quickDeaths = 0;
  const delay = Math.min(maxMs, firstMs * 2 ** slot.quickDeaths);
  slot.quickDeaths++;
  return delay;
}

/** What `ask` needs besides the slot. */
export interface AskOptions {
  readonly timers: Timers;
  readonly timeoutMs: number;
  /** The next request number (called only when the request is sent). */
  readonly nextSeq: () => number;
}

/** Posts a request to a serving worker; its reply, or undefined (died, timed out). */
export function ask(
  slot: Slot,
  make: (seq: number) => ToWorker,
  o: AskOptions,
): Promise<Reply | undefined> {
  const handle = slot.handle;
  if (!handle || slot.state !== "serving") return Promise.resolve(undefined);
  const s = o.nextSeq();
  return new Promise((resolve) => {
    const timer = o.timers.setTimeout(() => {
      slot.waiting.delete(s);
      resolve(undefined);
    }, o.timeoutMs);
    slot.waiting.set(s, (r) => {
      o.timers.clearTimeout(timer);
      resolve(r);
    });
    handle.post(make(s));
  });
}
