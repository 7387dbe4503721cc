/**
 * Retries for backend reads: a GET, HEAD or listing that failed before any
 * byte reached the client (connection error, 500/502/503/504) is tried
 * again with exponential backoff. Writes are never retried here: their bodies
 * are streams that cannot be replayed.
 */
import { type ProxyError, toProxyError } from "../errors.ts";
import { err, ok, type Result } from "../result.ts";
import { type HttpBody, type HttpResponse, release, send } from "./s3/http.ts";

/** How often and how patiently to retry. */
export interface RetryPolicy {
  /** Attempts after the first. @default 2 */
  readonly retries?: number;
  /** Delay before the first retry; doubled each time. @default 100 */
  readonly baseDelayMs?: number;
  /** Stops retrying once aborted (the client went away). */
  readonly signal?: AbortSignal;
  /** Waits out a back-off (injected by tests). @default a real timer */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const timer = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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

/** Calls `attempt` until it succeeds, fails for good, or the retries are spent. */
export async function withRetries(
  attempt: () => Promise<Result<HttpResponse, ProxyError>>,
  policy: RetryPolicy = {},
): Promise<Result<HttpResponse, ProxyError>> {
  const retries = policy.retries ?? 2;
  let delay = policy.baseDelayMs ?? 100;
  for (let i = 0;; i++) {
    const r = await attempt();
    if (i >= retries || !retryable(r) || policy.signal?.aborted) return r;
    if (r.ok) await release(r.value);
    await (policy.sleep ?? timer)(delay, policy.signal);
    delay *= 2;
  }
}

/**
 * A backend request as `send` makes it, with a failure as BackendError and
 * bodiless GETs and HEADs retried: the one way the remote backends talk.
 */
export async function backendRequest(
  method: string,
  url: URL,
  headers: Record<string, string>,
  body: HttpBody | undefined,
  timeoutMs: number,
  signal?: AbortSignal,
  streamBody = false,
): Promise<Result<HttpResponse, ProxyError>> {
  const once = async (): Promise<Result<HttpResponse, ProxyError>> => {
    try {
      return ok(await send(method, url, headers, body, timeoutMs, signal, streamBody));
    } catch (e) {
      return err(toProxyError(e, "BackendError"));
    }
  };
  return isIdempotentRead(method, body !== undefined)
    ? await withRetries(once, signal ? { signal } : {})
    : await once();
}

/** Whether a request may be retried: it reads and carries no body. */
export function isIdempotentRead(method: string, hasBody: boolean): boolean {
  return !hasBody && (method === "GET" || method === "HEAD");
}
