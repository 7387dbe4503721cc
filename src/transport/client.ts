/**
 * The transport: HTTP/1.1 requests over pooled keep-alive connections, each
 * body framed by its length (never chunked on the way out), responses read
 * strictly and streamed. One request at a time per connection (no
 * pipelining); a connection is reused only after its response body was read
 * to the end.
 */
import { bodyInHand, type BodySource, bodyStream, whole } from "./body_reader.ts";
import { type StreamBody, writeStreamBody } from "./body_writer.ts";
import type { Connection } from "./connection.ts";
import { Exchange } from "./exchange.ts";
import { responseFraming } from "./framing.ts";
import { isPeerGone, readFinalHead } from "./head_reader.ts";
import { type Connector, type Endpoint, OriginPool, type PoolStats } from "./pool.ts";
import { expectsContinue, type HeaderFields, serializeRequestHead } from "./request_head.ts";
import { Sweeper } from "./sweeper.ts";
import { TransportError } from "./transport_error.ts";

/** A request. */
export interface TransportRequest {
  readonly method: string;
  /** An http: or https: URL; its path and query are sent as they are. */
  readonly url: string | URL;
  /** Fields to send; Host, Content-Length and Accept-Encoding are the transport's. */
  readonly headers?: HeaderFields;
  /** Bytes, or a stream of a known length (sent as Content-Length). */
  readonly body?: Uint8Array | StreamBody;
  /** Aborts the request, its response body included: the socket is closed. */
  readonly signal?: AbortSignal;
  /**
   * Longest wait on the server at any one point (a pooled socket, a connect,
   * a write it is slow to take, the next bytes of its answer); the caller's
   * own pace (its body stream, reading the response) does not count.
   * @default the transport's `timeoutMs`
   */
  readonly timeoutMs?: number;
}

/** A response: status, fields, and the body as a stream (null for HEAD, 1xx, 204, 304). */
export interface TransportResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: ReadableStream<Uint8Array> | null;
  /**
   * The whole body, when it came with the head (small bodies): the same
   * bytes `body` would stream, with the connection already back in its pool.
   * `new Response(bytes)` is much cheaper to serve than a stream made in JS.
   * Use one or the other.
   */
  readonly bytes?: Uint8Array<ArrayBuffer>;
}

/** Options of `createTransport`. */
export interface TransportOptions {
  /**
   * More PEM CA certificates for https: origins. Deno's default roots are
   * trusted anyway, and they already hold DENO_CERT's bundle (and the
   * system's store under DENO_TLS_CA_STORE=system), as for fetch: the
   * gateway needs nothing here.
   */
  readonly caCerts?: readonly string[];
  /** @default 128 */
  readonly maxSocketsPerOrigin?: number;
  /** Idle connections are closed after this long. @default 4000 */
  readonly idleTimeoutMs?: number;
  /** The default `timeoutMs` of a request. @default 30000 */
  readonly timeoutMs?: number;
  /** Largest response head. @default 65536 */
  readonly maxHeadBytes?: number;
  /** How long a request with `Expect: 100-continue` waits for a 100 before sending its body. @default 1000 */
  readonly continueTimeoutMs?: number;
  /** Bytes per socket read of a response body. @default 65536 */
  readonly readBytes?: number;
  /** Resolution of every deadline. @default 100 */
  readonly tickMs?: number;
  /** Opens sockets (tests count them). @default Deno.connect / Deno.connectTls */
  readonly connect?: Connector;
}

/** An HTTP/1.1 client with a connection pool per origin. */
export interface Transport {
  /** Sends a request; rejects on a network failure, a timeout, an abort or a malformed answer. */
  request(req: TransportRequest): Promise<TransportResponse>;
  /** The pools by origin (`http://host:port`). */
  stats(): Record<string, PoolStats>;
  /** Closes the idle connections and refuses new requests. */
  close(): void;
}

const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"]);
/** A bytes body this small goes out in the head's write. */
const COALESCE_BYTES = 64 * 1024;

