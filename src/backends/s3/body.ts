/**
 * Upload bodies: a stream of known length goes as it is; one of unknown length
 * is gathered first (gathered_body.ts), in memory within the process's upload
 * buffer, else in a temporary file.
 */
import { type ProxyError, proxyError } from "../../errors.ts";
import { err, ok, type Result } from "../../result.ts";
import { watchedStream } from "../../streams/idle.ts";
import { gatherBody } from "../gathered_body.ts";
import type { UploadBuffer } from "../upload_buffer.ts";
import type { HttpBody } from "../http/send.ts";

/** Largest upload of unknown length gathered before it is sent with a length. */
export const MAX_BUFFERED_UPLOAD = 64 * 1024 * 1024;

/** An upload's body and what is known of it. */
export interface UploadSource {
  readonly stream: ReadableStream<Uint8Array>;
  /** The exact number of bytes it will yield, when known. */
  readonly contentLength?: number | undefined;
  /** Aborts the upload (the client went away). */
  readonly signal?: AbortSignal | undefined;
}

/** An upload's body as sent, and what frees it once the store has answered. */
export interface UploadBody {
  readonly body: HttpBody;
  /** The number of bytes sent. */
  readonly size: number;
  /** Frees what gathering held (memory, a spool file); call it once the request is done. */
  dispose(): Promise<void>;
}

const NOTHING_HELD = () => Promise.resolve();

/**
 * An upload's body as the transport sends it: length-framed, since S3
 * refuses chunked PutObject and UploadPart.
 */
export async function uploadBody(
  source: UploadSource,
  buffer: UploadBuffer,
): Promise<Result<UploadBody, ProxyError>> {
  // A client that stops sending for the idle timeout is cut with
  // RequestTimeout (streams/idle.ts): by the transport for a streamed body
  // (http/send.ts), by a watching stage while a body of unknown length is gathered.
  const length = source.contentLength;
  if (length !== undefined) {
    const body: HttpBody = { kind: "stream", stream: source.stream, length };
    return ok({ body, size: length, dispose: NOTHING_HELD });
  }
  const stream = watchedStream(source.stream, source.signal);
  const gathered = await gatherBody(stream, { limit: MAX_BUFFERED_UPLOAD, buffer });
  if (!gathered.ok) return gathered;
  const g = gathered.value;
  if (!g) {
    return err(
      proxyError(
        "MissingContentLength",
        `Uploads of unknown length are limited to ${MAX_BUFFERED_UPLOAD} bytes on this backend; send Content-Length or use multipart`,
      ),
    );
  }
  const body: HttpBody = { kind: "stream", stream: g.stream, length: g.length };
  return ok({ body, size: g.length, dispose: () => g.dispose() });
}
