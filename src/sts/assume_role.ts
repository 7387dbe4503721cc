/**
 * STS `AssumeRoleWithWebIdentity`: a JWT from a trusted OIDC issuer in,
 * temporary credentials sealed into the session token out, in the XML that
 * the AWS SDKs parse. The call itself is unsigned.
 */
import {
  MAX_MINTED_TOKEN_CHARS,
  newSecretAccessKey,
  newTemporaryAccessKeyId,
  sealSession,
  type SessionKeys,
} from "../auth/session_token.ts";
import type { Clock } from "../clock.ts";
import type { RoleConfig } from "../config/types.ts";
import { type ProxyError, proxyError } from "../errors.ts";
import { err, ok, type Result } from "../result.ts";
import { el, XML_DECLARATION } from "../xml.ts";
import type { JwksCache } from "./jwks.ts";
import { assumeRoleParams, sessionNameFor } from "./request.ts";
import { sealableClaims } from "./sealed_claims.ts";
import { parseSessionPolicy } from "./session_policy.ts";
import { resolveScopes } from "./templates.ts";
import { verifyWebIdentity } from "./web_identity.ts";

/** The STS namespace of every STS response document. */
export const STS_XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/";
/** Shortest session AWS allows. */
export const MIN_SESSION_SECS = 900;
/** Session length when the caller names none (clamped to the role's maximum). */
export const DEFAULT_SESSION_SECS = 3600;

/** The collaborators of the STS handler. */
export interface StsDeps {
  readonly roles: readonly RoleConfig[];
  /** Sealing keys; absent → STS is not configured and says so. */
  readonly keys?: SessionKeys;
  readonly jwks: JwksCache;
  readonly clock: Clock;
  readonly requestId: string;
  /** Account id shown in AssumedRoleUser ARNs. @default "000000000000" */
  readonly accountId?: string;
}

/** Finds a role by its id, or by an ARN whose last segment is the id. */
export function findRole(roles: readonly RoleConfig[], roleArn: string): RoleConfig | undefined {
  const id = roleArn.startsWith("arn:") ? roleArn.split(/[/:]/).pop() ?? "" : roleArn;
  return roles.find((r) => r.roleId === id);
}

/** Clamps a requested duration to [900, the role's maximum]. */
export function sessionSeconds(requested: number | undefined, role: RoleConfig): number {
  const max = Math.max(MIN_SESSION_SECS, role.maxSessionDurationSecs);
  return Math.min(Math.max(requested ?? DEFAULT_SESSION_SECS, MIN_SESSION_SECS), max);
}

/** ISO 8601 without milliseconds, as STS writes times. */
function stsTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** A successful STS answer, and who it was for (for the access log). */
export interface StsAnswer {
  readonly response: Response;
  /** `role_id/RoleSessionName`, as the minted credentials' principal. */
  readonly principal: string;
  /** The token's `sub`. */
  readonly subject: string;
  /** The role assumed. */
  readonly role: string;
  /** The minted temporary access key id. */
  readonly accessKeyId: string;
}

/** The call is AssumeRoleWithWebIdentity of STS's one version, and STS is configured. */
function checkCall(params: URLSearchParams, deps: StsDeps): Result<SessionKeys, ProxyError> {
  const action = params.get("Action");
  if (action === null) {
    return err(
      proxyError("InvalidArgument", "The request is missing the required parameter Action"),
    );
  }
  if (action !== "AssumeRoleWithWebIdentity") {
    return err(
      proxyError(
        "InvalidAction",
        `Could not find operation ${action}: bucketgate's STS serves AssumeRoleWithWebIdentity`,
      ),
    );
  }
  const version = params.get("Version");
  if (version !== null && version !== "2011-06-15") {
    return err(proxyError("InvalidArgument", `Version ${version} is not supported (2011-06-15)`));
  }
  if (!deps.keys) {
    return err(
      proxyError(
        "StsNotConfigured",
        "AssumeRoleWithWebIdentity is not configured on this gateway: SESSION_TOKEN_KEY is not set",
      ),
    );
  }
  return ok(deps.keys);
}

/** Minted temporary credentials, and what the answer says of them. */
interface Minted {
  readonly role: RoleConfig;
  readonly roleSessionName: string;
  readonly subject: string;
  readonly audience: string;
  readonly issuer: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiresAt: number;
}

