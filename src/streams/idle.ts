/**
 * Idle timeouts for client transfers (`client_idle_timeout_secs`): an upload
 * whose client stops sending, or a download whose client stops reading, is
 * cut once no byte has moved for the timeout.
 *
 * Nothing is added to a body's path. The places that already handle each
 * chunk in JavaScript (the fs backend's write loop and file reader, the s3
 * backend's upload) add its size to their transfer's `moved` counter, and one
 * shared timer per watchdog (running only while transfers are watched)
 * compares each counter with the value it saw at its last pass. A transfer
 * whose counter stood still for the timeout is cut through its `onIdle`.
 * A chunk costs one addition; the timer costs one pass over the transfers in
 * flight per period.
 *
 * Backends see a request only through its `AbortSignal`, so the app binds its
 * watchdog to each request's signal (`bindIdleWatchdog`) and a backend finds
 * it with `watchTransfer(signal, onIdle)`; outside the app (a backend used on
 * its own) nothing is watched.
 */
import type { Clock } from "../clock.ts";
import { type ProxyError, proxyError, ProxyStreamError } from "../errors.ts";

/** S3's words for a client that went quiet (RequestTimeout, 400). */
export const REQUEST_TIMEOUT_MESSAGE =
  "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.";

/** The error of a transfer cut for being idle. */
export function requestTimeout(): ProxyError {
  return proxyError("RequestTimeout", REQUEST_TIMEOUT_MESSAGE);
}

/** One watched transfer. */
export interface Transfer {
  /**
   * Bytes moved so far. The code that moves a chunk adds its length; the
   * watchdog only compares values, so any growing count works.
   */
  moved: number;
  /** Whether the watchdog cut this transfer (its `onIdle` ran). */
  readonly cut: boolean;
  /** Stops watching; call on every way out (done, failed, cancelled). Idempotent. */
  end(): void;
}

/** Starts a periodic call; returns the function that stops it. */
export type Schedule = (tick: () => void, periodMs: number) => () => void;

/** Options of `createIdleWatchdog`. */
export interface IdleWatchdogOptions {
  /** How long a transfer may move no byte before it is cut. */
  readonly timeoutMs: number;
  /** @default systemClock (read once per pass, never per chunk) */
  readonly clock?: Clock;
  /**
   * How often transfers are checked; a transfer is cut between `timeoutMs`
   * and `timeoutMs + periodMs` after its last byte.
   * @default a quarter of the timeout, between 50 ms and 1 s
   */
  readonly periodMs?: number;
  /** Runs the periodic check. @default setInterval / clearInterval */
  readonly schedule?: Schedule;
  /** Told about each error an `onIdle` throws (the pass goes on). */
  readonly onError?: (e: unknown) => void;
}

/** Watches transfers and cuts those that stay idle. */
export interface IdleWatchdog {
  readonly timeoutMs: number;
  /** Starts watching a transfer; `onIdle` runs at most once, when it is cut. */
  watch(onIdle: () => void): Transfer;
  /** One pass over the transfers (the timer calls it; tests may too). */
  sweep(): void;
  /** Transfers being watched. */
  readonly size: number;
}

const intervalSchedule: Schedule = (tick, periodMs) => {
  const id = setInterval(tick, periodMs);
  return () => clearInterval(id);
};

class WatchedTransfer implements Transfer {
  moved = 0;
  cut = false;
  /** `moved` at the last pass. */
  seen = 0;
  /** Clock time at which `moved` was last seen to change (or the watch began). */
  since: number;
  readonly #onIdle: () => void;
  readonly #remove: (t: WatchedTransfer) => void;

  constructor(now: number, onIdle: () => void, remove: (t: WatchedTransfer) => void) {
    this.since = now;
    this.#onIdle = onIdle;
    this.#remove = remove;
  }

  end(): void {
    this.#remove(this);
  }

  /** Cuts the transfer: stops watching it and runs its `onIdle`. */
  fire(): void {
    this.cut = true;
    this.#remove(this);
    this.#onIdle();
  }
}