/** Deno.connect, or Deno.connectTls trusting `caCerts` beside the default roots (DENO_CERT's included). */
export function defaultConnector(caCerts: readonly string[] = []): Connector {
  return (e: Endpoint) =>
    e.tls
      ? Deno.connectTls({
        hostname: e.hostname,
        port: e.port,
        ...(caCerts.length > 0 ? { caCerts: [...caCerts] } : {}),
        alpnProtocols: ["http/1.1"],
      })
      : Deno.connect({ hostname: e.hostname, port: e.port });
}

function positive(name: string, v: number | undefined, fallback: number): number {
  const n = v ?? fallback;
  if (!(Number.isFinite(n) && n > 0)) throw new RangeError(`Cannot use ${name} ${v}`);
  return n;
}

/** One request's parts, serialized once for all its attempts. */
interface Prepared {
  readonly method: string;
  readonly head: Uint8Array;
  readonly body: Uint8Array | StreamBody | undefined;
  readonly expect: boolean;
}

/** Makes a transport; its options are checked here. */
export function createTransport(options: TransportOptions = {}): Transport {
  const o = {
    maxSockets: positive("maxSocketsPerOrigin", options.maxSocketsPerOrigin, 128),
    idleTimeoutMs: positive("idleTimeoutMs", options.idleTimeoutMs, 4000),
    timeoutMs: positive("timeoutMs", options.timeoutMs, 30_000),
    maxHeadBytes: positive("maxHeadBytes", options.maxHeadBytes, 65536),
    continueTimeoutMs: positive("continueTimeoutMs", options.continueTimeoutMs, 1000),
    readBytes: positive("readBytes", options.readBytes, 65536),
  };
  const sweeper = new Sweeper(positive("tickMs", options.tickMs, 100));
  const connect = options.connect ?? defaultConnector(options.caCerts);
  const pools = new Map<string, OriginPool>();
  let closed = false;

  const poolFor = (url: URL): OriginPool => {
    const tls = url.protocol === "https:";
    if (!tls && url.protocol !== "http:") {
      throw new TypeError(`Cannot send a request to ${url.protocol} URLs`);
    }
    const port = Number(url.port) || (tls ? 443 : 80);
    const key = `${url.protocol}//${url.hostname}:${port}`;
    let pool = pools.get(key);
    if (!pool) {
      const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
      pool = new OriginPool({ hostname, port, tls }, {
        connect,
        sweeper,
        maxSockets: o.maxSockets,
        idleTimeoutMs: o.idleTimeoutMs,
        headBufferBytes: Math.min(16384, o.maxHeadBytes),
      });
      pools.set(key, pool);
    }
    return pool;
  };

  /** One try of a request on one connection. */
  const attempt = async (
    pool: OriginPool,
    conn: Connection,
    ex: Exchange,
    req: Prepared,
    touched: { body: boolean },
  ): Promise<TransportResponse> => {
    let released = false;
    const unhook = ex.onFail(() => conn.close());
    const release = (reusable: boolean) => {
      if (released) return;
      released = true;
      unhook();
      pool.release(conn, reusable && !ex.failed);
    };
    try {
      let bodySent = req.body === undefined;
      const small = req.body instanceof Uint8Array && !req.expect &&
        req.body.length <= COALESCE_BYTES;
      const first = small ? concat(req.head, req.body as Uint8Array) : req.head;
      try {
        await ex.wait(conn.write(first));
      } catch (e) {
        if (!ex.failed && isPeerGone(e)) {
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
      ex.sent += first.length;
      bodySent ||= small;
      let final = false;
      let interim = () => {};
      const continued = new Promise<void>((r) => (interim = r));
      const headRead = readFinalHead(conn, ex, {
        limit: o.maxHeadBytes,
        onInterim: (status) => status === 100 && interim(),
      });
      const headCame = headRead.then(() => void (final = true), () => void (final = true));
      if (!bodySent) {
        bodySent = await sendBody(conn, ex, req, {
          headCame,
          continued,
          touched,
          isFinal: () => final,
        });
      }
      const { head, rest } = await headRead;
      const framing = responseFraming(req.method, head);
      const headers = new Headers(head.fields as [string, string][]);
      const src: BodySource = {
        rest,
        read: async (max) => {
          const buf = new Uint8Array(max);
          let n: number | null;
          try {
            n = await ex.wait(conn.read(buf));
          } catch (e) {
            if (ex.failed || !isPeerGone(e)) throw e;
            throw new TransportError(
              "Truncated",
              "Cannot read the response body: the connection was reset",
              {
                cause: e,
              },
            );
          }
          return n === null ? null : buf.subarray(0, n);
        },
        finish: (reusable) => {
          release(reusable && bodySent);
          ex.end();
        },
        onFail: (hook) => void ex.onFail(hook),
      };
      const bodyOptions = { keepAlive: framing.keepAlive, readBytes: o.readBytes };
      const bytes = bodyInHand(src, framing.body, bodyOptions);
      if (bytes) return inHand(head.status, headers, bytes);
      return { status: head.status, headers, body: bodyStream(src, framing.body, bodyOptions) };
    } catch (e) {
      release(false);
      throw e;
    }
  };

  /**
   * Sends a body not sent with the head: after a 100 (or the final answer, or
   * `continueTimeoutMs`) when asked to wait, then while the answer is read, so
   * a server that answers early (413, 403) is heard and the rest not sent.
   * Whether all of it went out.
   */
  const sendBody = async (
    conn: Connection,
    ex: Exchange,
    req: Prepared,
    s: {
      headCame: Promise<void>;
      continued: Promise<void>;
      touched: { body: boolean };
      isFinal: () => boolean;
    },
  ): Promise<boolean> => {
    if (req.expect) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        s.continued,
        s.headCame,
        new Promise<void>((r) => (timer = setTimeout(r, o.continueTimeoutMs))),
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
        onFirstRead: () => void (s.touched.body = true),
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
  };

  const request = async (r: TransportRequest): Promise<TransportResponse> => {
    if (closed) throw new TypeError("Cannot send a request: the transport is closed");
    const url = r.url instanceof URL ? r.url : new URL(r.url);
    const pool = poolFor(url);
    const body = r.body;
    const req: Prepared = {
      method: r.method,
      head: serializeRequestHead({
        method: r.method,
        target: `${url.pathname}${url.search}`,
        host: url.host,
        ...(r.headers ? { headers: r.headers } : {}),
        contentLength: body === undefined ? undefined : body.length,
      }),
      body,
      expect: body !== undefined && expectsContinue(r.headers),
    };
    const ex = new Exchange({
      sweeper,
      timeoutMs: positive("timeoutMs", r.timeoutMs, o.timeoutMs),
      signal: r.signal,
    });
    try {
      ex.check();
      for (let tries = 0;; tries++) {
        const conn = await pool.acquire(ex, tries > 0);
        const reused = conn.requests++ > 0;
        ex.sent = 0;
        ex.received = 0;
        const touched = { body: false };
        try {
          return await attempt(pool, conn, ex, req, touched);
        } catch (e) {
          if (tries === 0 && reused && replayable(e, ex, req, touched.body)) continue;
          throw e;
        }
      }
    } catch (e) {
      ex.end();
      throw e;
    }
  };

  return {
    request,
    stats() {
      const out: Record<string, PoolStats> = {};
      for (const [k, p] of pools) out[k] = p.stats();
      return out;
    },
    close() {
      closed = true;
      for (const p of pools.values()) p.close();
      sweeper.close();
    },
  };
}

/**
 * Whether a request that failed on a reused connection may go again on a
 * fresh one: the server closed the connection before answering, and either
 * no byte of the request went out or the request is idempotent, and its body
 * (if a stream) was not read yet.
 */
function replayable(e: unknown, ex: Exchange, req: Prepared, bodyTouched: boolean): boolean {
  if (ex.failed || !(e instanceof TransportError) || e.code !== "ConnectionClosed") return false;
  if (bodyTouched) return false;
  return ex.sent === 0 || IDEMPOTENT.has(req.method.toUpperCase());
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
