/**
 * How the remote backends (s3, az) send a request: `send`. Streamed uploads
 * go out through node:http with their Content-Length, because Deno's fetch
 * sends a ReadableStream body chunked (denoland/deno#20274) and S3 refuses
 * chunked PutObject and UploadPart with 501 (Azure's Put Block needs the
 * length too). Everything else uses fetch.
 */
import http from "node:http";
import https from "node:https";
import tls from "node:tls";
import { Readable } from "node:stream";
import { proxyError, ProxyStreamError } from "../../errors.ts";
import {
  createIdleWatchdog,
  type IdleWatchdog,
  requestTimeout,
  type Schedule,
  type Transfer,
  watchTransfer,
} from "../../streams/idle.ts";
import { type BatchReader, batchReader } from "../../streams/batches.ts";
import type { ObjectBody } from "../backend.ts";

/** A backend response with a streamed body. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: ReadableStream<Uint8Array> | null;
}

/** A request body: small bytes, or a stream of a known length. */
export type HttpBody =
  | { readonly kind: "bytes"; readonly bytes: Uint8Array }
  | {
    readonly kind: "stream";
    readonly stream: ReadableStream<Uint8Array>;
    readonly length: number;
  };

/** One request for `send`. */
export interface SendRequest {
  readonly method: string;
  /** A string spares fetch a URL object's serialisation and a second parse (issue 30). */
  readonly url: string | URL;
  readonly headers: Record<string, string>;
  /** @default no body */
  readonly body?: HttpBody | undefined;
  /** Bounds the whole exchange (see `send`). */
  readonly timeoutMs: number;
  /** Aborts the exchange (the client went away). */
  readonly signal?: AbortSignal | undefined;
  /** A successful answer's body streams without the deadline (GetObject). @default false */
  readonly streamBody?: boolean | undefined;
}

/** What sends one backend request: `send`, or a fake in tests. */
export type Transport = (req: SendRequest) => Promise<HttpResponse>;

/**
 * Sends a request; rejects on network failure, a timeout, or a body stream
 * that errors. `timeoutMs` bounds the whole exchange, body included, except
 * the body of a successful answer when `streamBody` is set (GetObject): that
 * one streams at the client's pace for as long as it takes, since a deadline
 * over it cut healthy downloads off mid-way, and it stays Deno's own stream
 * (wrapping it in JS halves the proxy's throughput). A backend that stalls in
 * such a body is let go when the client gives up: `signal` aborts, or the
 * client's disconnect cancels the body.
 *
 * fetch is given a controller of our own, which follows `signal` and which the
 * deadline aborts. The client's signal passed straight, with the deadline
 * racing the answer, cost ~2 KB less a request but held a timed-out exchange
 * open until the client went away: under `no-legacy-abort` (deno.json) a
 * request's signal does not abort when its response is done (issue 30).
 */
export function send(r: SendRequest): Promise<HttpResponse> {
  const { method, url, headers, body, timeoutMs, signal } = r;
  if (body?.kind === "stream") return sendStream({ ...r, body });
  const controller = new AbortController();
  const late = deadline(timeoutMs, () => controller.abort(timedOut(timeoutMs)));
  if (signal?.aborted) controller.abort(signal.reason);
  else signal?.addEventListener("abort", () => controller.abort(signal.reason), ONCE);
  // A `then`, not an async function: one promise and frame fewer per request (issue 30).
  return fetch(url, {
    method,
    headers,
    // null is no body: one options shape for every request, no spread.
    body: body ? body.bytes as Uint8Array<ArrayBuffer> : null,
    signal: controller.signal,
    redirect: "manual",
  }).then((res) => {
    if (!res.body || (r.streamBody && res.status >= 200 && res.status < 300)) {
      late.end();
      return { status: res.status, headers: res.headers, body: res.body };
    }
    return { status: res.status, headers: res.headers, body: untilEnd(res.body, () => late.end()) };
  }, (e) => {
    late.end();
    throw e;
  });
}

/** The options of a listener that runs once (one object for every request). */
const ONCE: AddEventListenerOptions = { once: true };

/**
 * One sweeping timer per timeout value serves every backend request's
 * deadline (a timer each cost ~4 µs a request): an idle watchdog whose
 * transfers never count a byte cuts each `timeoutMs` after it began (give or
 * take the sweep period, at most a second).
 */
const deadlines = new Map<number, IdleWatchdog>();

