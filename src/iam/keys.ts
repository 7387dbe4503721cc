/**
 * The condition keys bucketgate supplies to policies, and the request's values
 * for them. A key is named as AWS names it (`aws:SourceIp`, `s3:prefix`; case
 * does not matter) or as MinIO names a session's OIDC claims (`jwt:sub`,
 * `jwt:<claim>`, the claim's case kept). Three states per key: present (one or
 * more values), absent (AWS's rules for a missing key apply), or UNRESOLVED:
 * the gateway cannot tell, and a policy fails closed (an Allow does not apply,
 * a Deny does).
 */

/** The kind of value a key holds, which tells its operators how to read it. */
export type KeyType = "string" | "ip" | "bool" | "date" | "number";

/** What a request context says about a key it cannot determine. */
export const UNRESOLVED: unique symbol = Symbol("unresolved");

/** The value of UNRESOLVED, as a type. */
export type Unresolved = typeof UNRESOLVED;

/**
 * A request's condition keys, by canonical name (`canonicalKey`): their
 * values, UNRESOLVED, or undefined for an absent key. A `Map` is one; a
 * request context may answer `jwt:<claim>` from the token's claims instead.
 */
export interface ContextKeys {
  get(key: string): readonly string[] | Unresolved | undefined;
}

/** The keys bucketgate supplies (besides `jwt:<claim>`), by their AWS spelling. */
export const KEY_TYPES: Readonly<Record<string, KeyType>> = {
  "aws:SourceIp": "ip",
  "aws:SecureTransport": "bool",
  "aws:CurrentTime": "date",
  "aws:EpochTime": "date",
  "aws:UserAgent": "string",
  "aws:Referer": "string",
  "aws:username": "string",
  "aws:userid": "string",
  "aws:PrincipalType": "string",
  "aws:TokenIssueTime": "date",
  "s3:prefix": "string",
  "s3:delimiter": "string",
  "s3:max-keys": "number",
  "s3:signatureversion": "string",
  "s3:authType": "string",
  "s3:signatureAge": "number",
  "s3:x-amz-content-sha256": "string",
};

const BY_LOWER = new Map(
  Object.entries(KEY_TYPES).map(([name, type]) => [name.toLowerCase(), { name, type }]),
);
const CLAIM = /^[A-Za-z_][A-Za-z0-9_.:-]{0,127}$/;

/** A key as policies name it, resolved: its canonical name (the ContextKeys index) and type. */
export interface KnownKey {
  /** `aws:sourceip`, `s3:prefix`, `jwt:sub`: lower case but a claim's name. */
  readonly key: string;
  readonly type: KeyType;
}

/** A key's canonical name and type, or a problem naming the keys bucketgate knows. */
export function knownKey(written: string): KnownKey | { readonly problem: string } {
  const lower = written.toLowerCase();
  if (lower.startsWith("jwt:")) {
    const claim = written.slice(4);
    if (CLAIM.test(claim)) return { key: `jwt:${claim}`, type: "string" };
    return { problem: `'${written}' does not name a JWT claim (jwt:sub, jwt:aud, jwt:<claim>)` };
  }
  const found = BY_LOWER.get(lower);
  if (found) return { key: lower, type: found.type };
  return {
    problem: `unknown condition key '${written}': bucketgate knows ${
      Object.keys(KEY_TYPES).join(", ")
    } and jwt:<claim>`,
  };
}

/** The canonical name of a key bucketgate knows (for building ContextKeys). */
export function canonicalKey(written: string): string {
  const k = knownKey(written);
  if ("problem" in k) throw new TypeError(`Cannot name key '${written}': ${k.problem}`);
  return k.key;
}

/**
 * Whether a value may stand in for a policy variable: it cannot widen a
 * pattern or climb a path, so no `*`, `?` or `$`, no `..` segment, not empty.
 */
export function isSafeValue(value: string): boolean {
  if (value === "" || /[*?$]/.test(value)) return false;
  return !value.split("/").includes("..");
}

/** A policy variable's value: the key's one safe value, else UNRESOLVED (fail closed). */
export function variableValue(keys: ContextKeys, key: string): string | Unresolved {
  const values = keys.get(key);
  if (values === undefined || values === UNRESOLVED || values.length !== 1) return UNRESOLVED;
  const value = values[0]!;
  return isSafeValue(value) ? value : UNRESOLVED;
}
