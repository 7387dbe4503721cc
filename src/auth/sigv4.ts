/**
 * Verifying AWS Signature Version 4 on an incoming request: the Authorization
 * header or a presigned query. Stages are named as in the spec
 * (canonicalRequest → stringToSign → signature) so a mismatch says where.
 */
import { headersNotSigned, type ProxyError, proxyError } from "../errors.ts";
import { queryOf, type RequestTarget } from "../http/target.ts";
import { err, ok, type Result } from "../result.ts";
import {
  canonicalHeaders,
  type CanonicalParts,
  type CanonicalPrefix,
  canonicalQueryOf,
  canonicalRequest,
  canonicalRequestHash,
  canonicalUri,
  credentialScope,
  signatureMatches,
} from "../sigv4/canonical.ts";
import { sha256HexOfByteString, type SigningKeyCache } from "../sigv4/signing_key.ts";
import { MAX_SKEW_MS, type SignedClaims } from "./sigv4_claims.ts";
import { rememberLast } from "../clock.ts";

export {
  ALGORITHM,
  isPresigned,
  MAX_PRESIGN_SECONDS,
  MAX_SKEW_MS,
  parseAuthorizationHeader,
  parsePresignedQuery,
  type SignedClaims,
} from "./sigv4_claims.ts";

/** Milliseconds since the epoch of an x-amz-date (the last one remembered: most requests repeat it within a second). */
export const amzDateMs: (amzDate: string) => number = rememberLast((amzDate) =>
  Date.UTC(
    Number(amzDate.slice(0, 4)),
    Number(amzDate.slice(4, 6)) - 1,
    Number(amzDate.slice(6, 8)),
    Number(amzDate.slice(9, 11)),
    Number(amzDate.slice(11, 13)),
    Number(amzDate.slice(13, 15)),
  )
);

/** Checks the request time against the clock: skew for headers, lifetime for presigned URLs. */
export function checkTime(claims: SignedClaims, now: number): ProxyError | undefined {
  const at = amzDateMs(claims.amzDate);
  if (claims.presigned) {
    if (at - now > MAX_SKEW_MS) return proxyError("AccessDenied", "Request is not valid yet");
    const lifetimeMs = claims.expiresSecs! * 1000;
    if (lifetimeMs <= 0 || now > at + lifetimeMs) {
      return proxyError("AccessDenied", "Request has expired");
    }
    return undefined;
  }
  if (Math.abs(now - at) > MAX_SKEW_MS) {
    return proxyError(
      "RequestTimeTooSkewed",
      "The difference between the request time and the current time is too large.",
    );
  }
  return undefined;
}

/** The request facts a signature covers. */
export interface SignedRequest {
  readonly method: string;
  readonly target: RequestTarget;
  readonly headers: Headers;
  /**
   * The `Host` the client signed, which a trusted proxy may have rewritten in
   * the header received (http/forwarded.ts); absent = the header.
   */
  readonly host?: string | null | undefined;
  /** The canonical query, when known already (auth/presigned_cache.ts); absent = computed. */
  readonly canonicalQuery?: string | undefined;
  /** Its canonical request's first lines hashed, when known (auth/presigned_cache.ts). */
  readonly prefix?: CanonicalPrefix | undefined;
}

/** `names.join(";")`, kept for the last array joined (claims parsed alike share one array). */
const signedHeadersText = rememberLast((names: readonly string[]) => names.join(";"));

function canonicalFor(
  claims: SignedClaims,
  r: SignedRequest,
  values: readonly (string | undefined)[],
  uri: string,
  query: string,
): CanonicalParts {
  const names = claims.signedHeaders;
  return {
    method: r.method,
    uri,
    query,
    headers: canonicalHeaders(
      names,
      (n) => n === "host" && r.host !== undefined ? r.host : values[names.indexOf(n)] ?? null,
    ),
    signedHeaders: signedHeadersText(names),
    payloadHash: claims.payloadHash,
  };
}

/** The request's headers as a signature check reads them, in one walk. */
interface HeaderRead {
  /** Each signed name's value (as `Headers.get` gives it), by its index in `signedHeaders`. */
  readonly values: (string | undefined)[];
  /** `unsignedAmzHeaders`. */
  readonly unsigned: string[];
}

/**
 * The signed headers' values and the unsigned `x-amz-*` names in one
 * `forEach` (a `Headers.get` per signed name cost ~0.2 µs each).
 */
