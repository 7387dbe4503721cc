/**
 * Reads a response head off a connection: bytes until the blank line, in the
 * connection's head buffer (grown up to the limit, never past it), then
 * parsed. Interim (1xx) heads are passed to `onInterim` and skipped.
 */
import type { Connection } from "./connection.ts";
import type { Exchange } from "./exchange.ts";
import { findHeadEnd, parseResponseHead, type ResponseHead } from "./response_head.ts";
import { TransportError } from "./transport_error.ts";

/** A final head and the bytes read after it (a copy: the start of the body). */
export interface HeadRead {
  readonly head: ResponseHead;
  readonly rest: Uint8Array;
}

/** Options of `readFinalHead`. */
export interface HeadReadOptions {
  /** Largest head, in bytes. */
  readonly limit: number;
  /** Told of each interim response (100 Continue, 103 Early Hints). */
  readonly onInterim?: (status: number) => void;
}

const EMPTY = new Uint8Array(0);

/** Whether an I/O error says the peer went away (closed or reset). */
export function isPeerGone(e: unknown): boolean {
  return e instanceof Deno.errors.ConnectionReset || e instanceof Deno.errors.BrokenPipe ||
    e instanceof Deno.errors.UnexpectedEof || e instanceof Deno.errors.ConnectionAborted;
}

function closedEarly(cause?: unknown): TransportError {
  return new TransportError(
    "ConnectionClosed",
    "Cannot read the response: the connection closed before any byte of it",
    cause === undefined ? undefined : { cause },
  );
}

async function readOne(
  conn: Connection,
  ex: Exchange,
  limit: number,
  carry: Uint8Array,
): Promise<HeadRead> {
  let buf = conn.headBuffer;
  if (buf.length > limit) buf = buf.subarray(0, limit);
  let filled = 0;
  if (carry.length > 0) {
    if (carry.length > buf.length) buf = new Uint8Array(Math.min(carry.length * 2, limit));
    const n = Math.min(carry.length, buf.length);
    buf.set(carry.subarray(0, n));
    filled = n;
    carry = carry.subarray(n);
  } else {
    const idle = conn.takeIdleRead();
    if (idle) filled = await readCounted(idle, ex, 0) ?? 0;
  }
  let scanned = 0;
  let high = false;
  for (;;) {
    const found = findHeadEnd(buf, scanned, filled);
    high ||= found.highBytes;
    if (found.end >= 0) {
      const head = parseResponseHead(buf.subarray(0, found.end), high);
      const after = buf.subarray(found.end, filled);
      const rest = carry.length === 0 ? after.slice() : concat(after, carry);
      return { head, rest };
    }
    scanned = filled;
    if (filled === buf.length) {
      if (buf.length >= limit) {
        throw new TransportError(
          "HeadTooLarge",
          `Cannot read the response head: larger than ${limit} bytes`,
        );
      }
      const grown = new Uint8Array(Math.min(buf.length * 2, limit));
      grown.set(buf.subarray(0, filled));
      buf = grown;
    }
    if (carry.length > 0) {
      const n = Math.min(carry.length, buf.length - filled);
      buf.set(carry.subarray(0, n), filled);
      filled += n;
      carry = carry.subarray(n);
      continue;
    }
    const n = await readCounted(conn.read(buf.subarray(filled)), ex, filled);
    if (n === null) {
      if (ex.received === 0) throw closedEarly();
      throw new TransportError(
        "Truncated",
        "Cannot read the response head: the connection closed within it",
      );
    }
    filled += n;
  }
}

/** A read, counted in `ex.received`; a peer gone before any byte is ConnectionClosed. */
async function readCounted(
  p: Promise<number | null>,
  ex: Exchange,
  filled: number,
): Promise<number | null> {
  let n: number | null;
  try {
    n = await ex.wait(p);
  } catch (e) {
    if (!ex.failed && ex.received === 0 && filled === 0 && isPeerGone(e)) throw closedEarly(e);
    throw e;
  }
  if (n === null && ex.received === 0) throw closedEarly();
  if (n !== null) ex.received += n;
  return n;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Reads heads until a final (≥ 200) one; 101 is refused (no upgrade is ever asked for). */
export async function readFinalHead(
  conn: Connection,
  ex: Exchange,
  options: HeadReadOptions,
): Promise<HeadRead> {
  let carry: Uint8Array = EMPTY;
  for (;;) {
    const read = await readOne(conn, ex, options.limit, carry);
    if (read.head.status >= 200) return read;
    if (read.head.status === 101) {
      throw new TransportError(
        "MalformedResponse",
        "Cannot read the response: 101 Switching Protocols, and no upgrade was asked for",
      );
    }
    options.onInterim?.(read.head.status);
    carry = read.rest;
  }
}