/** Runs `onLate` once `timeoutMs` have passed, unless the returned deadline is ended first. */
function deadline(timeoutMs: number, onLate: () => void): Transfer {
  let watchdog = deadlines.get(timeoutMs);
  if (!watchdog) {
    watchdog = createIdleWatchdog({ timeoutMs, schedule: lingeringSchedule() });
    deadlines.set(timeoutMs, watchdog);
  }
  return watchdog.watch(onLate);
}

/**
 * A watchdog's sweep timer that outlives the gaps between requests: the
 * watchdog stops its timer whenever nothing is watched, which for requests
 * one at a time was an interval set and cleared per request (~1 µs, issue 30).
 * This one is cleared at its first tick with nothing watched, and unref'd:
 * it never keeps the process (or a test) alive.
 */
function lingeringSchedule(): Schedule {
  let timer: ReturnType<typeof setInterval> | undefined;
  let wanted = false;
  const stop = () => void (wanted = false);
  return (tick, periodMs) => {
    wanted = true;
    if (timer === undefined) {
      const id = setInterval(() => {
        if (wanted) return tick();
        clearInterval(id);
        timer = undefined;
      }, periodMs);
      Deno.unrefTimer(id);
      timer = id;
    }
    return stop;
  };
}

/** Passes a body through and calls `end` once it is done, failed or cancelled. */
function untilEnd(
  body: ReadableStream<Uint8Array>,
  end: () => void,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(c) {
      try {
        const r = await reader.read();
        if (r.done) {
          end();
          c.close();
        } else c.enqueue(r.value);
      } catch (e) {
        end();
        throw e;
      }
    },
    cancel(reason) {
      end();
      return reader.cancel(reason);
    },
  });
}

/** A read's body as the gateway serves it: the stream (empty when there is none). */
export function objectBody(res: HttpResponse): ObjectBody {
  return res.body ?? new ReadableStream({ start: (c) => c.close() });
}

/** Largest leftover body read to its end so its connection can be reused. */
const DRAIN_LIMIT = 64 * 1024;

/**
 * Done with a response: a small body is read to its end, which keeps the
 * connection in the keep-alive pool (cancelling closes it); a larger one is
 * cancelled.
 */
export async function release(res: HttpResponse): Promise<void> {
  if (!res.body) return;
  const length = Number(res.headers.get("content-length") ?? NaN);
  if (!(length <= DRAIN_LIMIT)) {
    await res.body.cancel().catch(() => {});
    return;
  }
  await new Response(res.body).arrayBuffer().catch(() => {});
}

/** Bytes per write of a streamed upload. */
const UPLOAD_BATCH = 1024 * 1024;

// Keep-alive pools for streamed uploads (fetch pools the other requests itself).
const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 128 });
let httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 128 });

/**
 * Trusts the CA certificates of a PEM bundle, beside the usual roots, for
 * streamed uploads. `fetch` trusts `DENO_CERT` by itself; node:https does
 * not (it reads only NODE_EXTRA_CA_CERTS), so a store behind a private CA
 * answered reads but refused uploads with UNABLE_TO_VERIFY_LEAF_SIGNATURE
 * until main.ts handed the same bundle here.
 */
export function trustCertificates(pem: string): void {
  httpsAgent.destroy();
  httpsAgent = new https.Agent({
    keepAlive: true,
    maxSockets: 128,
    ca: [...tls.rootCertificates, pem],
  });
}

/** A request whose body is a stream of a known length. */
type StreamRequest = SendRequest & { readonly body: Extract<HttpBody, { kind: "stream" }> };

/** Sends a streamed body with its Content-Length through node:http. */
function sendStream(r: StreamRequest): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const { timeoutMs, signal } = r;
    const url = typeof r.url === "string" ? new URL(r.url) : r.url;
    const lib = url.protocol === "https:" ? https : http;
    const req = lib.request(url, {
      agent: url.protocol === "https:" ? httpsAgent : httpAgent,
      method: r.method,
      headers: { ...r.headers, "content-length": String(r.body.length) },
    });
    let settled = false;
    const fail = (e: unknown) => {
      if (settled) return;
      settled = true;
      req.destroy();
      reject(e);
    };
    req.setTimeout(
      timeoutMs,
      () => fail(timedOut(timeoutMs)),
    );
    signal?.addEventListener("abort", () => fail(signal.reason ?? new Error("aborted")), {
      once: true,
    });
    req.on("error", fail);
    req.on("response", (res) => {
      if (settled) {
        res.destroy();
        return;
      }
      settled = true;
      resolve(webResponse(res));
    });
    // The body is read in place into buffers of up to 1 MiB (streams/batches.ts);
    // a buffer is reused once node:http says it was written, so a large upload
    // holds a few MiB, and one batch is written while the next is read.
    // A client that stops sending for the idle timeout is cut (streams/idle.ts).
    const transfer = watchTransfer(signal, () => {
      fail(new ProxyStreamError(requestTimeout()));
      void batches.cancel();
    });
    // Bytes go on as they come (no filling): a slow client's body reaches the store at its pace.
    const batches = batchReader(r.body.stream, UPLOAD_BATCH, (n) => void (transfer.moved += n), {
      fill: false,
    });
    void pumpBody({ req, length: r.body.length, batches, settled: () => settled, fail })
      .finally(() => transfer.end());
  });
}

