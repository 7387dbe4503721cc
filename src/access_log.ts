/** The access log's record: what the app writes once per request, and the metrics read. */

/** One access-log record (never a secret, signature or token). */
export interface AccessLogEntry {
  readonly time: string;
  readonly requestId: string;
  /** The client's address: the peer's, or the one a trusted proxy reported. */
  readonly remote?: string;
  /** The trusted reverse proxy the request came through (http/forwarded.ts). */
  readonly proxy?: string;
  readonly method: string;
  readonly operation?: string;
  readonly bucket?: string;
  readonly key?: string;
  readonly principal?: string;
  readonly authMode?: string;
  /** The web identity token's subject, on a successful STS call. */
  readonly subject?: string;
  readonly status: number;
  readonly errorCode?: string;
  readonly totalMs: number;
  /** Time spent authenticating (signature checks). */
  readonly authMs?: number;
  /** Time from calling the operation to its response head (backend included). */
  readonly backendMs?: number;
  /** Declared request payload bytes. */
  readonly bytesIn?: number;
  /** Declared response body bytes. */
  readonly bytesOut?: number;
  readonly userAgent?: string;
  /** Server-side detail of a 5xx (never sent to the client). */
  readonly detail?: string;
}
