/**
 * Sealed session tokens: the temporary credentials STS mints, with everything
 * needed to honor them (secret, role, subject, scopes, expiry), sealed with
 * AES-256-GCM under `SESSION_TOKEN_KEY`. The gateway keeps no session state, so
 * any instance with the same key accepts the token.
 *
 * Wire form: base64url(version ‖ 96-bit random nonce ‖ ciphertext ‖ 128-bit tag),
 * the version byte bound as additional authenticated data. Version 0x02 (sealed
 * today) adds the issue time, the OIDC claims and the session policy to what
 * 0x01 carried; a 0x01 token still opens, issued at the epoch, with no claims
 * and no session policy.
 */
import { Buffer } from "node:buffer";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { Clock } from "../clock.ts";
import { type Action, ACTIONS, type Scope } from "../config/types.ts";
import { type ProxyError, proxyError } from "../errors.ts";
import { err, ok, type Result } from "../result.ts";
import { constantTimeEqual } from "../bytes.ts";
import type { SessionResolver } from "./authenticate.ts";
import type { CompiledPolicy } from "../iam/document.ts";
import type { Identity } from "./identity.ts";

const VERSION = 0x02;
const LEGACY_VERSION = 0x01;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Tokens longer than this are refused before any decryption. */
export const MAX_SESSION_TOKEN_CHARS = 16384;
/**
 * The longest token STS mints (8 KiB): it travels in every request's head,
 * which is capped at 16 KiB, beside the signature and the other headers. A
 * longer one is refused at mint with PackedPolicyTooLarge, as AWS does.
 */
export const MAX_MINTED_TOKEN_CHARS = 8192;

/** What a session token carries. */
export interface SessionClaims {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly roleId: string;
  /** The `sub` of the web identity token. */
  readonly subject: string;
  readonly sessionName: string;
  readonly issuer: string;
  /** Scopes with templates already resolved. */
  readonly scopes: readonly Scope[];
  /** Milliseconds since the epoch. */
  readonly expiresAt: number;
  /**
   * When the token was minted (ms since the epoch); STS always sets it. Absent
   * when sealing: the epoch, as a token of version 0x01 opens (the earliest
   * time, so a revocation by issue time covers it).
   */
  readonly issuedAt?: number;
  /** The OIDC claims policies may name (see `sealableClaims`); absent for a token of version 0x01. */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** The session policy's JSON text (STS `Policy`), when the call gave one. */
  readonly sessionPolicy?: string;
}

/** The sealing keys: the current one seals and opens, the previous one only opens. */
export interface SessionKeys {
  readonly current: Uint8Array;
  readonly previous?: Uint8Array;
}

/**
 * Reads a key from its base64 form (`SESSION_TOKEN_KEY`); a problem message
 * when it is not exactly 32 bytes.
 */
export function parseSessionKey(name: string, base64: string): Result<Uint8Array, string> {
  const trimmed = base64.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) && !/^[A-Za-z0-9_-]+$/.test(trimmed)) {
    return err(`${name} must be base64 (generate one with: openssl rand -base64 32)`);
  }
  const bytes = Buffer.from(
    trimmed,
    trimmed.includes("-") || trimmed.includes("_") ? "base64url" : "base64",
  );
  if (bytes.length !== 32) {
    return err(`${name} must decode to 32 bytes, not ${bytes.length} (openssl rand -base64 32)`);
  }
  return ok(new Uint8Array(bytes));
}

type Packed = {
  a: string;
  k: string;
  r: string;
  u: string;
  n: string;
  i: string;
  c: [string, string[], string[]][];
  e: number;
  t?: number;
  j?: Record<string, unknown>;
  p?: string;
};

