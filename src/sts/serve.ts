/** The STS path of a request: read the call's parameters, then answer it (assume_role.ts). */
import type { SessionKeys } from "../auth/session_token.ts";
import type { Clock } from "../clock.ts";
import type { RoleConfig } from "../config/types.ts";
import type { ProxyError } from "../errors.ts";
import type { RequestTarget } from "../http/target.ts";
import { ok, type Result } from "../result.ts";
import { handleSts } from "./assume_role.ts";
import type { JwksCache } from "./jwks.ts";
import { readStsParams } from "./request.ts";

/** The STS call as the access log names it. */
export interface StsCall {
  /** The `Action` parameter, or `STS` when there is none to read. */
  readonly action: string;
  /** Whom credentials were minted for (a successful call only). */
  readonly principal?: string;
  /** The web identity token's subject (a successful call only). */
  readonly subject?: string;
  /** The role assumed (a successful call only). */
  readonly role?: string;
  /** The temporary access key id minted (a successful call only); never the secret or token. */
  readonly accessKeyId?: string;
}

/**
 * An STS call's answer (errors render as STS XML) and what the log says of it:
 * the STS path's share of a request's outcome (s3/outcome.ts's `RequestOutcome`).
 */
export interface StsOutcome {
  readonly result: Result<Response, ProxyError>;
  readonly sts: StsCall;
}

/** What `serveSts` needs besides the request. */
export interface ServeStsOptions {
  readonly target: RequestTarget;
  readonly requestId: string;
  readonly roles: readonly RoleConfig[];
  /** Sealing keys; absent → STS answers that it is not configured. */
  readonly sessionKeys?: SessionKeys;
  readonly jwks: JwksCache;
  readonly clock: Clock;
}

/** Serves one STS call (the caller has checked that it is one, and its header section). */
export async function serveSts(req: Request, options: ServeStsOptions): Promise<StsOutcome> {
  const params = await readStsParams(req, options.target);
  const action = { action: (params.ok && params.value.get("Action")) || "STS" };
  if (!params.ok) return { result: params, sts: action };
  const answer = await handleSts(params.value, {
    roles: options.roles,
    ...(options.sessionKeys ? { keys: options.sessionKeys } : {}),
    jwks: options.jwks,
    clock: options.clock,
    requestId: options.requestId,
  });
  if (!answer.ok) return { result: answer, sts: action };
  const { response, principal, subject, role, accessKeyId } = answer.value;
  return { result: ok(response), sts: { ...action, principal, subject, role, accessKeyId } };
}
