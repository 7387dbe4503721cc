/**
 * What one request came to: its result, and what the access log and the
 * metrics record of how far it got. Every path of the pipeline makes one
 * (s3/serve.ts the S3 path; sts/serve.ts's `StsOutcome` is the STS path's
 * share of it; app.ts the issuer's documents and CORS preflights), and
 * log/entry.ts turns it into the request's log entry. It lives with the S3
 * path, the highest layer that makes one, so that both can name it.
 *
 * A new fact the log (or the metrics fed from it) needs goes here, optional,
 * set by the step that learns it.
 */
import type { Identity } from "../auth/identity.ts";
import type { ProxyError } from "../errors.ts";
import type { Result } from "../result.ts";
import type { StsCall } from "../sts/serve.ts";
import type { S3Request } from "./request.ts";

/** One request's result and what the log records of how far it got. */
export interface RequestOutcome {
  readonly result: Result<Response, ProxyError>;
  /** Time spent authenticating (once the request was routed). */
  readonly authMs?: number;
  /** Time from calling the handler to its response head. */
  readonly backendMs?: number;
  /** The payload length authentication declared, for an operation that ran. */
  readonly bytesIn?: number;
  /** The routed S3 request (once routing succeeded). */
  readonly route?: S3Request;
  /** The bucket addressed when there is no route (a CORS preflight). */
  readonly bucketName?: string;
  /** The caller (once authenticated). */
  readonly identity?: Identity;
  /**
   * Why authorization refused the request: the deciding statement (policy,
   * index, Sid) of an explicit Deny, or that no statement allows. For the log
   * only, never the response.
   */
  readonly deniedBy?: string;
  /** Set for CORS preflights. */
  readonly preflight?: boolean;
  /** Set for the OIDC issuer's documents. */
  readonly wellKnown?: boolean;
  /** Set on STS calls (errors render as STS XML); a successful one names whom it minted for. */
  readonly sts?: StsCall;
}

/** The bucket a request addressed: its route's, else the one a preflight named; none for neither. */
export function bucketOf(outcome: RequestOutcome): string | undefined {
  return outcome.route?.bucket ?? outcome.bucketName;
}

/** The step times an outcome measured, for `Server-Timing`. */
export function stepTimes(
  { authMs, backendMs }: RequestOutcome,
): { authMs?: number; backendMs?: number } {
  return {
    ...(authMs !== undefined ? { authMs } : {}),
    ...(backendMs !== undefined ? { backendMs } : {}),
  };
}
