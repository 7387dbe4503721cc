/**
 * One socket to a server, with the buffer its response heads are read into.
 * While it sits idle in a pool a read is kept pending on it: a server that
 * closes an idle connection (or sends anything unasked) is seen at once,
 * and the connection is dropped before a request could be sent on it. The
 * next request takes that pending read over as the first read of its
 * response.
 */

/** Options of a Connection. */
export interface ConnectionOptions {
  /** Size of the head buffer (heads larger grow beyond it). @default 16384 */
  readonly headBufferBytes?: number;
}

/** A socket to one origin. */
export class Connection {
  readonly #conn: Deno.Conn;
  #pending: Promise<number | null> | undefined;
  #closed = false;
  /** The buffer response heads are read into (reused: never hand out views of it). */
  readonly headBuffer: Uint8Array;
  /** Requests started on this connection. */
  requests = 0;
  /** The sweeper's tick when it last went idle. */
  idleTick = 0;

  constructor(conn: Deno.Conn, options: ConnectionOptions = {}) {
    this.#conn = conn;
    this.headBuffer = new Uint8Array(options.headBufferBytes ?? 16384);
    const tcp = conn as Partial<Deno.TcpConn>;
    try {
      tcp.setNoDelay?.(true);
    } catch { /* not a TCP socket */ }
  }

  /** Whether it was closed (by us; a server's close shows as a read of null). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Reads into `into`; null at the end of the stream. */
  read(into: Uint8Array): Promise<number | null> {
    return this.#conn.read(into);
  }

  /** Writes all of `bytes`. */
  async write(bytes: Uint8Array): Promise<void> {
    for (let at = 0; at < bytes.length;) at += await this.#conn.write(bytes.subarray(at));
  }

  /**
   * Starts the idle read (into `headBuffer`); `onEnd` is called if it
   * settles before a request takes it over: the server closed, reset, or
   * sent bytes nobody asked for.
   */
  watchIdle(onEnd: () => void): void {
    const p = this.#conn.read(this.headBuffer);
    this.#pending = p;
    const settled = () => {
      if (this.#pending === p) {
        this.#pending = undefined;
        onEnd();
      }
    };
    p.then(settled, settled);
  }

  /** Takes over the idle read, if one is pending: its result is the response's first bytes. */
  takeIdleRead(): Promise<number | null> | undefined {
    const p = this.#pending;
    this.#pending = undefined;
    return p;
  }

  /** Closes the socket (pending reads and writes reject). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#pending?.catch(() => {});
    this.#pending = undefined;
    try {
      this.#conn.close();
    } catch { /* already closed */ }
  }
}
