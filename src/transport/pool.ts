/**
 * The keep-alive connections to one origin: at most `maxSockets` open, idle
 * ones reused most recent first, closed after `idleTimeoutMs` idle or as
 * soon as the server closes them, and requests beyond the bound queued in
 * order until a connection (or the slot of a closed one) is free.
 */
import { Connection } from "./connection.ts";
import type { Exchange } from "./exchange.ts";
import type { Sweeper, Swept } from "./sweeper.ts";

/** Where an origin is. */
export interface Endpoint {
  readonly hostname: string;
  readonly port: number;
  readonly tls: boolean;
}

/** Opens a socket to an endpoint. */
export type Connector = (endpoint: Endpoint) => Promise<Deno.Conn>;

/** Options of an OriginPool. */
export interface PoolOptions {
  readonly connect: Connector;
  readonly sweeper: Sweeper;
  readonly maxSockets: number;
  readonly idleTimeoutMs: number;
  readonly headBufferBytes: number;
}

/** What a pool holds now, and has opened so far. */
export interface PoolStats {
  readonly open: number;
  readonly idle: number;
  readonly waiting: number;
  /** Sockets opened since the pool was made. */
  readonly opened: number;
}

interface Waiter {
  readonly exchange: Exchange;
  /** A connection handed over, or null: a free slot to connect in. */
  given?: Connection | null;
  resolve(c: Connection | null): void;
}

/** The connections to one origin. */
export class OriginPool implements Swept {
  readonly endpoint: Endpoint;
  readonly #o: PoolOptions;
  readonly #idle: Connection[] = [];
  readonly #waiters: Waiter[] = [];
  #open = 0;
  #opened = 0;
  #closed = false;

  constructor(endpoint: Endpoint, options: PoolOptions) {
    this.endpoint = endpoint;
    this.#o = options;
  }

  /** What it holds now. */
  stats(): PoolStats {
    return {
      open: this.#open,
      idle: this.#idle.length,
      waiting: this.#waiters.length,
      opened: this.#opened,
    };
  }

  /** A connection for one request of `ex`: an idle one unless `fresh`, else a new one. */
  async acquire(ex: Exchange, fresh: boolean): Promise<Connection> {
    if (this.#closed) throw new TypeError("Cannot send a request: the transport is closed");
    if (!fresh) {
      const idle = this.#takeIdle();
      if (idle) return idle;
    }
    let given: Connection | null = null;
    if (this.#open < this.#o.maxSockets) this.#open++;
    else {
      const waiter: Waiter = { exchange: ex, resolve: () => {} };
      const p = new Promise<Connection | null>((resolve) => (waiter.resolve = resolve));
      this.#waiters.push(waiter);
      try {
        given = await ex.wait(p);
      } catch (e) {
        // Failed while queued; whatever was handed over meanwhile goes back.
        if (waiter.given) this.release(waiter.given, true);
        else if (waiter.given === null) this.#freeSlot();
        throw e;
      }
    }
    if (given && !given.closed && !fresh) return given;
    given?.close(); // a fresh socket was asked for: this one's slot is used
    return await this.#connect(ex);
  }

  async #connect(ex: Exchange): Promise<Connection> {
    const p = this.#o.connect(this.endpoint);
    try {
      const conn = new Connection(await ex.wait(p), {
        headBufferBytes: this.#o.headBufferBytes,
      });
      this.#opened++;
      return conn;
    } catch (e) {
      p.then((c) => c.close(), () => {}); // a connect that completes after the exchange failed
      this.#freeSlot();
      throw e;
    }
  }

  /** Gives a connection back: kept for reuse when `reusable`, else closed. */
  release(c: Connection, reusable: boolean): void {
    if (!reusable || c.closed || this.#closed) {
      c.close();
      this.#freeSlot();
      return;
    }
    const w = this.#nextWaiter();
    if (w) {
      w.given = c;
      w.resolve(c);
      return;
    }
    c.idleTick = this.#o.sweeper.tick;
    this.#idle.push(c);
    c.watchIdle(() => this.#drop(c));
    if (this.#idle.length === 1) this.#o.sweeper.add(this);
  }

  /** Closes the idle connections; busy ones close when released. */
  close(): void {
    this.#closed = true;
    for (const c of this.#idle.splice(0)) {
      c.close();
      this.#open--;
    }
    this.#o.sweeper.delete(this);
  }

  sweep(): void {
    while (this.#idle.length > 0) {
      const oldest = this.#idle[0]!;
      if (this.#o.sweeper.elapsedMs(oldest.idleTick) < this.#o.idleTimeoutMs) return;
      this.#drop(oldest);
    }
  }

  #takeIdle(): Connection | undefined {
    const c = this.#idle.pop();
    if (this.#idle.length === 0) this.#o.sweeper.delete(this);
    return c;
  }

  /** An idle connection the server closed, or that idled too long. */
  #drop(c: Connection): void {
    const i = this.#idle.indexOf(c);
    if (i < 0) return;
    this.#idle.splice(i, 1);
    if (this.#idle.length === 0) this.#o.sweeper.delete(this);
    c.close();
    this.#freeSlot();
  }

  /** A connection closed: its slot goes to the next waiter, if any. */
  #freeSlot(): void {
    const w = this.#nextWaiter();
    if (w) {
      w.given = null;
      w.resolve(null);
    } else this.#open--;
  }

  #nextWaiter(): Waiter | undefined {
    for (let w = this.#waiters.shift(); w; w = this.#waiters.shift()) {
      if (!w.exchange.failed) return w;
    }
    return undefined;
  }
}