/** The AssumeRoleWithWebIdentityResponse document of minted credentials. */
function responseXml(m: Minted, deps: StsDeps): string {
  const account = deps.accountId ?? "000000000000";
  const { role, roleSessionName } = m;
  return XML_DECLARATION +
    `<AssumeRoleWithWebIdentityResponse xmlns="${STS_XMLNS}">` +
    "<AssumeRoleWithWebIdentityResult>" +
    el("SubjectFromWebIdentityToken", m.subject) +
    el("Audience", m.audience) +
    "<AssumedRoleUser>" +
    el("Arn", `arn:aws:sts::${account}:assumed-role/${role.roleId}/${roleSessionName}`) +
    el("AssumedRoleId", `${role.roleId}:${roleSessionName}`) +
    "</AssumedRoleUser>" +
    "<Credentials>" +
    el("AccessKeyId", m.accessKeyId) +
    el("SecretAccessKey", m.secretAccessKey) +
    el("SessionToken", m.sessionToken) +
    el("Expiration", stsTime(m.expiresAt)) +
    "</Credentials>" +
    el("Provider", m.issuer) +
    "</AssumeRoleWithWebIdentityResult>" +
    `<ResponseMetadata>${el("RequestId", deps.requestId)}</ResponseMetadata>` +
    "</AssumeRoleWithWebIdentityResponse>";
}

/** PackedPolicyTooLarge's message: how far over the bound the sealed session came (no token in it). */
function packedTooLarge(chars: number): string {
  const percent = Math.ceil((chars / MAX_MINTED_TOKEN_CHARS) * 100);
  return `Packed size of the session (policy, claims and scopes) is ${percent}% of the ` +
    `${MAX_MINTED_TOKEN_CHARS}-character token bound: pass a shorter Policy`;
}

/** Serves one STS call whose parameters are already read. */
export async function handleSts(
  params: URLSearchParams,
  deps: StsDeps,
): Promise<Result<StsAnswer, ProxyError>> {
  const keys = checkCall(params, deps);
  if (!keys.ok) return keys;
  const p = assumeRoleParams(params);
  if (!p.ok) return p;
  const { roleArn, webIdentityToken, policy } = p.value;
  const checked = policy === undefined ? undefined : parseSessionPolicy(policy);
  if (checked && !checked.ok) return err(proxyError(checked.error.code, checked.error.message));
  const role = findRole(deps.roles, roleArn);
  if (!role) return err(proxyError("RoleNotFound", `Role ${roleArn} does not exist`));
  const who = await verifyWebIdentity(webIdentityToken, role, deps);
  if (!who.ok) return who;
  const { issuer, subject, audience, claims } = who.value;
  const roleSessionName = p.value.roleSessionName ?? sessionNameFor(subject);
  const seconds = sessionSeconds(p.value.durationSeconds, role);
  const issuedAt = Math.floor(deps.clock.now() / 1000) * 1000;
  const expiresAt = issuedAt + seconds * 1000;
  const accessKeyId = newTemporaryAccessKeyId();
  const secretAccessKey = newSecretAccessKey();
  const sessionToken = sealSession({
    accessKeyId,
    secretAccessKey,
    roleId: role.roleId,
    subject,
    sessionName: roleSessionName,
    issuer,
    scopes: resolveScopes(role.allowedScopes, claims),
    expiresAt,
    issuedAt,
    claims: sealableClaims(claims),
    ...(policy !== undefined ? { sessionPolicy: policy } : {}),
  }, keys.value);
  if (sessionToken.length > MAX_MINTED_TOKEN_CHARS) {
    return err(proxyError("PackedPolicyTooLarge", packedTooLarge(sessionToken.length)));
  }
  const minted = { role, roleSessionName, subject, audience, issuer, accessKeyId, secretAccessKey };
  const body = responseXml({ ...minted, sessionToken, expiresAt }, deps);
  return ok({
    response: new Response(body, {
      headers: {
        "content-type": "text/xml",
        "x-amzn-requestid": deps.requestId,
        "cache-control": "no-store",
      },
    }),
    principal: `${role.roleId}/${roleSessionName}`,
    subject,
    role: role.roleId,
    accessKeyId,
  });
}