/** A node:http response as an HttpResponse with a web stream body. */
function webResponse(res: http.IncomingMessage): HttpResponse {
  const h = new Headers();
  for (const [k, v] of Object.entries(res.headers)) {
    if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(", ") : v);
  }
  return {
    status: res.statusCode ?? 502,
    headers: h,
    body: Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>,
  };
}

/** What `pumpBody` writes to, and how it learns the exchange is over. */
interface Pump {
  readonly req: http.ClientRequest;
  readonly length: number;
  readonly batches: BatchReader;
  /** Whether the exchange already ended (answered or failed). */
  readonly settled: () => boolean;
  readonly fail: (e: unknown) => void;
}

/** Resolves once node:http has written the batch, or the request is gone. */
function writeBatch(req: http.ClientRequest, batch: Uint8Array): Promise<void> {
  return new Promise<void>((done, failed) => {
    const gone = () => done();
    req.once("close", gone);
    req.write(batch, (e) => {
      req.off("close", gone);
      if (e) failed(e);
      else done();
    });
  });
}

/** Writes the body's batches as they come, its final byte only once it ended cleanly. */
async function pumpBody(p: Pump): Promise<void> {
  const { req, length, batches } = p;
  let sent = 0;
  let writing: Promise<void> = Promise.resolve();
  // The body's final byte, held back until the stream has ended cleanly (see below).
  let last: Uint8Array | undefined;
  try {
    for (let batch = await batches.next(); batch; batch = await batches.next()) {
      if (p.settled()) return;
      sent += batch.byteLength;
      if (sent > length) {
        throw new ProxyStreamError(overlongBody());
      }
      await writing;
      if (p.settled()) return;
      let out = batch;
      if (sent === length) {
        // The store's framing completes only with the last declared byte, and a stage that
        // verifies the body (a checksum's flush, an aws-chunked chunk signature checked after
        // its data) fails only after handing its last bytes on: that byte goes out once the
        // stream has ended cleanly, so a body that fails verification never reaches the store
        // whole (it would keep it, and answer 200 before the failure surfaced).
        last = batch.slice(-1);
        out = batch.subarray(0, batch.byteLength - 1);
      }
      if (out.byteLength > 0) writing = writeBatch(req, out).then(() => batches.release(out));
      else batches.release(out);
      // A failed write fails the request through its "error" event or the next `await
      // writing`; this keeps the rejection from going unhandled while the next batch is read
      // (an unhandled rejection ends the process).
      writing.catch(() => {});
    }
    if (p.settled()) return;
    // Checked before the last write is awaited: the request is cut while that write is
    // in flight, so a store that keeps a body cut short (s3rver) is less likely to see it.
    if (sent < length) throw new ProxyStreamError(incompleteBody());
    await writing;
    if (p.settled()) return;
    if (last) req.end(last);
    else req.end();
  } catch (e) {
    p.fail(e);
  } finally {
    // Whatever the client still sends is not wanted once the exchange ended early.
    if (p.settled()) void batches.cancel();
  }
}

/** A body shorter than its Content-Length. */
function incompleteBody() {
  return proxyError(
    "IncompleteBody",
    "You did not provide the number of bytes specified by the Content-Length HTTP header.",
  );
}

/** A body longer than its Content-Length. */
function overlongBody() {
  return proxyError("InvalidRequest", "The request body is longer than its declared length");
}

/** The rejection of a backend request that ran out of time. */
function timedOut(timeoutMs: number): DOMException {
  return new DOMException(`backend request timed out after ${timeoutMs} ms`, "TimeoutError");
}