function readHeaders(
  claims: Pick<SignedClaims, "presigned" | "signedHeaders">,
  headers: Headers,
): HeaderRead {
  const names = claims.signedHeaders;
  const values: (string | undefined)[] = new Array(names.length);
  const unsigned: string[] = [];
  // Headers walk their names lower-cased, sorted and once each (set-cookie
  // once per value, joined here as get joins them). forEach, not for…of:
  // Deno's Headers iterator costs ~0.5 µs a header, forEach a tenth.
  headers.forEach((value, name) => {
    const i = names.indexOf(name);
    if (i >= 0) {
      const prior = values[i];
      values[i] = prior === undefined ? value : `${prior}, ${value}`;
      return;
    }
    if (!name.startsWith("x-amz-") || name === "x-amz-content-sha256") return;
    if (name === "x-amz-date" && !claims.presigned) return;
    unsigned.push(name);
  });
  return { values, unsigned };
}

/**
 * The `x-amz-*` headers present that the signature does not list, sorted:
 * S3 refuses them, since each can change what the request does
 * (`x-amz-copy-source` turns a PUT into a copy). Exempt are
 * `x-amz-content-sha256`, whose value is the canonical request's payload
 * hash, and, for header auth, `x-amz-date`, which is in the string to sign.
 */
export function unsignedAmzHeaders(
  claims: Pick<SignedClaims, "presigned" | "signedHeaders">,
  headers: Headers,
): string[] {
  return readHeaders(claims, headers).unsigned;
}

/** A verified signature: what chunk signatures chain from. */
export interface VerifiedSignature {
  readonly signingKey: Uint8Array;
  readonly scope: string;
  /** The canonical query the signature covered. */
  readonly canonicalQuery: string;
  /** The canonical URI it covered (as S3 derives it, or as sent). */
  readonly uri: string;
}

/**
 * Verifies the signature with the caller's secret, after refusing any
 * `x-amz-*` header it does not cover (`unsignedAmzHeaders`). The canonical
 * URI is tried as S3 derives it (decode once, encode again) and, if that
 * differs, as sent.
 */
export function verifySignature(
  claims: SignedClaims,
  r: SignedRequest,
  secret: string,
  keys: SigningKeyCache,
): Result<VerifiedSignature, ProxyError> {
  const { values, unsigned } = readHeaders(claims, r.headers);
  if (unsigned.length > 0) return err(headersNotSigned(unsigned));
  // The parameters the router reads, encoded again (never the raw query as sent).
  let query = r.canonicalQuery ?? (r.target.rawQuery === "" ? "" : undefined);
  if (query === undefined) {
    const params = queryOf(r.target);
    if (!params.ok) return params;
    query = canonicalQueryOf(params.value, claims.presigned ? "X-Amz-Signature" : undefined);
  }
  const signingKey = keys.get(secret, claims.date, claims.region, claims.service);
  const scope = credentialScope(claims.date, claims.region, claims.service);
  const uri = canonicalUri(r.target.rawPath);
  const canonical = canonicalFor(claims, r, values, uri, query);
  const hash = canonicalRequestHash(canonical, r.prefix);
  if (signatureMatches(signingKey, claims.amzDate, scope, hash, claims.signature)) {
    return ok({ signingKey, scope, canonicalQuery: query, uri });
  }
  const raw = r.target.rawPath === "" ? "/" : r.target.rawPath;
  if (
    raw !== uri &&
    signatureMatches(
      signingKey,
      claims.amzDate,
      scope,
      canonicalRequestHash({ ...canonical, uri: raw }, r.prefix),
      claims.signature,
    )
  ) {
    return ok({ signingKey, scope, canonicalQuery: query, uri: raw });
  }
  return err(
    proxyError(
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
      canonicalDetail(canonicalRequest(canonical)),
    ),
  );
}

/**
 * The log detail of a refused signature: the canonical request the gateway
 * computed (as a JSON string, so its newlines show) and its SHA-256, to diff
 * against the client's. A session token in it is redacted; nothing else in a
 * canonical request is secret.
 */
export function canonicalDetail(canonical: string): string {
  const redacted = canonical
    .replace(/^x-amz-security-token:.*$/m, "x-amz-security-token:(redacted)")
    .replace(/(^|&)X-Amz-Security-Token=[^&\n]*/m, "$1X-Amz-Security-Token=(redacted)");
  return `canonical request (sha256 ${sha256HexOfByteString(canonical)}): ${
    JSON.stringify(redacted)
  }`;
}