/** Creates a watchdog over a timeout. */
export function createIdleWatchdog(options: IdleWatchdogOptions): IdleWatchdog {
  const { timeoutMs } = options;
  if (!(timeoutMs > 0)) {
    throw new RangeError(`Cannot create an idle watchdog: timeoutMs is ${timeoutMs}`);
  }
  const clock = options.clock ?? { now: () => Date.now() };
  const periodMs = options.periodMs ?? Math.min(1000, Math.max(50, Math.floor(timeoutMs / 4)));
  const schedule = options.schedule ?? intervalSchedule;
  const transfers = new Set<WatchedTransfer>();
  let stop: (() => void) | undefined;

  // The timer runs only while something is watched, so an idle process (or a
  // test) has no timer pending.
  const remove = (t: WatchedTransfer) => {
    if (transfers.delete(t) && transfers.size === 0 && stop) {
      stop();
      stop = undefined;
    }
  };

  function sweep(): void {
    const now = clock.now();
    for (const t of transfers) {
      if (t.moved !== t.seen) {
        t.seen = t.moved;
        t.since = now;
      } else if (now - t.since >= timeoutMs) {
        try {
          t.fire();
        } catch (e) {
          options.onError?.(e);
        }
      }
    }
  }

  return {
    timeoutMs,
    watch(onIdle) {
      const t = new WatchedTransfer(clock.now(), onIdle, remove);
      transfers.add(t);
      stop ??= schedule(sweep, periodMs);
      return t;
    },
    sweep,
    get size() {
      return transfers.size;
    },
  };
}

/** A transfer nobody watches (no watchdog bound to the request). */
class UnwatchedTransfer implements Transfer {
  moved = 0;
  readonly cut = false;
  end(): void {}
}

/**
 * Where a request's signal keeps its watchdog: a property under a symbol of
 * this module's (a WeakMap entry per request cost about 0.3 µs and an
 * ephemeron for the GC to trace; issue 30).
 */
const BOUND: unique symbol = Symbol("bucketgate.idleWatchdog");

/** A signal a watchdog may be bound to. */
type Bindable = AbortSignal & { [BOUND]?: IdleWatchdog };

/** The watchdog bound to a request's signal, if any. */
function boundTo(signal: AbortSignal | undefined): IdleWatchdog | undefined {
  return signal && (signal as Bindable)[BOUND];
}

/** Makes `watchdog` the one that watches the transfers of the request whose signal this is. */
export function bindIdleWatchdog(signal: AbortSignal, watchdog: IdleWatchdog): void {
  (signal as Bindable)[BOUND] = watchdog;
}

/**
 * Watches a transfer of the request with this signal, when the app bound a
 * watchdog to it; otherwise returns a transfer that is never cut.
 */
export function watchTransfer(signal: AbortSignal | undefined, onIdle: () => void): Transfer {
  const watchdog = boundTo(signal);
  return watchdog ? watchdog.watch(onIdle) : new UnwatchedTransfer();
}

/**
 * `stream` itself when no watchdog watches the request. Otherwise a stream
 * over it that counts what it passes and, once the request is cut for being
 * idle, fails with RequestTimeout (a ProxyStreamError) and cancels `stream`.
 * For bodies that a loop this module cannot reach already reads in
 * JavaScript (the s3 backend's upload): it adds one stage there, nowhere else.
 */
export function watchedStream(
  stream: ReadableStream<Uint8Array>,
  signal: AbortSignal | undefined,
): ReadableStream<Uint8Array> {
  const watchdog = boundTo(signal);
  if (!watchdog) return stream;
  const reader = stream.getReader();
  let transfer: Transfer = new UnwatchedTransfer();
  return new ReadableStream<Uint8Array>({
    start(c) {
      transfer = watchdog.watch(() => {
        c.error(new ProxyStreamError(requestTimeout()));
        void reader.cancel().catch(() => {});
      });
    },
    async pull(c) {
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await reader.read();
      } catch (e) {
        transfer.end();
        throw e;
      }
      if (transfer.cut) return;
      if (r.done) {
        transfer.end();
        c.close();
        return;
      }
      transfer.moved += r.value.byteLength;
      c.enqueue(r.value);
    },
    cancel(reason) {
      transfer.end();
      return reader.cancel(reason);
    },
  });
}
