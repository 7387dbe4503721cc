/**
 * Validating a web identity token (an OIDC JWT) against a role's trust policy,
 * in this order: issuer trusted → algorithm → signature (issuer's JWKS) →
 * exp / nbf / iat with 60 s of skew → audience → subject. Each failure names
 * the check that failed. No key is fetched for an untrusted issuer.
 */
import { compactVerify, decodeJwt, decodeProtectedHeader, importJWK, type JWK } from "jose";
import type { Clock } from "../clock.ts";
import type { RoleConfig } from "../config/types.ts";
import { type ProxyError, proxyError } from "../errors.ts";
import { err, ok, type Result } from "../result.ts";
import { type JwksCache, TOKEN_ALGORITHMS, type TokenAlgorithm } from "./jwks.ts";

/** Allowed clock difference between the issuer and bucketgate. */
export const CLOCK_SKEW_MS = 60_000;

/** The claims of a validated token that minting needs. */
export interface WebIdentity {
  readonly issuer: string;
  readonly subject: string;
  /** The audience that satisfied the role (the first one when the role has no restriction). */
  readonly audience: string;
  /** Every claim, for `{claim}` templates. */
  readonly claims: Readonly<Record<string, unknown>>;
}

/** The collaborators of `verifyWebIdentity`. */
export interface WebIdentityDeps {
  readonly jwks: JwksCache;
  readonly clock: Clock;
}

const invalid = (message: string, detail?: unknown): Result<never, ProxyError> =>
  err(proxyError("InvalidOidcToken", message, detail));

/** Whether `value` matches a glob in which `*` stands for any run of characters. */
export function globMatches(pattern: string, value: string): boolean {
  const parts = pattern.split("*");
  if (parts.length === 1) return pattern === value;
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (value.length < first.length + last.length) return false;
  if (!value.startsWith(first) || !value.endsWith(last)) return false;
  let at = first.length;
  const end = value.length - last.length;
  for (const middle of parts.slice(1, -1)) {
    const i = value.indexOf(middle, at);
    if (i < 0 || i + middle.length > end) return false;
    at = i + middle.length;
  }
  return true;
}

// Imported keys, per JWK object and algorithm, so the hot path imports once.
const imported = new WeakMap<JWK, Map<string, Promise<CryptoKey | Uint8Array>>>();

function importKey(jwk: JWK, alg: TokenAlgorithm): Promise<CryptoKey | Uint8Array> {
  let byAlg = imported.get(jwk);
  if (!byAlg) imported.set(jwk, byAlg = new Map());
  let key = byAlg.get(alg);
  if (!key) {
    key = importJWK(jwk, alg);
    key.catch(() => byAlg.delete(alg));
    byAlg.set(alg, key);
  }
  return key;
}

function audiences(aud: unknown): string[] {
  if (typeof aud === "string") return [aud];
  if (Array.isArray(aud)) return aud.filter((a): a is string => typeof a === "string");
  return [];
}

/** A token's parts as read before its signature is checked. */
interface ReadToken {
  readonly iss: string;
  readonly alg: TokenAlgorithm;
  readonly kid?: string;
  readonly payload: Record<string, unknown>;
}

/** Decodes the token and checks its issuer, algorithm and kid (nothing verified yet). */
function readToken(token: string, role: RoleConfig): Result<ReadToken, ProxyError> {
  let header: { alg?: unknown; kid?: unknown };
  let payload: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(token);
    payload = decodeJwt(token);
  } catch (e) {
    return invalid("The web identity token is not a well-formed JWT", e);
  }
  const iss = payload.iss;
  if (typeof iss !== "string" || !role.trustedOidcIssuers.includes(iss)) {
    return invalid(
      `The token's issuer ${JSON.stringify(iss ?? null)} is not trusted by role ${role.roleId}`,
    );
  }
  const alg = header.alg;
  if (typeof alg !== "string" || !(TOKEN_ALGORITHMS as readonly string[]).includes(alg)) {
    return invalid(
      `The token's algorithm ${JSON.stringify(alg ?? null)} is not accepted (use ${
        TOKEN_ALGORITHMS.join(", ")
      })`,
    );
  }
  const kid = header.kid;
  if (kid !== undefined && typeof kid !== "string") {
    return invalid("The token's kid is not a string");
  }
  return ok({ iss, alg: alg as TokenAlgorithm, ...(kid !== undefined ? { kid } : {}), payload });
}

