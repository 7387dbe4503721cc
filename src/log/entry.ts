/**
 * The access log's record: what the app writes once per request, and the
 * metrics read; and how it is made from what the pipeline found out about
 * the request (s3/outcome.ts's `RequestOutcome`).
 */
import type { AuthMode } from "../auth/identity.ts";
import { type ProxyError, statusOf } from "../errors.ts";
import type { ClientSide } from "../http/forwarded.ts";
import type { Result } from "../result.ts";
import { bucketOf, type RequestOutcome } from "../s3/outcome.ts";

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
  /** How the caller authenticated (`web_identity` on a successful STS call). */
  readonly authMode?: AuthMode;
  /**
   * The web identity token's `sub`: on a successful STS call, and on every
   * request of a session (whose principal's session name the caller picks).
   */
  readonly subject?: string;
  /** The role of a session's request, or of a successful STS call. */
  readonly role?: string;
  /** A session's temporary access key id, or the one a successful STS call minted. */
  readonly accessKeyId?: string;
  readonly status: number;
  readonly errorCode?: string;
  /** An authorization refusal's deciding statement (`explicit deny by p[1] (Sid)`, `no statement allows`). */
  readonly deniedBy?: string;
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
  /** Server-side detail of a 5xx, or a refused signature's canonical request (never sent to the client). */
  readonly detail?: string;
}

/** The facts of one answered request that `accessLogEntry` reads besides the request. */
export interface AnsweredRequest {
  readonly requestId: string;
  /** When the request arrived, in ms since the epoch. */
  readonly started: number;
  readonly totalMs: number;
  readonly outcome: RequestOutcome;
  readonly response: Response;
  /** The client side, or the refusal of its forwarded headers. */
  readonly client: Result<ClientSide, ProxyError>;
  /** The connection's peer (used when the forwarded headers were refused). */
  readonly peer?: { readonly hostname: string } | undefined;
}

/** The log entry of one answered request; a 5xx gets its server-side detail, a refused signature its canonical request. */
export function accessLogEntry(req: Request, answered: AnsweredRequest): AccessLogEntry {
  const { outcome, response, client } = answered;
  const { result, route, identity, authMs, backendMs, bytesIn, sts } = outcome;
  const method = req.method;
  const bytesOut = method === "HEAD" ? 0 : Number(response.headers.get("content-length") ?? NaN);
  // Built field by field, in the order the JSON line shows them (no object per optional field).
  const e: Record<string, unknown> = {
    time: isoTime(answered.started),
    requestId: answered.requestId,
  };
  if (client.ok) {
    if (client.value.address !== undefined) e.remote = client.value.address;
    if (client.value.proxy !== undefined) e.proxy = client.value.proxy;
  } else if (answered.peer) {
    e.remote = answered.peer.hostname;
  }
  e.method = method;
  if (route) {
    e.operation = route.op;
    e.bucket = route.bucket;
    e.key = route.key;
  }
  if (sts) e.operation = sts.action;
  if (outcome.preflight) {
    e.operation = "CorsPreflight";
    e.bucket = bucketOf(outcome) ?? "";
  }
  if (outcome.wellKnown) e.operation = "OidcDiscovery";
  if (sts?.principal) {
    e.principal = sts.principal;
    e.authMode = "web_identity" satisfies AuthMode;
    e.subject = sts.subject;
    if (sts.role !== undefined) e.role = sts.role;
    if (sts.accessKeyId !== undefined) e.accessKeyId = sts.accessKeyId;
  }
  if (identity && identity.kind !== "anonymous") e.principal = identity.principal;
  if (identity) e.authMode = identity.kind satisfies AuthMode;
  if (identity?.kind === "session") {
    if (identity.subject !== undefined) e.subject = identity.subject;
    e.role = identity.roleId;
    e.accessKeyId = identity.accessKeyId;
  }
  e.status = response.status;
  if (!result.ok) e.errorCode = result.error.kind;
  if (outcome.deniedBy !== undefined) e.deniedBy = outcome.deniedBy;
  e.totalMs = answered.totalMs;
  if (authMs !== undefined) e.authMs = authMs;
  if (backendMs !== undefined) e.backendMs = backendMs;
  if (bytesIn !== undefined) e.bytesIn = bytesIn;
  if (Number.isFinite(bytesOut)) e.bytesOut = bytesOut;
  const userAgent = req.headers.get("user-agent");
  if (userAgent) e.userAgent = userAgent;
  if (!result.ok && loggedDetail(result.error)) e.detail = describe(result.error);
  return e as unknown as AccessLogEntry;
}

/** The second whose ISO prefix (`2026-11-24T12:00:00.`) was made last. */
let isoSecond = NaN;
let isoPrefix = "";
/** The millisecond whose ISO time was made last, and that time. */
let isoMs = NaN;
let isoLast = "";

/**
 * `new Date(ms).toISOString()`, with the part up to the second made once per
 * second, and the whole string once per millisecond (requests arrive many to
 * a millisecond under load; years 0–9999, as every clock here).
 */
export function isoTime(time: number): string {
  const ms = Math.floor(time);
  if (ms === isoMs) return isoLast;
  const second = Math.floor(ms / 1000);
  if (second !== isoSecond) {
    isoPrefix = new Date(second * 1000).toISOString().slice(0, 20);
    isoSecond = second;
  }
  const milli = ms - second * 1000;
  isoMs = ms;
  return isoLast = `${isoPrefix}${milli < 10 ? "00" : milli < 100 ? "0" : ""}${milli}Z`;
}

/** Whether an error's detail goes to the log: a 5xx's cause, or a refused signature's canonical request. */
function loggedDetail(e: ProxyError): boolean {
  return statusOf(e) >= 500 || (e.kind === "SignatureDoesNotMatch" && e.detail !== undefined);
}

/** A 5xx error's detail for the log: kind, message and the cause behind them. */
export function describe(e: ProxyError): string {
  const d = e.detail;
  if (d instanceof Error) return `${e.kind}: ${e.message}: ${d.name}: ${d.message}`;
  return d === undefined ? `${e.kind}: ${e.message}` : `${e.kind}: ${e.message}: ${String(d)}`;
}
