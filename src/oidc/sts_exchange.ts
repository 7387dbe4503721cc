/**
 * The cloud side of OIDC backend auth: `AssumeRoleWithWebIdentity` on an
 * STS endpoint (unsigned: the web identity token is the credential), turning
 * bucketgate's own token into temporary credentials.
 */
import { XMLParser } from "fast-xml-parser";
import type { SigningCredentials } from "../sigv4/sign.ts";
import { type ProxyError, proxyError } from "../errors.ts";
import { collect } from "../streams/limits.ts";
import { err, ok, type Result } from "../result.ts";
import { parseWith } from "../xml.ts";
import { USER_AGENT } from "../version.ts";

/** Temporary credentials and when they stop working (ms since the epoch). */
export interface TemporaryCredentials extends SigningCredentials {
  readonly sessionToken: string;
  readonly expiresAt: number;
}

/** One exchange. */
export interface ExchangeRequest {
  /** `https://sts.<region>.amazonaws.com` or a test's moto. */
  readonly stsEndpoint: string;
  readonly roleArn: string;
  readonly webIdentityToken: string;
  readonly sessionName: string;
  readonly durationSecs: number;
}

/** How the exchange reaches the network. */
export interface ExchangeDeps {
  readonly fetch: typeof fetch;
  /** Bounds the whole call. @default 10000 */
  readonly timeoutMs?: number;
}

/** Largest STS answer read (a real one is about 2 KiB). */
const MAX_ANSWER_BYTES = 64 * 1024;

const parser = new XMLParser({
  ignoreAttributes: true,
  processEntities: false,
  parseTagValue: false,
  trimValues: true,
  removeNSPrefix: true,
});

/**
 * Calls AssumeRoleWithWebIdentity. Any failure (unreachable, throttled,
 * refused, unreadable) is a BackendError whose detail carries the STS code
 * and message for the log; the client only ever sees a generic 503.
 */
export async function assumeRoleWithWebIdentity(
  deps: ExchangeDeps,
  req: ExchangeRequest,
): Promise<Result<TemporaryCredentials, ProxyError>> {
  const fail = (detail: string) =>
    err(
      proxyError(
        "BackendError",
        "The backend's credentials could not be obtained",
        `STS AssumeRoleWithWebIdentity for ${req.roleArn} at ${req.stsEndpoint}: ${detail}`,
      ),
    );
  const form = new URLSearchParams({
    Action: "AssumeRoleWithWebIdentity",
    Version: "2011-06-15",
    RoleArn: req.roleArn,
    RoleSessionName: req.sessionName,
    WebIdentityToken: req.webIdentityToken,
    DurationSeconds: String(req.durationSecs),
  });
  let status: number;
  let text: string;
  try {
    const res = await deps.fetch(`${req.stsEndpoint.replace(/\/+$/, "")}/`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded; charset=utf-8",
        "user-agent": USER_AGENT,
      },
      body: form.toString(),
      signal: AbortSignal.timeout(deps.timeoutMs ?? 10_000),
      redirect: "manual",
    });
    status = res.status;
    const bytes = res.body ? await collect(res.body, MAX_ANSWER_BYTES) : new Uint8Array();
    if (!bytes) return fail(`HTTP ${status}, an answer over ${MAX_ANSWER_BYTES} bytes`);
    text = new TextDecoder().decode(bytes);
  } catch (e) {
    return fail(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  }
  const doc = parseWith(parser, text);
  if (status !== 200) {
    const e = doc?.ErrorResponse as { Error?: { Code?: unknown; Message?: unknown } } | undefined;
    const code = typeof e?.Error?.Code === "string" ? e.Error.Code : "no error code";
    const message = typeof e?.Error?.Message === "string" ? e.Error.Message : "";
    return fail(`HTTP ${status} ${code}${message ? `: ${message}` : ""}`);
  }
  const result = (doc?.AssumeRoleWithWebIdentityResponse as Record<string, unknown> | undefined)
    ?.AssumeRoleWithWebIdentityResult as Record<string, unknown> | undefined;
  const c = result?.Credentials as Record<string, unknown> | undefined;
  const field = (name: string) => (typeof c?.[name] === "string" ? c[name] as string : "");
  const expiresAt = Date.parse(field("Expiration"));
  if (
    !field("AccessKeyId") || !field("SecretAccessKey") || !field("SessionToken") ||
    !Number.isFinite(expiresAt)
  ) {
    return fail("HTTP 200 without complete Credentials");
  }
  return ok({
    accessKeyId: field("AccessKeyId"),
    secretAccessKey: field("SecretAccessKey"),
    sessionToken: field("SessionToken"),
    expiresAt,
  });
}
