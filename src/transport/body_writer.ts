/**
 * A request body onto a connection, framed by its declared length only:
 * bytes at once, or a stream written chunk by chunk as the caller's stream
 * yields them (one write in flight, so memory stays at a chunk or two
 * whatever the size). A stream longer or shorter than its length fails the
 * request with BodyLengthMismatch before the wrong byte count is complete.
 */
import type { Connection } from "./connection.ts";
import type { Exchange } from "./exchange.ts";
import { TransportError } from "./transport_error.ts";

/** A streamed request body and its length, which is sent as Content-Length. */
export interface StreamBody {
  readonly stream: ReadableStream<Uint8Array>;
  readonly length: number;
}

/** Options of `writeStreamBody`. */
export interface StreamWriteOptions {
  /** Whether to stop (a final response came early): the rest is not sent. */
  readonly stop: () => boolean;
  /** Called before the stream is first read (after that, the request cannot be replayed). */
  readonly onFirstRead?: () => void;
}

function mismatch(sent: number, length: number): TransportError {
  return new TransportError(
    "BodyLengthMismatch",
    `Cannot send the request body: ${sent > length ? "more" : "fewer"} than its ${length} bytes`,
  );
}

/**
 * Writes a stream body; resolves true once all of it was written, false if
 * `stop` said to stop first (the stream is then cancelled). The caller's
 * stream errors are rethrown as they are; the stream is cancelled on every
 * failure.
 */
export async function writeStreamBody(
  conn: Connection,
  ex: Exchange,
  body: StreamBody,
  o: StreamWriteOptions,
): Promise<boolean> {
  const reader = body.stream.getReader();
  const unhook = ex.onFail(() => void reader.cancel().catch(() => {}));
  let sent = 0;
  try {
    o.onFirstRead?.();
    for (;;) {
      if (o.stop()) {
        await reader.cancel().catch(() => {});
        return false;
      }
      const r = await reader.read();
      ex.check();
      if (r.done) break;
      sent += r.value.byteLength;
      if (sent > body.length) throw mismatch(sent, body.length);
      await ex.wait(conn.write(r.value));
      ex.sent += r.value.byteLength;
    }
    if (sent < body.length) throw mismatch(sent, body.length);
    return true;
  } catch (e) {
    await reader.cancel(e).catch(() => {});
    throw e;
  } finally {
    unhook();
    reader.releaseLock();
  }
}
