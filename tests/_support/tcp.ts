/**
 * A raw TCP server on a fresh port of 127.0.0.1 for fake stores and relays:
 * each accepted connection goes to `serve`; `close()` stops accepting and
 * closes every connection it accepted (and those `track` was given).
 */

/** A running raw TCP server. */
export interface TcpServer {
  readonly port: number;
  /** Every connection accepted or tracked so far (`close()` closes them). */
  readonly conns: ReadonlySet<Deno.Conn>;
  /** Adds another connection (e.g. a relay's upstream side) for `close()` to close. */
  track(conn: Deno.Conn): void;
  close(): Promise<void>;
}

/** Closes a connection that may be closed already. */
export function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch { /* closed already */ }
}

/** Starts accepting; `serve` runs for each connection, which stays tracked until it ends. */
export function tcpServer(serve: (conn: Deno.Conn) => Promise<void> | void): TcpServer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const accepting = (async () => {
    for await (const conn of listener) {
      conns.add(conn);
      void Promise.resolve(serve(conn)).catch(() => {});
    }
  })().catch(() => {});
  return {
    port: listener.addr.port,
    conns,
    track: (conn) => void conns.add(conn),
    async close() {
      listener.close();
      for (const c of conns) closeQuietly(c);
      await accepting;
    },
  };
}

/** A request head read off a raw connection. */
export interface ReadHead {
  /** The head's text, without its blank line. */
  readonly head: string;
  /** How many characters of body came with it. */
  readonly extra: number;
}

/** Reads a request head (up to its blank line); null if the connection ended first. */
export async function readHead(conn: Deno.Conn): Promise<ReadHead | null> {
  const buf = new Uint8Array(65536);
  let text = "";
  while (!text.includes("\r\n\r\n")) {
    const n = await conn.read(buf);
    if (n === null) return null;
    text += new TextDecoder().decode(buf.subarray(0, n));
  }
  const end = text.indexOf("\r\n\r\n");
  return { head: text.slice(0, end), extra: text.length - end - 4 };
}
