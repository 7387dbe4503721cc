/**
 * Verifying AWS Signature Version 4 on an incoming request: the Authorization
 * header or a presigned query. Stages are named as in the spec
 * (canonicalRequest → stringToSign → signature) so a mismatch says where.
 */
import { headersNotSigned, type ProxyError, proxyError } from "../errors.ts";
import { queryOf, type QueryParams, type RequestTarget } from "../http/target.ts";
import { err, ok, type Result } from "../result.ts";
import {
  canonicalHeaders,
  canonicalQueryOf,
  canonicalRequest,
  canonicalUri,
  computeSignature,
  credentialScope,
} from "../sigv4/canonical.ts";
import { EMPTY_SHA256, type SigningKeyCache } from "../sigv4/signing_key.ts";
import { constantTimeEqual } from "../bytes.ts";

/** The algorithm name. */
export const ALGORITHM = "AWS4-HMAC-SHA256";
/** Largest clock difference accepted for header-signed requests. */
export const MAX_SKEW_MS = 15 * 60 * 1000;
/** Longest presigned URL lifetime (7 days). */
export const MAX_PRESIGN_SECONDS = 604800;

/** What a request's signature claims. */
export interface SignedClaims {
  readonly presigned: boolean;
  readonly accessKeyId: string;
  /** yyyymmdd of the credential scope. */
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  /** x-amz-date / X-Amz-Date (yyyymmddThhmmssZ). */
  readonly amzDate: string;
  /** Signed payload hash: hex, UNSIGNED-PAYLOAD or a STREAMING-* marker. */
  readonly payloadHash: string;
  /** Presigned lifetime in seconds. */
  readonly expiresSecs?: number;
  /** x-amz-security-token, when present. */
  readonly sessionToken?: string;
}

const malformed = (m: string) => proxyError("AuthorizationHeaderMalformed", m);
const queryError = (m: string) => proxyError("AuthorizationQueryParametersError", m);

const AMZ_DATE = /^(\d{8})T\d{6}Z$/;

function parseCredential(
  value: string,
  fail: (m: string) => ProxyError,
): Result<{ accessKeyId: string; date: string; region: string; service: string }, ProxyError> {
  const parts = value.split("/");
  if (parts.length !== 5) {
    return err(
      fail(
        `The Credential '${value}' is malformed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`,
      ),
    );
  }
  const [accessKeyId, date, region, service, terminal] = parts as [
    string,
    string,
    string,
    string,
    string,
  ];
  if (accessKeyId === "") return err(fail("The Credential has no access key id."));
  if (!/^\d{8}$/.test(date)) return err(fail(`The Credential date '${date}' is not YYYYMMDD.`));
  if (region === "") return err(fail("The Credential has no region."));
  if (service !== "s3") {
    return err(fail(`The Credential names service '${service}'; expecting 's3'.`));
  }
  if (terminal !== "aws4_request") {
    return err(fail(`The Credential ends in '${terminal}'; expecting 'aws4_request'.`));
  }
  return ok({ accessKeyId, date, region, service });
}

const SIGNED_HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;

function parseSignedHeaders(
  value: string,
  fail: (m: string) => ProxyError,
): Result<string[], ProxyError> {
  const names = value.split(";");
  // RFC 9110 token characters, lower-case: anything else is not a header name at all.
  if (names.some((n) => !SIGNED_HEADER_NAME.test(n))) {
    return err(fail(`SignedHeaders '${value}' must be lower-case header names separated by ';'.`));
  }
  if (!names.includes("host")) return err(fail("SignedHeaders must include host."));
  return ok(names);
}

function hasBody(headers: Headers): boolean {
  const length = headers.get("content-length");
  return headers.has("transfer-encoding") || (length !== null && length !== "0");
}

