/** The failures of an exchange with a server that are the server's, or the wire's, doing. */

/** What went wrong, as data (callers map it to their own errors). */
export const TRANSPORT_ERROR_CODES = [
  /** The response head or its chunked framing breaks HTTP/1.1. */
  "MalformedResponse",
  /** The response head is larger than the limit. */
  "HeadTooLarge",
  /** The connection ended within the response head, or before its body's declared end. */
  "Truncated",
  /** The connection ended, or was reset, before any byte of a response. */
  "ConnectionClosed",
  /** The request body stream was longer or shorter than its declared length. */
  "BodyLengthMismatch",
] as const;

/** One of `TRANSPORT_ERROR_CODES`. */
export type TransportErrorCode = typeof TRANSPORT_ERROR_CODES[number];

/** A failed exchange: `code` says how; `cause` holds the I/O error, if any. */
export class TransportError extends Error {
  /** How the exchange failed. */
  readonly code: TransportErrorCode;
  constructor(code: TransportErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TransportError";
    this.code = code;
  }
}
