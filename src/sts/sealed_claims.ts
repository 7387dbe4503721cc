/**
 * The OIDC claims a session token seals, so that a policy changed after the
 * token was minted can still name them (`jwt:sub`, `${jwt:<claim>}`). They are
 * bounded: the token travels in every request's head.
 */

/** The most characters of JSON the sealed claims' values may take together. */
export const MAX_SEALED_CLAIMS_CHARS = 4096;
/** A list claim keeps at most this many members. */
export const MAX_CLAIM_LIST = 64;

/**
 * Stands in for a claim whose value is not sealed (an object, a list too long,
 * or past the bound): condition keys read it as unresolved, so an Allow that
 * names it does not apply and a Deny does (fail closed), never as absent.
 */
export const UNSEALED_CLAIM: Readonly<Record<string, never>> = Object.freeze({});

function isScalar(v: unknown): v is string | number | boolean {
  return typeof v === "string" || typeof v === "number" || typeof v === "boolean";
}

/** A claim's value as sealed: scalars and short lists of scalars; anything else is UNSEALED_CLAIM. */
function sealable(value: unknown): unknown {
  if (isScalar(value)) return value;
  if (Array.isArray(value) && value.length <= MAX_CLAIM_LIST && value.every(isScalar)) {
    return value;
  }
  return UNSEALED_CLAIM;
}

/**
 * The claims to seal, in the token's order: every claim by name, its value
 * when it is a scalar or a list of scalars and the values so far stay within
 * `MAX_SEALED_CLAIMS_CHARS`, else UNSEALED_CLAIM.
 */
export function sealableClaims(
  claims: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let used = 0;
  for (const [name, raw] of Object.entries(claims)) {
    if (raw === undefined || raw === null) continue;
    const value = sealable(raw);
    const size = value === UNSEALED_CLAIM ? 0 : JSON.stringify(value).length;
    const fits = used + size <= MAX_SEALED_CLAIMS_CHARS;
    out[name] = fits ? value : UNSEALED_CLAIM;
    if (fits) used += size;
  }
  return out;
}
