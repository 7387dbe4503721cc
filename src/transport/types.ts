/** The transport's request and response, as its callers see them. */
import type { StreamBody } from "./body_writer.ts";
import type { HeaderFields } from "./request_head.ts";

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