/** Seals claims into a token under the current key. */
export function sealSession(claims: SessionClaims, keys: SessionKeys): string {
  const packed: Packed = {
    a: claims.accessKeyId,
    k: claims.secretAccessKey,
    r: claims.roleId,
    u: claims.subject,
    n: claims.sessionName,
    i: claims.issuer,
    c: claims.scopes.map((s) => [s.bucket, [...s.prefixes], [...s.actions]]),
    e: claims.expiresAt,
    t: claims.issuedAt ?? 0,
    j: { ...claims.claims ?? {} },
    ...(claims.sessionPolicy !== undefined ? { p: claims.sessionPolicy } : {}),
  };
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", keys.current, nonce);
  cipher.setAAD(Uint8Array.of(VERSION));
  const body = Buffer.concat([cipher.update(JSON.stringify(packed), "utf8"), cipher.final()]);
  return Buffer.concat([Uint8Array.of(VERSION), nonce, body, cipher.getAuthTag()]).toString(
    "base64url",
  );
}

function open(blob: Buffer, key: Uint8Array): string | undefined {
  try {
    const nonce = blob.subarray(1, 1 + NONCE_BYTES);
    const tag = blob.subarray(blob.length - TAG_BYTES);
    const decipher = createDecipheriv("aes-256-gcm", key, nonce);
    decipher.setAAD(Uint8Array.of(blob[0]!));
    decipher.setAuthTag(tag);
    const text = Buffer.concat([
      decipher.update(blob.subarray(1 + NONCE_BYTES, blob.length - TAG_BYTES)),
      decipher.final(),
    ]);
    return text.toString("utf8");
  } catch {
    return undefined;
  }
}

const ACTION_SET: ReadonlySet<string> = new Set(ACTIONS);

/** What version 0x02 adds: the issue time, the claims and the session policy (version 0x01: none). */
function unpackAdded(
  v: Partial<Packed>,
  version: number,
): Pick<SessionClaims, "issuedAt" | "claims" | "sessionPolicy"> | undefined {
  if (version === LEGACY_VERSION) return { issuedAt: 0 };
  const { t, j, p } = v;
  if (typeof t !== "number" || typeof j !== "object" || j === null || Array.isArray(j)) {
    return undefined;
  }
  if (p !== undefined && typeof p !== "string") return undefined;
  return { issuedAt: t, claims: j, ...(p !== undefined ? { sessionPolicy: p } : {}) };
}

function unpack(text: string, version: number): SessionClaims | undefined {
  let p: unknown;
  try {
    p = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof p !== "object" || p === null) return undefined;
  const v = p as Partial<Packed>;
  const strings = [v.a, v.k, v.r, v.u, v.n, v.i];
  if (strings.some((s) => typeof s !== "string") || typeof v.e !== "number") return undefined;
  if (!Array.isArray(v.c)) return undefined;
  const scopes: Scope[] = [];
  for (const s of v.c) {
    if (!Array.isArray(s) || typeof s[0] !== "string") return undefined;
    const [bucket, prefixes, actions] = s;
    if (!Array.isArray(prefixes) || !prefixes.every((x) => typeof x === "string")) return undefined;
    if (!Array.isArray(actions) || !actions.every((x) => ACTION_SET.has(x))) return undefined;
    scopes.push({ bucket, prefixes, actions: actions as Action[] });
  }
  const added = unpackAdded(v, version);
  if (!added) return undefined;
  return {
    ...added,
    accessKeyId: v.a!,
    secretAccessKey: v.k!,
    roleId: v.r!,
    subject: v.u!,
    sessionName: v.n!,
    issuer: v.i!,
    scopes,
    expiresAt: v.e,
  };
}

