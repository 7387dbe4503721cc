/**
 * The transport: HTTP/1.1 requests over pooled keep-alive connections, each
 * body framed by its length (never chunked on the way out), responses read
 * strictly and streamed. One request at a time per connection (no
 * pipelining); a connection is reused only after its response body was read
 * to the end.
 */
import { attempt, type Prepared } from "./attempt.ts";
import { Exchange } from "./exchange.ts";
import { type Connector, type Endpoint, OriginPool, type PoolStats } from "./pool.ts";
import { expectsContinue, serializeRequestHead } from "./request_head.ts";
import { Sweeper } from "./sweeper.ts";
import { TransportError } from "./transport_error.ts";
import type { TransportRequest, TransportResponse } from "./types.ts";

export type { TransportRequest, TransportResponse } from "./types.ts";

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
  /**
   * Most bytes per socket read of a response body: reads start at 64 KiB
   * and double up to this while they come full. @default 1048576
   */
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

/** Makes a transport; its options are checked here. */
export function createTransport(options: TransportOptions = {}): Transport {
  const o = {
    maxSockets: positive("maxSocketsPerOrigin", options.maxSocketsPerOrigin, 128),
    idleTimeoutMs: positive("idleTimeoutMs", options.idleTimeoutMs, 4000),
    timeoutMs: positive("timeoutMs", options.timeoutMs, 30_000),
    maxHeadBytes: positive("maxHeadBytes", options.maxHeadBytes, 65536),
    continueTimeoutMs: positive("continueTimeoutMs", options.continueTimeoutMs, 1000),
    readBytes: positive("readBytes", options.readBytes, 1 << 20),
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
          return await attempt({ pool, conn, ex, req, touched, limits: o });
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
