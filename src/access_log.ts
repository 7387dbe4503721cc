/**
 * The access log's record: what the app writes once per request, and the
 * metrics read; and how it is made from what the pipeline found out. This is
 * the kernel, so the pipeline's facts come in as the shapes the log needs
 * (an S3 route, an identity and a client side fit them as they are).
 */
import { type ProxyError, statusOf } from "./errors.ts";
import type { Result } from "./result.ts";

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

/** The routed S3 request, as far as the log names it. */
export interface LoggedRoute {
  readonly op: string;
  readonly bucket: string;
  readonly key: string;
}

/** The caller, as far as the log names it (`anonymous` has no principal). */
export interface LoggedIdentity {
  readonly kind: string;
  readonly principal?: string;
}

/** What the pipeline found out about one request. */
export interface LoggedOutcome {
  readonly result: Result<Response, ProxyError>;
  readonly authMs?: number;
  readonly backendMs?: number;
  readonly bytesIn?: number;
  readonly route?: LoggedRoute;
  /** The bucket addressed when there is no route (a preflight). */
  readonly bucketName?: string;
  readonly identity?: LoggedIdentity;
  /** Set for CORS preflights. */
  readonly preflight?: boolean;
  /** Set for the OIDC issuer's documents. */
  readonly wellKnown?: boolean;
  /** Set on STS calls; a successful one names whom it minted credentials for. */
  readonly sts?: {
    readonly action: string;
    readonly principal?: string;
    readonly subject?: string;
  };
}

/** The client's addresses as http/forwarded.ts established them. */
export interface LoggedClient {
  readonly address?: string;
  readonly proxy?: string;
}

/** The facts of one answered request that `accessLogEntry` reads besides the request. */
export interface AnsweredRequest {
  readonly requestId: string;
  /** When the request arrived, in ms since the epoch. */
  readonly started: number;
  readonly totalMs: number;
  readonly outcome: LoggedOutcome;
  readonly response: Response;
  /** The client side, or the refusal of its forwarded headers. */
  readonly client: Result<LoggedClient, ProxyError>;
  /** The connection's peer (used when the forwarded headers were refused). */
  readonly peer?: { readonly hostname: string };
}

/** The log entry of one answered request; a 5xx gets its server-side detail. */
export function accessLogEntry(req: Request, answered: AnsweredRequest): AccessLogEntry {
  const { outcome, response, client } = answered;
  const { result, route, identity, authMs, backendMs, bytesIn, sts } = outcome;
  const bucketName = route?.bucket ?? outcome.bucketName;
  const detail = !result.ok && statusOf(result.error) >= 500 ? describe(result.error) : undefined;
  const bytesOut = req.method === "HEAD"
    ? 0
    : Number(response.headers.get("content-length") ?? NaN);
  return {
    time: new Date(answered.started).toISOString(),
    requestId: answered.requestId,
    ...(client.ok ? clientFields(client.value) : remoteField(answered.peer)),
    method: req.method,
    ...(route ? { operation: route.op, bucket: route.bucket, key: route.key } : {}),
    ...(sts ? { operation: sts.action } : {}),
    ...(outcome.preflight ? { operation: "CorsPreflight", bucket: bucketName ?? "" } : {}),
    ...(outcome.wellKnown ? { operation: "OidcDiscovery" } : {}),
    ...(sts?.principal
      ? { principal: sts.principal, authMode: "web_identity", subject: sts.subject }
      : {}),
    ...(identity && identity.kind !== "anonymous" ? { principal: identity.principal } : {}),
    ...(identity ? { authMode: identity.kind } : {}),
    status: response.status,
    ...(!result.ok ? { errorCode: result.error.kind } : {}),
    totalMs: answered.totalMs,
    ...(authMs !== undefined ? { authMs } : {}),
    ...(backendMs !== undefined ? { backendMs } : {}),
    ...(bytesIn !== undefined ? { bytesIn } : {}),
    ...(Number.isFinite(bytesOut) ? { bytesOut } : {}),
    ...(req.headers.get("user-agent") ? { userAgent: req.headers.get("user-agent")! } : {}),
    ...(detail ? { detail } : {}),
  };
}

/** The log's address fields of a request whose client side is known. */
function clientFields(client: LoggedClient): Pick<AccessLogEntry, "remote" | "proxy"> {
  return {
    ...(client.address !== undefined ? { remote: client.address } : {}),
    ...(client.proxy !== undefined ? { proxy: client.proxy } : {}),
  };
}

/** The peer's address, for a request whose forwarded headers were refused. */
function remoteField(
  peer: { readonly hostname: string } | undefined,
): Pick<AccessLogEntry, "remote"> {
  return peer ? { remote: peer.hostname } : {};
}

/** A 5xx error's detail for the log: kind, message and the cause behind them. */
export function describe(e: ProxyError): string {
  const d = e.detail;
  if (d instanceof Error) return `${e.kind}: ${e.message}: ${d.name}: ${d.message}`;
  return d === undefined ? `${e.kind}: ${e.message}` : `${e.kind}: ${e.message}: ${String(d)}`;
}
