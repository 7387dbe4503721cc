/**
 * Recognizing and reading an STS call: `Action=…` in the query string (any
 * path, GET or POST), or a POST whose `application/x-www-form-urlencoded` body
 * holds the parameters (how the SDKs send it).
 */
import { type ProxyError, proxyError } from "../errors.ts";
import type { RequestTarget } from "../http/target.ts";
import { readSmallBody } from "../streams/limits.ts";
import { err, ok, type Result } from "../result.ts";

/** The largest STS form body read (the SDKs send a few KiB). */
export const MAX_STS_BODY_BYTES = 64 * 1024;
/** AWS's limit on WebIdentityToken. */
export const MAX_WEB_IDENTITY_TOKEN_CHARS = 20_000;

/** The parameters of AssumeRoleWithWebIdentity. */
export interface AssumeRoleParams {
  readonly roleArn: string;
  readonly webIdentityToken: string;
  /** Absent when the caller gave none (multistore's clients): see `sessionNameFor`. */
  readonly roleSessionName?: string;
  /** Absent when the caller gave none. */
  readonly durationSeconds?: number;
  /** The inline session policy's JSON text (`Policy`), checked when minting; absent when none. */
  readonly policy?: string;
}

function isForm(headers: Headers): boolean {
  const type = headers.get("content-type") ?? "";
  return type.split(";")[0]!.trim().toLowerCase() === "application/x-www-form-urlencoded";
}

/**
 * Whether a request is an STS call rather than S3: the query names an
 * `Action` (S3 has no such parameter), or it is a form POST to `/` without a
 * query, where the SDKs send STS calls (S3 has no POST on `/`; a form POST to
 * a bucket is a browser upload, which stays S3's).
 */
export function isStsRequest(method: string, target: RequestTarget, headers: Headers): boolean {
  if (/(?:^|&)Action=/.test(target.rawQuery)) return true;
  return method === "POST" && target.rawPath === "/" && target.rawQuery === "" && isForm(headers);
}

/** Reads the STS parameters from the query and, for a form POST, the body (at most 64 KiB). */
export async function readStsParams(
  req: Request,
  target: RequestTarget,
): Promise<Result<URLSearchParams, ProxyError>> {
  const params = new URLSearchParams(target.rawQuery);
  if (req.method === "POST" && isForm(req.headers)) {
    const body = await readSmallBody(
      req.body,
      MAX_STS_BODY_BYTES,
      proxyError("InvalidArgument", `The request body exceeds ${MAX_STS_BODY_BYTES} bytes`),
    );
    if (!body.ok) return body;
    for (const [k, v] of new URLSearchParams(body.value)) params.append(k, v);
  } else if (req.method !== "GET" && req.method !== "POST") {
    return err(proxyError("InvalidArgument", `STS is called with GET or POST, not ${req.method}`));
  }
  return ok(params);
}

const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

/**
 * The session name of a call that gave none: the token's subject with every
 * character STS does not allow in a RoleSessionName turned into `-`, cut to
 * 64 characters (`repo:org/app:ref:refs/heads/main` → `repo-org-app-ref-refs-heads-main`);
 * `web-identity` when that leaves fewer than 2.
 */
export function sessionNameFor(subject: string): string {
  const name = subject.replace(/[^\w+=,.@-]/g, "-").slice(0, 64);
  return name.length >= 2 ? name : "web-identity";
}

/** Validates the AssumeRoleWithWebIdentity parameters, naming the first one missing or malformed. */
export function assumeRoleParams(p: URLSearchParams): Result<AssumeRoleParams, ProxyError> {
  const missing = (name: string) =>
    err(proxyError("InvalidArgument", `The request is missing the required parameter ${name}`));
  const roleArn = p.get("RoleArn");
  if (!roleArn) return missing("RoleArn");
  const token = p.get("WebIdentityToken");
  if (!token) return missing("WebIdentityToken");
  if (token.length > MAX_WEB_IDENTITY_TOKEN_CHARS) {
    return err(
      proxyError(
        "InvalidArgument",
        `WebIdentityToken is longer than ${MAX_WEB_IDENTITY_TOKEN_CHARS} characters`,
      ),
    );
  }
  const sessionName = p.get("RoleSessionName");
  if (sessionName !== null && !SESSION_NAME.test(sessionName)) {
    return err(
      proxyError(
        "InvalidArgument",
        "RoleSessionName must be 2 to 64 characters of letters, digits and +=,.@_-",
      ),
    );
  }
  const policy = p.get("Policy");
  const duration = p.get("DurationSeconds");
  if (duration !== null && !/^\d{1,6}$/.test(duration)) {
    return err(proxyError("InvalidArgument", "DurationSeconds must be a whole number of seconds"));
  }
  return ok({
    roleArn,
    webIdentityToken: token,
    ...(sessionName !== null ? { roleSessionName: sessionName } : {}),
    ...(duration !== null ? { durationSeconds: Number(duration) } : {}),
    ...(policy !== null ? { policy } : {}),
  });
}
