/**
 * One coarse clock per transport for every deadline it keeps (a timer per
 * request costs more than the request's parse): a tick counter advanced
 * every `tickMs`, and on each tick a look at everything registered. It runs
 * only while something is registered, and never keeps the process alive.
 */

/** Something with deadlines: told the tick count on each tick. */
export interface Swept {
  sweep(tick: number): void;
}

/** The clock; `elapsedMs(since)` says how long ago a tick was, rounded down to whole ticks. */
export class Sweeper {
  #tick = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #items = new Set<Swept>();
  readonly tickMs: number;

  constructor(tickMs: number) {
    if (!(tickMs > 0)) throw new RangeError(`Cannot sweep every ${tickMs} ms`);
    this.tickMs = tickMs;
  }

  /** The current tick. */
  get tick(): number {
    return this.#tick;
  }

  /** The time surely passed since tick `since` (0 for the same tick). */
  elapsedMs(since: number): number {
    return Math.max(this.#tick - since - 1, 0) * this.tickMs;
  }

  /** Swept on every tick until deleted. */
  add(item: Swept): void {
    this.#items.add(item);
    if (this.#timer === undefined) {
      const timer = setInterval(() => this.#run(), this.tickMs);
      Deno.unrefTimer(timer);
      this.#timer = timer;
    }
  }

  delete(item: Swept): void {
    this.#items.delete(item);
    if (this.#items.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  /** Stops the clock (everything registered is forgotten). */
  close(): void {
    this.#items.clear();
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #run(): void {
    this.#tick++;
    for (const item of this.#items) item.sweep(this.#tick);
  }
}
