/**
 * The life of one request on a transport: its deadline, its abort signal and
 * what to undo when either fires. Every wait on the server (a free pooled
 * socket, a connect, a write the server is slow to take, a read of its
 * answer) goes through `wait`, which counts towards `timeoutMs` and rejects
 * at once when the exchange fails; waits on the caller (its body stream, its
 * pace reading the response) do not count.
 */
import type { Sweeper, Swept } from "./sweeper.ts";

/** A request's deadline and abort, shared by its attempts. */
export class Exchange implements Swept {
  readonly #sweeper: Sweeper;
  readonly #timeoutMs: number;
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = () => this.fail(this.#signal?.reason);
  #failure: { reason: unknown } | undefined;
  #waitTick = -1;
  #rejectWait: ((e: unknown) => void) | undefined;
  #hooks: ((reason: unknown) => void)[] = [];
  #ended = false;
  /** Response bytes read in the current attempt. */
  received = 0;
  /** Request bytes written in the current attempt. */
  sent = 0;

  constructor(o: { sweeper: Sweeper; timeoutMs: number; signal?: AbortSignal | undefined }) {
    this.#sweeper = o.sweeper;
    this.#timeoutMs = o.timeoutMs;
    this.#signal = o.signal;
    if (o.signal?.aborted) this.#failure = { reason: o.signal.reason };
    else o.signal?.addEventListener("abort", this.#onAbort, { once: true });
    o.sweeper.add(this);
  }

  /** Whether it timed out or was aborted. */
  get failed(): boolean {
    return this.#failure !== undefined;
  }

  /** Throws the reason it failed with, if it did. */
  check(): void {
    if (this.#failure) throw this.#failure.reason;
  }

  /** Waits for the server: counts towards the timeout, rejects when the exchange fails. */
  wait<T>(p: Promise<T>): Promise<T> {
    if (this.#failure) {
      p.catch(() => {});
      return Promise.reject(this.#failure.reason);
    }
    this.#waitTick = this.#sweeper.tick;
    return new Promise<T>((resolve, reject) => {
      this.#rejectWait = reject;
      p.then(
        (v) => {
          this.#waitTick = -1;
          this.#rejectWait = undefined;
          resolve(v);
        },
        (e) => {
          this.#waitTick = -1;
          this.#rejectWait = undefined;
          reject(this.#failure ? this.#failure.reason : e);
        },
      );
    });
  }

  /** Runs `hook` when the exchange fails (close the socket, error the body); returns its remover. */
  onFail(hook: (reason: unknown) => void): () => void {
    this.#hooks.push(hook);
    return () => {
      const i = this.#hooks.indexOf(hook);
      if (i >= 0) this.#hooks.splice(i, 1);
    };
  }

  /** Fails the exchange with `reason` (the first reason wins). */
  fail(reason: unknown): void {
    if (this.#failure || this.#ended) return;
    this.#failure = { reason };
    this.#rejectWait?.(reason);
    for (const hook of this.#hooks.splice(0)) hook(reason);
    this.end();
  }

  /** The exchange is over (response body read, or failed): stops its deadline. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#hooks = [];
    this.#sweeper.delete(this);
    this.#signal?.removeEventListener("abort", this.#onAbort);
  }

  sweep(): void {
    if (this.#waitTick >= 0 && this.#sweeper.elapsedMs(this.#waitTick) >= this.#timeoutMs) {
      this.fail(
        new DOMException(
          `backend request timed out after ${this.#timeoutMs} ms`,
          "TimeoutError",
        ),
      );
    }
  }
}
