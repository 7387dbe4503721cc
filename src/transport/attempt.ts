/**
 * One try of a request on one connection: the head (with a small body in the
 * same write), the body while the answer is read (so an early 403 or 413 is
 * heard and the rest not sent), then the response with its body in hand or
 * streamed. The connection goes back to its pool when the body was read.
 */
import { bodyInHand, type BodySource, bodyStream, whole } from "./body_reader.ts";
import { type StreamBody, writeStreamBody } from "./body_writer.ts";
import type { Connection } from "./connection.ts";
import type { Exchange } from "./exchange.ts";
import { responseFraming } from "./framing.ts";
import { isPeerGone, readFinalHead } from "./head_reader.ts";
import type { OriginPool } from "./pool.ts";
import type { ResponseHead } from "./response_head.ts";
import { TransportError } from "./transport_error.ts";
import type { TransportResponse } from "./types.ts";

/** One request's parts, serialized once for all its attempts. */
export interface Prepared {
  readonly method: string;
  readonly head: Uint8Array;
  readonly body: Uint8Array | StreamBody | undefined;
  readonly expect: boolean;
}

/** The transport's limits an attempt obeys. */
export interface AttemptLimits {
  readonly maxHeadBytes: number;
  readonly continueTimeoutMs: number;
  readonly readBytes: number;
}

/** What one attempt works with. */
export interface Attempt {
  readonly pool: OriginPool;
  readonly conn: Connection;
  readonly ex: Exchange;
  readonly req: Prepared;
  /** Set once a stream body's first chunk was read (the request can no longer be replayed). */
  readonly touched: { body: boolean };
  readonly limits: AttemptLimits;
}

/** The first read of a response body, and the smallest a read shrinks to. */
const MIN_READ_BYTES = 64 * 1024;

/** A bytes body this small goes out in the head's write. */
const COALESCE_BYTES = 64 * 1024;

/** Sends the request on `a.conn` and reads its answer; the connection is released on failure. */
export async function attempt(a: Attempt): Promise<TransportResponse> {
  const { ex, req } = a;
  let released = false;
  const unhook = ex.onFail(() => a.conn.close());
  const release = (reusable: boolean) => {
    if (released) return;
    released = true;
    unhook();
    a.pool.release(a.conn, reusable && !ex.failed);
  };
  try {
    const small = req.body instanceof Uint8Array && !req.expect &&
      req.body.length <= COALESCE_BYTES;
    await writeHead(a, small ? concat(req.head, req.body as Uint8Array) : req.head);
    let bodySent = req.body === undefined || small;
    let final = false;
    let interim = () => {};
    const continued = new Promise<void>((r) => (interim = r));
    const headRead = readFinalHead(a.conn, ex, {
      limit: a.limits.maxHeadBytes,
      onInterim: (status) => status === 100 && interim(),
    });
    const headCame = headRead.then(() => void (final = true), () => void (final = true));
    if (!bodySent) {
      bodySent = await sendBody(a, { headCame, continued, isFinal: () => final });
    }
    const { head, rest } = await headRead;
    return response(a, { head, rest, finish: (reusable) => release(reusable && bodySent) });
  } catch (e) {
    release(false);
    throw e;
  }
}

async function writeHead(a: Attempt, first: Uint8Array): Promise<void> {
  try {
    await a.ex.wait(a.conn.write(first));
  } catch (e) {
    if (!a.ex.failed && isPeerGone(e)) {
      throw new TransportError(
        "ConnectionClosed",
        "Cannot send the request: the connection closed",
        {
          cause: e,
        },
      );
    }
    throw e;
  }
  a.ex.sent += first.length;
}

/** The answer's head, the bytes read past it, and how to give the connection back. */
interface Answer {
  readonly head: ResponseHead;
  readonly rest: Uint8Array;
  readonly finish: (reusable: boolean) => void;
}

function response(a: Attempt, answer: Answer): TransportResponse {
  const { ex, conn } = a;
  const { head } = answer;
  const framing = responseFraming(a.req.method, head);
  const headers = new Headers(head.fields as [string, string][]);
  // Reads grow towards `readBytes` while they come full and shrink when they come short: a
  // large body moves in few large chunks, and a trickle does not cost a large buffer a read.
  let size = Math.min(MIN_READ_BYTES, a.limits.readBytes);
  const src: BodySource = {
    rest: answer.rest,
    read: async (max) => {
      const buf = new Uint8Array(Math.min(max, size));
      let n: number | null;
      try {
        n = await ex.wait(conn.read(buf));
      } catch (e) {
        if (ex.failed || !isPeerGone(e)) throw e;
        throw new TransportError(
          "Truncated",
          "Cannot read the response body: the connection was reset",
          { cause: e },
        );
      }
      if (n === null) return null;
      if (n === buf.length) size = Math.min(size * 2, a.limits.readBytes);
      else if (n < buf.length / 4) size = Math.max(size / 2, Math.min(MIN_READ_BYTES, size));
      return buf.subarray(0, n);
    },
    finish: (reusable) => {
      answer.finish(reusable);
      ex.end();
    },
    onFail: (hook) => void ex.onFail(hook),
  };
  const bodyOptions = { keepAlive: framing.keepAlive, readBytes: a.limits.readBytes };
  const bytes = bodyInHand(src, framing.body, bodyOptions);
  if (bytes) return inHand(head.status, headers, bytes);
  return { status: head.status, headers, body: bodyStream(src, framing.body, bodyOptions) };
}

/** Where the answer stands while a body goes out. */
interface BodyWait {
  readonly headCame: Promise<void>;
  readonly continued: Promise<void>;
  readonly isFinal: () => boolean;
}

/**
 * Sends a body not sent with the head: after a 100 (or the final answer, or
 * `continueTimeoutMs`) when asked to wait, then while the answer is read, so
 * a server that answers early (413, 403) is heard and the rest not sent.
 * Whether all of it went out.
 */
async function sendBody(a: Attempt, s: BodyWait): Promise<boolean> {
  const { conn, ex, req } = a;
  if (req.expect) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      s.continued,
      s.headCame,
      new Promise<void>((r) => (timer = setTimeout(r, a.limits.continueTimeoutMs))),
    ]);
    clearTimeout(timer);
    if (s.isFinal()) return false;
  }
  const body = req.body!;
  const sending = body instanceof Uint8Array
    ? ex.wait(conn.write(body)).then(() => {
      ex.sent += body.length;
      return true;
    })
    : writeStreamBody(conn, ex, body, {
      stop: s.isFinal,
      onFirstRead: () => void (a.touched.body = true),
    });
  const outcome = await Promise.race([
    sending.then((all) => ({ all }), (error: unknown) => ({ error })),
    s.headCame.then(() => ({ all: false })),
  ]);
  if ("error" in outcome) {
    // The server may have answered and closed while the body went out: its answer wins.
    if (ex.failed || !isPeerGone(outcome.error)) throw outcome.error;
    await s.headCame;
    return false;
  }
  if (outcome.all) return true;
  sending.catch(() => {});
  return false;
}

/** A response whose body is in hand: its stream is made only if asked for. */
function inHand(
  status: number,
  headers: Headers,
  bytes: Uint8Array<ArrayBuffer>,
): TransportResponse {
  let body: ReadableStream<Uint8Array> | undefined;
  return {
    status,
    headers,
    bytes,
    get body() {
      return (body ??= whole(bytes));
    },
  };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
