/**
 * The last step of every request: the response gets its request id, an error
 * becomes its S3 (or STS) XML, an unread body is drained or the connection
 * closed, then CORS and `Server-Timing` headers.
 */
import type { Clock } from "../clock.ts";
import type { CorsConfig } from "../config/types.ts";
import { type ProxyError, toResponse, toStsResponse } from "../errors.ts";
import type { Result } from "../result.ts";
import { discardBody } from "../streams/discard.ts";
import { applyCors } from "./cors.ts";

/** Time spent in the steps of a request, for `Server-Timing`. */
export interface StepTimes {
  /** Authenticating (signature checks). */
  readonly authMs?: number;
  /** From calling the operation to its response head. */
  readonly backendMs?: number;
}

/** What `finishResponse` needs besides the request. */
export interface FinishOptions {
  readonly requestId: string;
  /** What the pipeline produced. */
  readonly result: Result<Response, ProxyError>;
  /** Errors render as STS XML (an STS call). */
  readonly sts: boolean;
  /**
   * The CORS rules whose headers the response gets (http/cors.ts
   * `applyCors`); undefined for none, as for a preflight, whose answer
   * carries its own.
   */
  readonly cors: CorsConfig | undefined;
  readonly clock: Clock;
  /** When the request arrived (`clock.now()`). */
  readonly started: number;
  /** Step times to send as `Server-Timing`; absent = no such header. */
  readonly serverTiming?: StepTimes;
}

/** The response to send, and the request's total time as measured before its timing header. */
export interface Finished {
  readonly response: Response;
  readonly totalMs: number;
}

/**
 * Turns the pipeline's result into the response sent (see the module doc):
 * a success at once, an error once the request body was drained (a promise
 * only then, so a success costs no turn of promises; issue 30).
 */
export function finishResponse(
  req: Request,
  options: FinishOptions,
): Finished | Promise<Finished> {
  const { result, requestId } = options;
  if (!result.ok) {
    return errorResponse(req, result.error, options).then((r) => finish(req, r, options));
  }
  const response = result.value;
  response.headers.set("x-amz-request-id", requestId);
  response.headers.set("x-amz-id-2", requestId);
  return finish(req, response, options);
}

/** The headers every response gets last, and the total time. */
function finish(req: Request, response: Response, options: FinishOptions): Finished {
  if (awaitsContinueWithoutBody(req.headers)) response.headers.set("connection", "close");
  applyCors(options.cors, req.method, req.headers, response.headers);
  const totalMs = options.clock.now() - options.started;
  if (options.serverTiming) {
    response.headers.set("server-timing", serverTiming({ ...options.serverTiming, totalMs }));
  }
  return { response, totalMs };
}

/**
 * The error's XML response; the request body is drained (or, when too long
 * or on a RequestTimeout, the connection closed) so the next request on the
 * connection is read from its start.
 */
async function errorResponse(
  req: Request,
  e: ProxyError,
  options: Pick<FinishOptions, "requestId" | "sts">,
): Promise<Response> {
  const response = options.sts
    ? toStsResponse(e, options.requestId)
    : toResponse(e, options.requestId, { head: req.method === "HEAD" });
  if (await discardBody(req) || e.kind === "RequestTimeout") {
    response.headers.set("connection", "close");
  }
  return response;
}

/** The `Server-Timing` value: `auth`, `backend` (when measured) and `total` durations. */
export function serverTiming(times: StepTimes & { readonly totalMs: number }): string {
  return [
    ...(times.authMs !== undefined ? [`auth;dur=${times.authMs}`] : []),
    ...(times.backendMs !== undefined ? [`backend;dur=${times.backendMs}`] : []),
    `total;dur=${times.totalMs}`,
  ].join(", ");
}

/**
 * A request that sent `Expect: 100-continue` with an empty body never gets a
 * 100 from Deno.serve (there is no body to ask for), and botocore then misreads
 * the next response on that connection, stalling 60 s (boto/botocore#3755):
 * such a connection is closed after its response.
 */
export function awaitsContinueWithoutBody(headers: Headers): boolean {
  return (headers.get("expect") ?? "").toLowerCase().includes("100-continue") &&
    headers.get("content-length") === "0";
}
