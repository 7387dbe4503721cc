/**
 * A small Redis client over Deno.connect: one connection, commands pipelined
 * (written at once, replies matched in order), AUTH and SELECT on connect. A
 * command that gets no reply within `timeoutMs`, or a lost connection,
 * rejects every command in flight and drops the connection; the next command
 * connects again, at most once per `retryMs` (until then it rejects at once,
 * so a caller falls back quickly).
 */
import { concatBytes } from "../../bytes.ts";
import type { LimitsStoreConfig } from "../../config/types.ts";
import { encodeCommand, parseReply, type Reply } from "./resp.ts";

/** Options of the client. */
export interface RedisClientOptions {
  readonly timeoutMs?: number;
  readonly retryMs?: number;
  /** The time (injected for tests); default Date.now. */
  readonly now?: () => number;
}

interface Pending {
  resolve(r: Reply): void;
  reject(e: Error): void;
}

type Conn = Deno.TcpConn;

/** A pipelined connection to one Redis; see the module doc. */
export class RedisClient {
  readonly #cfg: LimitsStoreConfig;
  readonly #timeoutMs: number;
  readonly #retryMs: number;
  readonly #now: () => number;
  #conn: Promise<Conn> | undefined;
  /** The connection open now: a late failure of an earlier one leaves this one alone. */
  #current: Conn | undefined;
  /** The writes of the current connection, one after another. */
  #writing: Promise<void> = Promise.resolve();
  #pending: Pending[] = [];
  #failedAt = -Infinity;
  #closed = false;

  constructor(cfg: LimitsStoreConfig, options: RedisClientOptions = {}) {
    this.#cfg = cfg;
    this.#timeoutMs = options.timeoutMs ?? 1000;
    this.#retryMs = options.retryMs ?? 1000;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Sends commands in one write (after the writes before it, whole); resolves
   * with their replies in order.
   */
  async pipeline(cmds: readonly (readonly (string | number)[])[]): Promise<Reply[]> {
    const conn = await this.#connection();
    // Observed at once: a failure while the write waits is this call's error, never unhandled.
    const replies = Promise.all(
      cmds.map(() =>
        new Promise<Reply>((resolve, reject) => this.#pending.push({ resolve, reject }))
      ),
    );
    const all = concatBytes(cmds.map(encodeCommand));
    this.#writing = this.#writing.then(() => writeAll(conn, all)).catch((e) =>
      this.#fail(conn, e instanceof Error ? e : new Error(String(e)))
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const e = new Error(`redis: no reply within ${this.#timeoutMs} ms`);
        this.#fail(conn, e);
        reject(e);
      }, this.#timeoutMs);
    });
    try {
      return await Promise.race([replies, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** One command's reply. */
  async command(...args: (string | number)[]): Promise<Reply> {
    return (await this.pipeline([args]))[0]!;
  }

  /** Closes the connection for good. */
  close(): Promise<void> {
    this.#closed = true;
    const c = this.#conn;
    this.#conn = undefined;
    return c
      ? c.then((conn) => this.#fail(conn, new Error("redis: closed")), () => {})
      : Promise.resolve();
  }

  #connection(): Promise<Conn> {
    if (this.#closed) return Promise.reject(new Error("redis: closed"));
    if (this.#conn) return this.#conn;
    if (this.#now() - this.#failedAt < this.#retryMs) {
      return Promise.reject(new Error("redis: unreachable, not retried yet"));
    }
    const c = this.#open();
    this.#conn = c;
    c.catch(() => {
      if (this.#conn === c) this.#conn = undefined;
      this.#failedAt = this.#now();
    });
    return c;
  }

  async #open(): Promise<Conn> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const connecting = Deno.connect({ hostname: this.#cfg.host, port: this.#cfg.port });
    const conn = await Promise.race([
      connecting,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          connecting.then((c) => c.close(), () => {});
          reject(new Error(`redis: no connection within ${this.#timeoutMs} ms`));
        }, this.#timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
    conn.setNoDelay(true);
    this.#current = conn;
    this.#writing = Promise.resolve();
    void this.#readLoop(conn);
    const hello: (string | number)[][] = [];
    if (this.#cfg.password !== undefined) {
      hello.push(["AUTH", ...(this.#cfg.username ? [this.#cfg.username] : []), this.#cfg.password]);
    }
    if (this.#cfg.db !== 0) hello.push(["SELECT", this.#cfg.db]);
    if (hello.length > 0) {
      const replies = Promise.all(
        hello.map(() =>
          new Promise<Reply>((resolve, reject) => this.#pending.push({ resolve, reject }))
        ),
      );
      const [, answers] = await Promise.all([
        writeAll(conn, concatBytes(hello.map(encodeCommand))),
        replies,
      ]);
      const failed = answers.find((r) => r instanceof Error);
      if (failed) {
        this.#fail(conn, failed as Error);
        throw new Error(`redis: ${failed === undefined ? "" : (failed as Error).message}`);
      }
    }
    return conn;
  }

  async #readLoop(conn: Conn): Promise<void> {
    let buf = new Uint8Array(0);
    const chunk = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const n = await conn.read(chunk);
        if (n === null) throw new Error("redis: connection closed by the server");
        const joined = concatBytes([buf, chunk.subarray(0, n)]);
        let at = 0;
        for (let r = parseReply(joined, at); r; r = parseReply(joined, at)) {
          at = r.next;
          this.#pending.shift()?.resolve(r.value);
        }
        buf = joined.slice(at);
      }
    } catch (e) {
      this.#fail(conn, e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** Drops a connection: every command in flight on it fails, the next one reconnects. */
  #fail(conn: Conn, e: Error): void {
    if (conn !== this.#current) {
      closeQuietly(conn);
      return;
    }
    this.#current = undefined;
    const pending = this.#pending;
    this.#pending = [];
    this.#conn = undefined;
    this.#failedAt = this.#now();
    closeQuietly(conn);
    for (const p of pending) p.reject(e);
  }
}

/** Writes all of `bytes` (a write may take only part of them). */
async function writeAll(conn: Conn, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.byteLength;) at += await conn.write(bytes.subarray(at));
}

function closeQuietly(conn: Conn): void {
  try {
    conn.close();
  } catch { /* closed already */ }
}
