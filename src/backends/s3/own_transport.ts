/**
 * The backends' `Transport` over src/transport, the HTTP/1.1 client of our
 * own, with every rule `send` (http.ts) keeps:
 *
 * - `timeoutMs` bounds the whole exchange, body included, except the body of
 *   a successful answer when `streamBody` is set (GetObject); the client's
 *   `signal` aborts it. A streamed upload is bounded per wait on the store
 *   instead (as node:http's socket timeout did): a large body takes as long
 *   as the client takes to send it.
 * - Uploads leave framed by their length; the body's final byte goes out only
 *   once its stream ended cleanly, so a body that fails verification at its
 *   end never reaches the store whole. A body shorter or longer than its
 *   length fails with IncompleteBody or InvalidRequest; a client idle past
 *   the idle timeout is cut with RequestTimeout (streams/idle.ts).
 * - An answer that comes before the body was all sent (403, 413) is heard,
 *   and the rest of the body is not sent.
 * - `Accept-Encoding: identity` always; bodies are never decoded.
 * - A small body read with the head comes as `bytes` (the connection is back
 *   in its pool), so a GET can answer with `new Response(bytes)`.
 *
 * The transport's own failures (TransportError) reject as fetch's do, and
 * `backendRequest` (retry.ts) makes them BackendError (503), retried where
 * safe; a ProxyStreamError of the body stream is rejected as it is.
 */
import { ProxyStreamError } from "../../errors.ts";
import { requestTimeout, watchTransfer } from "../../streams/idle.ts";
import { type BatchReader, batchReader } from "../../streams/batches.ts";
import {
  createTransport,
  type Transport as Wire,
  type TransportResponse,
} from "../../transport/mod.ts";
import {
  deadline,
  type HttpBody,
  type HttpResponse,
  incompleteBody,
  overlongBody,
  type SendRequest,
  timedOut,
  type Transport,
  untilEnd,
  UPLOAD_BATCH,
} from "./http.ts";

/** Options of `createOwnTransport`. */
export interface OwnTransportOptions {
  /** The client requests go through. @default a new one with 128 sockets per origin */
  readonly wire?: Wire;
}

/** A `Transport` (the backends' seam) over our own HTTP/1.1 client. */
export function createOwnTransport(options: OwnTransportOptions = {}): Transport {
  const wire = options.wire ?? createTransport({ maxSocketsPerOrigin: 128 });
  return (r) =>
    r.body?.kind === "stream" ? sendStream(wire, r, r.body) : sendWhole(wire, r, r.body?.bytes);
}

let shared: Transport | undefined;

/** The process's own-client transport (one connection pool per origin for every backend). */
export const ownSend: Transport = (r) => (shared ??= createOwnTransport())(r);

/** A request without a body or with bytes: one deadline over the whole exchange. */
async function sendWhole(
  wire: Wire,
  r: SendRequest,
  bytes: Uint8Array | undefined,
): Promise<HttpResponse> {
  const { timeoutMs, signal } = r;
  const controller = new AbortController();
  const late = deadline(timeoutMs, () => controller.abort(timedOut(timeoutMs)));
  if (signal?.aborted) controller.abort(signal.reason);
  else signal?.addEventListener("abort", () => controller.abort(signal.reason), { once: true });
  let res: TransportResponse;
  try {
    res = await wire.request({
      method: r.method,
      url: r.url,
      headers: r.headers,
      ...(bytes ? { body: bytes } : {}),
      signal: controller.signal,
      timeoutMs,
    });
  } catch (e) {
    late.end();
    throw e;
  }
  // A body in hand is over already (reading `body` would make a stream of it).
  if (res.bytes) {
    late.end();
    return res;
  }
  const body = res.body;
  if (!body || (r.streamBody && res.status >= 200 && res.status < 300)) {
    late.end();
    return res;
  }
  return { status: res.status, headers: res.headers, body: untilEnd(body, () => late.end()) };
}

/** A streamed upload: framed by its length, its last byte held, its client watched for idling. */
async function sendStream(
  wire: Wire,
  r: SendRequest,
  body: Extract<HttpBody, { kind: "stream" }>,
): Promise<HttpResponse> {
  const controller = new AbortController();
  const { signal } = r;
  if (signal?.aborted) controller.abort(signal.reason);
  else signal?.addEventListener("abort", () => controller.abort(signal.reason), { once: true });
  // A client that stops sending for the idle timeout is cut (streams/idle.ts).
  const transfer = watchTransfer(signal, () => {
    controller.abort(new ProxyStreamError(requestTimeout()));
    void batches.cancel();
  });
  // Bytes go on as they come (no filling): a slow client's body reaches the store at its pace.
  const batches = batchReader(body.stream, UPLOAD_BATCH, (n) => void (transfer.moved += n), {
    fill: false,
  });
  try {
    // An empty body's request is complete with its head: it goes once the stream ended cleanly.
    if (body.length === 0) await ensureEmpty(batches);
    return await wire.request({
      method: r.method,
      url: r.url,
      headers: r.headers,
      body: body.length === 0
        ? new Uint8Array(0)
        : { stream: heldBack(batches, body.length), length: body.length },
      signal: controller.signal,
      timeoutMs: r.timeoutMs,
    });
  } finally {
    transfer.end();
    // Whatever the client still sends is not wanted once the exchange ended (an early answer,
    // a failure); after a whole body this finds the stream ended and does nothing.
    void batches.cancel();
  }
}

/** Reads a body declared empty to its end: it fails if the stream fails or has any byte. */
async function ensureEmpty(batches: BatchReader): Promise<void> {
  for (let batch = await batches.next(); batch; batch = await batches.next()) {
    if (batch.byteLength > 0) throw new ProxyStreamError(overlongBody());
  }
}

/**
 * The batches of a body as the stream the transport writes, one batch read
 * ahead while the last is written (and the memory of written ones reused),
 * and the final declared byte is handed on only after the body ended
 * cleanly. The store's framing completes only with that byte, and a stage
 * that verifies the body (a checksum's flush, an aws-chunked chunk signature
 * checked after its data) fails only after handing its last bytes on: so a
 * body that fails verification never reaches the store whole (it would keep
 * it, and answer 200 before the failure surfaced).
 */
function heldBack(batches: BatchReader, length: number): ReadableStream<Uint8Array> {
  let sent = 0;
  let last: Uint8Array | undefined;
  /** Batches handed on and not yet released (their memory is reused once written). */
  const handed: Uint8Array[] = [];
  const next = async (c: ReadableStreamDefaultController<Uint8Array>): Promise<void> => {
    for (;;) {
      const batch = await batches.next();
      if (!batch) {
        if (sent < length) throw new ProxyStreamError(incompleteBody());
        if (last) c.enqueue(last);
        c.close();
        return;
      }
      sent += batch.byteLength;
      if (sent > length) throw new ProxyStreamError(overlongBody());
      let out = batch;
      if (sent === length) {
        last = batch.slice(-1);
        out = batch.subarray(0, batch.byteLength - 1);
      }
      if (out.byteLength === 0) {
        batches.release(out);
        continue;
      }
      handed.push(out);
      c.enqueue(out);
      return;
    }
  };
  return new ReadableStream<Uint8Array>({
    async pull(c) {
      // One batch is read ahead while the transport writes the one it took last: that one
      // is kept, the ones before it were written (the transport writes one at a time).
      while (handed.length > 1) batches.release(handed.shift()!);
      try {
        await next(c);
      } catch (e) {
        void batches.cancel(e);
        throw e;
      }
    },
    cancel: (reason) => batches.cancel(reason),
  }, { highWaterMark: 1 });
}