/** Parses `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`. */
export function parseAuthorizationHeader(
  value: string,
  headers: Headers,
): Result<SignedClaims, ProxyError> {
  const trimmed = value.trim();
  if (!trimmed.startsWith(ALGORITHM + " ")) {
    if (/^AWS [^:]+:/.test(trimmed)) {
      return err(
        proxyError(
          "InvalidRequest",
          "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.",
        ),
      );
    }
    return err(
      malformed("The authorization header is malformed; the algorithm must be AWS4-HMAC-SHA256."),
    );
  }
  const fields = new Map<string, string>();
  for (const item of trimmed.slice(ALGORITHM.length + 1).split(",")) {
    const eq = item.indexOf("=");
    if (eq < 0) {
      return err(
        malformed(`The authorization header is malformed; '${item.trim()}' is not name=value.`),
      );
    }
    fields.set(item.slice(0, eq).trim(), item.slice(eq + 1).trim());
  }
  const credential = fields.get("Credential");
  const signedHeaders = fields.get("SignedHeaders");
  const signature = fields.get("Signature");
  if (!credential || !signedHeaders || !signature) {
    return err(
      malformed(
        "The authorization header is malformed; Credential, SignedHeaders and Signature are required.",
      ),
    );
  }
  const cred = parseCredential(credential, malformed);
  if (!cred.ok) return cred;
  const names = parseSignedHeaders(signedHeaders, malformed);
  if (!names.ok) return names;
  if (!/^[0-9a-f]{64}$/.test(signature)) {
    return err(malformed("The Signature is not 64 lower-case hex digits."));
  }
  const amzDate = headers.get("x-amz-date") ?? "";
  const m = AMZ_DATE.exec(amzDate);
  if (!m) {
    return err(
      proxyError(
        "AccessDenied",
        "AWS authentication requires a valid x-amz-date header in the form yyyyMMddTHHmmssZ.",
      ),
    );
  }
  if (m[1] !== cred.value.date) {
    return err(
      malformed(`The Credential date '${cred.value.date}' does not match x-amz-date '${amzDate}'.`),
    );
  }
  // S3 requires x-amz-content-sha256; a request without a body (curl 7's GET)
  // can only have signed the empty payload, so that is what it is checked against.
  const payloadHash = headers.get("x-amz-content-sha256") ??
    (hasBody(headers) ? undefined : EMPTY_SHA256);
  if (!payloadHash) {
    return err(
      proxyError(
        "InvalidRequest",
        "Missing required header for this request: x-amz-content-sha256",
      ),
    );
  }
  const token = headers.get("x-amz-security-token");
  return ok({
    presigned: false,
    ...cred.value,
    signedHeaders: names.value,
    signature,
    amzDate,
    payloadHash,
    ...(token ? { sessionToken: token } : {}),
  });
}

/** Whether the query carries presigned-URL authentication. */
export function isPresigned(query: QueryParams): boolean {
  return query.has("X-Amz-Algorithm") || query.has("X-Amz-Signature") ||
    query.has("X-Amz-Credential");
}

