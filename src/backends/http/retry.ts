/**
 * Retries for backend reads: a GET, HEAD or listing that failed before any
 * byte reached the client (connection error, 500/502/503/504) is tried
 * again with exponential backoff. Writes are never retried here: their bodies
 * are streams that cannot be replayed.
 */
import { type ProxyError, toProxyError } from "../../errors.ts";
import { err, ok, type Result } from "../../result.ts";
import { type HttpResponse, release, type SendRequest, type Transport } from "./send.ts";
import { backendTransport } from "./wire.ts";

/** Waits `ms` (a back-off); may end early once `signal` aborts. Tests pass one that does not wait. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** The real sleep: a timer, cleared once `signal` aborts (the next attempt then fails at once). */
export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });

/** How often and how patiently to retry. */
export interface RetryPolicy {
  /** Attempts after the first. @default 2 */
  readonly retries?: number;
  /** Delay before the first retry; doubled each time. @default 100 */
  readonly baseDelayMs?: number;
  /** Stops retrying once aborted (the client went away). */
  readonly signal?: AbortSignal;
  /** Waits between attempts. @default realSleep */
  readonly sleep?: Sleep;
}

const RETRYABLE_STATUS = new Set([500, 502, 503, 504]);

/**
 * Whether an outcome is worth another attempt: a refused or dropped
 * connection, or a 5xx. A timeout is not: the client has waited long enough.
 */
function retryable(r: Result<HttpResponse, ProxyError>): boolean {
  if (r.ok) return RETRYABLE_STATUS.has(r.value.status);
  const cause = r.error.detail as { name?: unknown } | undefined;
  return r.error.kind === "BackendError" && cause?.name !== "TimeoutError";
}

/** Whether an outcome ends the attempts: not worth another, or the client went away. */
function final(r: Result<HttpResponse, ProxyError>, signal: AbortSignal | undefined): boolean {
  return !retryable(r) || signal?.aborted === true;
}

/**
 * Calls `attempt` until it succeeds, fails for good, or the retries are spent;
 * `first`, when given, is the first attempt's outcome, already had.
 */
export async function withRetries(
  attempt: () => Promise<Result<HttpResponse, ProxyError>>,
  policy: RetryPolicy = {},
  first?: Result<HttpResponse, ProxyError>,
): Promise<Result<HttpResponse, ProxyError>> {
  const retries = policy.retries ?? 2;
  let delay = policy.baseDelayMs ?? 100;
  for (let i = 0;; i++) {
    const r = i === 0 && first ? first : await attempt();
    if (i >= retries || final(r, policy.signal)) return r;
    if (r.ok) await release(r.value);
    await (policy.sleep ?? realSleep)(delay, policy.signal);
    delay *= 2;
  }
}

/** Collaborators of `backendRequest`. */
export interface BackendRequestDeps {
  /** Waits between retries. @default realSleep */
  readonly sleep?: Sleep;
  /** Sends one attempt. @default backendTransport (http/wire.ts) */
  readonly transport?: Transport;
}

/**
 * A backend request as `send` makes it, with a failure as BackendError and
 * bodiless GETs and HEADs retried: the one way the remote backends talk.
 */
export function backendRequest(
  req: SendRequest,
  deps: BackendRequestDeps = {},
): Promise<Result<HttpResponse, ProxyError>> {
  const transport = deps.transport ?? backendTransport;
  const first = attempt(transport, req);
  if (!isIdempotentRead(req.method, req.body !== undefined)) return first;
  // A first answer that is final needs no retry loop (the common case).
  return first.then((r) =>
    final(r, req.signal) ? r : withRetries(() => attempt(transport, req), {
      ...(req.signal ? { signal: req.signal } : {}),
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
    }, r)
  );
}

/** A failed attempt as a BackendError. */
const failed = (e: unknown): Result<HttpResponse, ProxyError> =>
  err(toProxyError(e, "BackendError"));

/** One attempt; a failure (network, timeout, abort) is a BackendError. */
function attempt(
  transport: Transport,
  req: SendRequest,
): Promise<Result<HttpResponse, ProxyError>> {
  // A `then`, not an async function: one promise fewer per request (issue 30).
  try {
    return transport(req).then(ok, failed);
  } catch (e) {
    return Promise.resolve(failed(e));
  }
}

/** Whether a request may be retried: it reads and carries no body. */
export function isIdempotentRead(method: string, hasBody: boolean): boolean {
  return !hasBody && (method === "GET" || method === "HEAD");
}
