/** Upload bodies: a stream of known length goes as it is; one of unknown length is gathered. */
import { type ProxyError, proxyError, toProxyError } from "../../errors.ts";
import { err, ok, type Result } from "../../result.ts";
import { collect } from "../../streams/limits.ts";
import { watchedStream } from "../../streams/idle.ts";
import type { HttpBody } from "../http/send.ts";

/** Largest upload of unknown length buffered before it is sent with a length. */
export const MAX_BUFFERED_UPLOAD = 64 * 1024 * 1024;

/** An upload's body and what is known of it. */
export interface UploadSource {
  readonly stream: ReadableStream<Uint8Array>;
  /** The exact number of bytes it will yield, when known. */
  readonly contentLength?: number | undefined;
  /** Aborts the upload (the client went away). */
  readonly signal?: AbortSignal | undefined;
}

/**
 * An upload's body as the transport sends it: length-framed, since S3
 * refuses chunked PutObject and UploadPart.
 */
export async function uploadBody(source: UploadSource): Promise<Result<HttpBody, ProxyError>> {
  // A client that stops sending for the idle timeout is cut with
  // RequestTimeout (streams/idle.ts): by the transport for a streamed body
  // (http/send.ts), by a watching stage while a body of unknown length is gathered.
  const length = source.contentLength;
  if (length !== undefined) return ok({ kind: "stream", stream: source.stream, length });
  const stream = watchedStream(source.stream, source.signal);
  try {
    const bytes = await collect(stream, MAX_BUFFERED_UPLOAD);
    if (!bytes) {
      return err(
        proxyError(
          "MissingContentLength",
          `Uploads of unknown length are limited to ${MAX_BUFFERED_UPLOAD} bytes on this backend; send Content-Length or use multipart`,
        ),
      );
    }
    return ok({ kind: "bytes", bytes });
  } catch (e) {
    return err(toProxyError(e, "IncompleteBody"));
  }
}
