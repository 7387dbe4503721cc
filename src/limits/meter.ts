/**
 * A request's bodies under its ticket: the upload paced and counted on its
 * way to the backend, the answer re-checked on its size before its first
 * byte (a download over a quota is refused whole), then paced and counted on
 * its way to the client, and the bytes added to the quotas when the answer's
 * body ends. A body no byte rule or quota touches is handed on untouched (no
 * JavaScript stage on a native stream).
 */
import type { ProxyError } from "../errors.ts";
import { err, ok, type Result } from "../result.ts";
import type { Ticket } from "./limiter.ts";

/** An upload body with the bytes that went through it so far. */
export interface MeteredBody {
  readonly body: ReadableStream<Uint8Array> | null;
  /** Bytes read from the client so far. */
  bytes(): number;
}

/** A stage that counts the bytes through it into `onChunk`, and calls `onEnd` at the end. */
function counter(onChunk: (n: number) => void, onEnd: () => void) {
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, c) {
      onChunk(chunk.byteLength);
      c.enqueue(chunk);
    },
    flush: onEnd,
    // A client that stops reading still received what went before.
    cancel: onEnd,
  });
}

/** What an upload no rule counts reports; the upload of a request without a body. */
const NONE = () => 0;
const NO_BODY: MeteredBody = { body: null, bytes: NONE };

/** The upload body paced (when a byte rate applies) and counted (when a byte quota does). */
export function meterUpload(
  ticket: Ticket,
  body: ReadableStream<Uint8Array> | null,
  onSent?: (n: number) => void,
): MeteredBody {
  const pace = ticket.paceIn(onSent);
  if (body === null || (!pace && !ticket.countsBytes)) {
    return body === null ? NO_BODY : { body, bytes: NONE };
  }
  let n = 0;
  let out = body;
  if (ticket.countsBytes) out = out.pipeThrough(counter((k) => (n += k), () => {}));
  if (pace) out = out.pipeThrough(pace);
  return { body: out, bytes: () => n };
}

/**
 * The answer under the ticket: a 2xx download whose Content-Length would
 * cross a quota is refused (its body cancelled, nothing sent); otherwise the
 * body goes on paced and counted, the bytes counted when it ends. An error
 * answer (status 400 or more) counts toward no byte quota.
 */
export function meterResponse(
  ticket: Ticket,
  res: Response,
  bytesIn: () => number,
  onSent?: (n: number) => void,
): Result<Response, ProxyError> | Promise<Result<Response, ProxyError>> {
  if (res.status >= 400) return ok(res);
  if (!ticket.paces && !ticket.countsBytes) {
    // At once, and not even `res.body`: reading it turns a bytes body into a
    // JavaScript stream, which Deno.serve then pumps (issue 30).
    ticket.done(bytesIn(), 0);
    return ok(res);
  }
  return meterBody(ticket, res, bytesIn, onSent);
}

/** `meterResponse` of an answer whose body a byte rule or quota touches. */
async function meterBody(
  ticket: Ticket,
  res: Response,
  bytesIn: () => number,
  onSent?: (n: number) => void,
): Promise<Result<Response, ProxyError>> {
  const size = Number(res.headers.get("content-length") ?? "0");
  if (res.body !== null && size > 0) {
    const checked = ticket.checkOut(size);
    if (!checked.ok) {
      await res.body.cancel().catch(() => {});
      return err(checked.error);
    }
  }
  const pace = ticket.paceOut(onSent);
  if (res.body === null || (!pace && !ticket.countsBytes)) {
    ticket.done(bytesIn(), 0);
    return ok(res);
  }
  let sent = 0;
  let body: ReadableStream<Uint8Array> = res.body;
  if (pace) body = body.pipeThrough(pace);
  if (ticket.countsBytes) {
    body = body.pipeThrough(counter((k) => (sent += k), () => ticket.done(bytesIn(), sent)));
  }
  return ok(
    new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers }),
  );
}