/** Checks the signature with the issuer's keys that match its kid and algorithm. */
async function verifySignature(
  token: string,
  t: ReadToken,
  deps: WebIdentityDeps,
): Promise<Result<void, ProxyError>> {
  const keys = await deps.jwks.keysFor(t.iss, {
    alg: t.alg,
    ...(t.kid !== undefined ? { kid: t.kid } : {}),
  });
  if (!keys.ok) return keys;
  if (keys.value.length === 0) {
    return invalid(
      `No key of the issuer's JWKS matches the token (kid ${
        JSON.stringify(t.kid ?? null)
      }, ${t.alg})`,
    );
  }
  for (const jwk of keys.value.slice(0, 4)) {
    try {
      await compactVerify(token, await importKey(jwk, t.alg), { algorithms: [t.alg] });
      return ok(undefined);
    } catch { /* try the next candidate */ }
  }
  return invalid("The token's signature does not verify with the issuer's keys");
}

/** Checks exp, nbf and iat against the clock, with CLOCK_SKEW_MS of slack. */
function checkTimes(payload: Record<string, unknown>, now: number): Result<void, ProxyError> {
  const exp = payload.exp;
  if (typeof exp !== "number") return invalid("The token has no exp claim");
  if (exp * 1000 + CLOCK_SKEW_MS <= now) return invalid("The token has expired (exp)");
  if (payload.nbf !== undefined) {
    if (typeof payload.nbf !== "number") return invalid("The token's nbf claim is not a number");
    if (payload.nbf * 1000 - CLOCK_SKEW_MS > now) {
      return invalid("The token is not yet valid (nbf)");
    }
  }
  if (payload.iat !== undefined) {
    if (typeof payload.iat !== "number") return invalid("The token's iat claim is not a number");
    if (payload.iat * 1000 - CLOCK_SKEW_MS > now) {
      return invalid("The token was issued in the future (iat)");
    }
  }
  return ok(undefined);
}

/** The audience the role accepts (the token's first when the role requires none). */
function matchAudience(
  payload: Record<string, unknown>,
  role: RoleConfig,
): Result<string, ProxyError> {
  const aud = audiences(payload.aud);
  if (role.requiredAudiences.length === 0) return ok(aud[0] ?? "");
  const match = aud.find((a) => role.requiredAudiences.includes(a));
  if (match !== undefined) return ok(match);
  return invalid(`The token's audience does not match role ${role.roleId}'s required audiences`);
}

/** The token's subject, when the role's subject conditions accept it. */
function matchSubject(
  payload: Record<string, unknown>,
  role: RoleConfig,
): Result<string, ProxyError> {
  const sub = payload.sub;
  if (typeof sub !== "string" || sub === "") return invalid("The token has no sub claim");
  if (
    role.subjectConditions.length > 0 && !role.subjectConditions.some((c) => globMatches(c, sub))
  ) {
    return invalid(`The token's subject does not match role ${role.roleId}'s subject conditions`);
  }
  return ok(sub);
}

/** Validates `token` for `role`; the error's message says which check failed. */
export async function verifyWebIdentity(
  token: string,
  role: RoleConfig,
  deps: WebIdentityDeps,
): Promise<Result<WebIdentity, ProxyError>> {
  const read = readToken(token, role);
  if (!read.ok) return read;
  const signed = await verifySignature(token, read.value, deps);
  if (!signed.ok) return signed;
  const { iss, payload } = read.value;
  const times = checkTimes(payload, deps.clock.now());
  if (!times.ok) return times;
  const audience = matchAudience(payload, role);
  if (!audience.ok) return audience;
  const subject = matchSubject(payload, role);
  if (!subject.ok) return subject;
  return ok({ issuer: iss, subject: subject.value, audience: audience.value, claims: payload });
}
