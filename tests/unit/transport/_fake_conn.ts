/**
 * A socket without a network for the transport's unit tests: what the code
 * writes is recorded (and shown to `onWrite`, the fake server), what it reads
 * is what the test pushes, and an end or a reset is pushed the same way.
 */
import { Connection } from "../../../src/transport/connection.ts";
import { Exchange } from "../../../src/transport/exchange.ts";
import { Sweeper } from "../../../src/transport/sweeper.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

type Incoming = Uint8Array | null | Error;

/** A scripted Deno.Conn. */
export class FakeConn {
  /** Every write, as the code made it. */
  readonly writes: Uint8Array[] = [];
  /** Times close() was called. */
  closes = 0;
  /** setNoDelay(true) calls. */
  noDelay = 0;
  /** Most bytes one write takes (a partial write beyond it). */
  writeLimit = Infinity;
  /** The fake server: told of each write. */
  onWrite: ((bytes: Uint8Array, conn: FakeConn) => void) | undefined;
  /** An error each write rejects with, when set. */
  writeError: Error | undefined;
  readonly #queue: Incoming[] = [];
  #wake: (() => void)[] = [];

  get closed(): boolean {
    return this.closes > 0;
  }

  /** Bytes for the code to read. */
  push(bytes: string | Uint8Array): void {
    this.#queue.push(typeof bytes === "string" ? encoder.encode(bytes) : bytes);
    this.#notify();
  }

  /** The server closes: reads give null from now on. */
  end(): void {
    this.#queue.push(null);
    this.#notify();
  }

  /** The next read rejects with `e` (a reset). */
  fail(e: Error): void {
    this.#queue.push(e);
    this.#notify();
  }

  /** Everything written, as text. */
  text(): string {
    return this.writes.map((w) => decoder.decode(w)).join("");
  }

  async read(into: Uint8Array): Promise<number | null> {
    for (;;) {
      if (this.closed) throw new Deno.errors.BadResource("Bad resource ID");
      const next = this.#queue[0];
      if (next === null) return null;
      if (next instanceof Error) {
        this.#queue.shift();
        throw next;
      }
      if (next !== undefined) {
        const n = Math.min(next.length, into.length);
        into.set(next.subarray(0, n));
        if (n === next.length) this.#queue.shift();
        else this.#queue[0] = next.subarray(n);
        return n;
      }
      await new Promise<void>((r) => this.#wake.push(r));
    }
  }

  write(bytes: Uint8Array): Promise<number> {
    if (this.closed) return Promise.reject(new Deno.errors.BadResource("Bad resource ID"));
    if (this.writeError) return Promise.reject(this.writeError);
    const n = Math.min(bytes.length, this.writeLimit);
    const copy = bytes.slice(0, n);
    this.writes.push(copy);
    this.onWrite?.(copy, this);
    return Promise.resolve(n);
  }

  setNoDelay(on: boolean): void {
    if (on) this.noDelay++;
  }

  close(): void {
    this.closes++;
    this.#notify();
  }

  /** As the Deno.Conn the transport takes. */
  asConn(): Deno.Conn {
    return this as unknown as Deno.Conn;
  }

  #notify(): void {
    for (const wake of this.#wake.splice(0)) wake();
  }
}

/** A Connection over a new FakeConn. */
export function fakeConnection(headBufferBytes = 1024): { fake: FakeConn; conn: Connection } {
  const fake = new FakeConn();
  return { fake, conn: new Connection(fake.asConn(), { headBufferBytes }) };
}

/** Runs `fn` with a sweeper (closed after) and an exchange of `timeoutMs` on it. */
export async function withExchange(
  o: { timeoutMs?: number; tickMs?: number; signal?: AbortSignal },
  fn: (ex: Exchange, sweeper: Sweeper) => Promise<void>,
): Promise<void> {
  const sweeper = new Sweeper(o.tickMs ?? 5);
  const ex = new Exchange({
    sweeper,
    timeoutMs: o.timeoutMs ?? 10_000,
    ...(o.signal ? { signal: o.signal } : {}),
  });
  try {
    await fn(ex, sweeper);
  } finally {
    ex.end();
    sweeper.close();
  }
}

/** All of a stream, as text. */
export async function readText(body: ReadableStream<Uint8Array> | null): Promise<string> {
  return body === null ? "" : await new Response(body).text();
}

/**
 * Runs `fn` with the event loop held open: the transport's clock never keeps
 * a process alive, so a wait only it can end would otherwise end the test.
 */
export async function keepingAlive<T>(fn: () => Promise<T>): Promise<T> {
  const timer = setTimeout(() => {}, 60_000);
  try {
    return await fn();
  } finally {
    clearTimeout(timer);
  }
}

/** Waits for pending promise callbacks and `ms` of timers. */
export const settle = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A fake server on `conn`: what is written collects until `answer` returns
 * the bytes to push back (then it collects anew); undefined waits for more.
 * The answer comes a macrotask later, as over a network: after the write
 * that asked for it has completed.
 */
export function serve(conn: FakeConn, answer: (request: string) => string | undefined): void {
  let got = "";
  conn.onWrite = (bytes) => {
    got += new TextDecoder().decode(bytes);
    const reply = answer(got);
    if (reply !== undefined) {
      got = "";
      setTimeout(() => conn.push(reply), 0);
    }
  };
}

/** Whether `request` holds a whole head (and `bodyBytes` after it). */
export function complete(request: string, bodyBytes = 0): boolean {
  const end = request.indexOf("\r\n\r\n");
  return end >= 0 && request.length - end - 4 >= bodyBytes;
}