function queryParamInsensitive(query: QueryParams, lower: string): string | undefined {
  for (const [k, v] of query) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/** Parses presigned-URL query authentication. */
export function parsePresignedQuery(
  query: QueryParams,
  headers: Headers,
): Result<SignedClaims, ProxyError> {
  const get = (n: string) => query.get(n);
  if (get("X-Amz-Algorithm") !== ALGORITHM) {
    return err(queryError('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"'));
  }
  const credential = get("X-Amz-Credential");
  const signedHeaders = get("X-Amz-SignedHeaders");
  const signature = get("X-Amz-Signature");
  const amzDate = get("X-Amz-Date");
  const expires = get("X-Amz-Expires");
  if (!credential || !signedHeaders || !signature || !amzDate || !expires) {
    return err(
      queryError(
        "Query-string authentication requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.",
      ),
    );
  }
  const cred = parseCredential(credential, queryError);
  if (!cred.ok) return cred;
  const names = parseSignedHeaders(signedHeaders, queryError);
  if (!names.ok) return names;
  if (!/^[0-9a-f]{64}$/.test(signature)) {
    return err(queryError("X-Amz-Signature is not 64 lower-case hex digits."));
  }
  const m = AMZ_DATE.exec(amzDate);
  if (!m) {
    return err(
      queryError("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\""),
    );
  }
  if (m[1] !== cred.value.date) {
    return err(queryError("X-Amz-Date does not match the date of X-Amz-Credential."));
  }
  // Zero or negative is a URL that has already expired: 403 from checkTime, as S3 answers.
  if (!/^-?\d{1,12}$/.test(expires) || Number(expires) > MAX_PRESIGN_SECONDS) {
    return err(queryError("X-Amz-Expires must be an integer of at most 604800 (seven days)."));
  }
  const token = get("X-Amz-Security-Token") ?? headers.get("x-amz-security-token");
  return ok({
    presigned: true,
    ...cred.value,
    signedHeaders: names.value,
    signature,
    amzDate,
    payloadHash: queryParamInsensitive(query, "x-amz-content-sha256") ??
      headers.get("x-amz-content-sha256") ?? "UNSIGNED-PAYLOAD",
    expiresSecs: Number(expires),
    ...(token ? { sessionToken: token } : {}),
  });
}

/** Milliseconds since the epoch of an x-amz-date. */
export function amzDateMs(amzDate: string): number {
  return Date.UTC(
    Number(amzDate.slice(0, 4)),
    Number(amzDate.slice(4, 6)) - 1,
    Number(amzDate.slice(6, 8)),
    Number(amzDate.slice(9, 11)),
    Number(amzDate.slice(11, 13)),
    Number(amzDate.slice(13, 15)),
  );
}

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
  readonly host?: string | null;
}

function canonicalFor(
  claims: SignedClaims,
  r: SignedRequest,
  uri: string,
  query: string,
): string {
  return canonicalRequest({
    method: r.method,
    uri,
    query,
    headers: canonicalHeaders(
      claims.signedHeaders,
      (n) => n === "host" && r.host !== undefined ? r.host : r.headers.get(n),
    ),
    signedHeaders: claims.signedHeaders.join(";"),
    payloadHash: claims.payloadHash,
  });
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
  const unsigned: string[] = [];
  // Headers iterate their names lower-cased, sorted and once each.
  for (const [name] of headers) {
    if (!name.startsWith("x-amz-") || name === "x-amz-content-sha256") continue;
    if (name === "x-amz-date" && !claims.presigned) continue;
    if (!claims.signedHeaders.includes(name)) unsigned.push(name);
  }
  return unsigned;
}

/** A verified signature: what chunk signatures chain from. */
export interface VerifiedSignature {
  readonly signingKey: Uint8Array;
  readonly scope: string;
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
  const unsigned = unsignedAmzHeaders(claims, r.headers);
  if (unsigned.length > 0) return err(headersNotSigned(unsigned));
  // The parameters the router reads, encoded again (never the raw query as sent).
  const params = queryOf(r.target);
  if (!params.ok) return params;
  const query = canonicalQueryOf(params.value, claims.presigned ? "X-Amz-Signature" : undefined);
  const signingKey = keys.get(secret, claims.date, claims.region, claims.service);
  const scope = credentialScope(claims.date, claims.region, claims.service);
  const uri = canonicalUri(r.target.rawPath);
  if (
    constantTimeEqual(
      computeSignature(signingKey, claims.amzDate, scope, canonicalFor(claims, r, uri, query)),
      claims.signature,
    )
  ) {
    return ok({ signingKey, scope });
  }
  const raw = r.target.rawPath === "" ? "/" : r.target.rawPath;
  if (
    raw !== uri &&
    constantTimeEqual(
      computeSignature(signingKey, claims.amzDate, scope, canonicalFor(claims, r, raw, query)),
      claims.signature,
    )
  ) {
    return ok({ signingKey, scope });
  }
  return err(
    proxyError(
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
    ),
  );
}