/** Opens a token with the current or the previous key; undefined when neither authenticates it. */
export function unsealSession(token: string, keys: SessionKeys): SessionClaims | undefined {
  if (token.length > MAX_SESSION_TOKEN_CHARS || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  const blob = Buffer.from(token, "base64url");
  const version = blob[0];
  if (blob.length < 1 + NONCE_BYTES + TAG_BYTES + 2) return undefined;
  if (version !== VERSION && version !== LEGACY_VERSION) return undefined;
  for (const key of keys.previous ? [keys.current, keys.previous] : [keys.current]) {
    const text = open(blob, key);
    if (text !== undefined) return unpack(text, version);
  }
  return undefined;
}

/** Compiles a sealed session policy's text (sts/session_policy.ts's cache); an error fails closed. */
export type SessionPolicyCompiler = (text: string) => Result<CompiledPolicy, unknown>;

/**
 * The identity a session's S3 requests carry, its sealed session policy
 * compiled with `compile`; undefined when the token carries a policy that
 * does not compile here, or no compiler is given (never drop a narrowing).
 */
export function sessionIdentity(
  c: SessionClaims,
  compile?: SessionPolicyCompiler,
): Identity | undefined {
  let sessionPolicy: CompiledPolicy | undefined;
  if (c.sessionPolicy !== undefined) {
    const compiled = compile?.(c.sessionPolicy);
    if (!compiled?.ok) return undefined;
    sessionPolicy = compiled.value;
  }
  return {
    kind: "session",
    accessKeyId: c.accessKeyId,
    principal: `${c.roleId}/${c.sessionName}`,
    roleId: c.roleId,
    scopes: c.scopes,
    expiresAt: c.expiresAt,
    subject: c.subject,
    sessionName: c.sessionName,
    issuedAt: c.issuedAt ?? 0,
    ...(c.claims ? { claims: c.claims } : {}),
    ...(sessionPolicy ? { sessionPolicy } : {}),
  };
}

/** Options of `createSessionResolver`. */
export interface SessionResolverOptions {
  /**
   * How many opened tokens to keep, so the hot path does not decrypt on every request.
   * @default 10000
   */
  readonly cacheSize?: number;
  /**
   * Compiles a token's sealed session policy (`createSessionPolicyCache()` of
   * sts/session_policy.ts); absent: a token with a session policy is refused.
   */
  readonly sessionPolicy?: SessionPolicyCompiler;
}

const INVALID = "The security token included in the request is invalid.";

/**
 * Resolves `x-amz-security-token` values: opens the token (cached until its
 * expiry), checks that it belongs to the access key that signed, and that it
 * has not expired.
 */
export function createSessionResolver(
  keys: SessionKeys,
  clock: Clock,
  options: SessionResolverOptions = {},
): SessionResolver {
  const max = options.cacheSize ?? 10_000;
  const cache = new Map<string, { claims: SessionClaims; identity: Identity }>();
  return (accessKeyId: string, token: string): Result<
    { secretAccessKey: string; identity: Identity },
    ProxyError
  > => {
    let hit = cache.get(token);
    if (!hit) {
      const claims = unsealSession(token, keys);
      const identity = claims && sessionIdentity(claims, options.sessionPolicy);
      if (!identity) return err(proxyError("AccessDenied", INVALID));
      hit = { claims: claims!, identity };
      if (cache.size >= max) cache.delete(cache.keys().next().value!);
      cache.set(token, hit);
    }
    const { claims, identity } = hit;
    if (!constantTimeEqual(claims.accessKeyId, accessKeyId)) {
      return err(proxyError("AccessDenied", `${INVALID} It was issued to another access key.`));
    }
    if (claims.expiresAt <= clock.now()) {
      cache.delete(token);
      return err(proxyError("ExpiredCredentials", "The provided token has expired."));
    }
    return ok({ secretAccessKey: claims.secretAccessKey, identity });
  };
}

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** A fresh temporary access key id (`ASIA` + 16 characters, as AWS's look). */
export function newTemporaryAccessKeyId(): string {
  const bytes = randomBytes(16);
  return "ASIA" + Array.from(bytes, (b) => BASE32[b & 31]).join("");
}

/** A fresh 40-character secret access key. */
export function newSecretAccessKey(): string {
  return randomBytes(30).toString("base64");
}
