/**
 * What a SigV4 request claims, read from its Authorization header or its
 * presigned query: the credential scope, the signed header names, the
 * signature, the time and the payload hash. Parsing only; sigv4.ts verifies.
 */
import { type ProxyError, proxyError } from "../errors.ts";
import type { QueryParams } from "../http/target.ts";
import { err, ok, type Result } from "../result.ts";
import { EMPTY_SHA256 } from "../sigv4/signing_key.ts";

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

/**
 * S3's refusal of a credential scope naming another region than `expected`
 * (the configured `region:`), worded as S3 words it: AuthorizationHeaderMalformed
 * for a header or a POST form, AuthorizationQueryParametersError for a presigned
 * URL, naming `expected` in `<Region>` as S3 does (the SDKs retry with it).
 * Undefined when it matches, or when `expected` is absent (`region: "*"`).
 */
export function wrongRegion(
  claimed: string,
  expected: string | undefined,
  presigned: boolean,
): ProxyError | undefined {
  if (expected === undefined || claimed === expected) return undefined;
  const wrong = `the region '${claimed}' is wrong; expecting '${expected}'`;
  const refusal = presigned
    ? queryError(`Error parsing the X-Amz-Credential parameter; ${wrong}`)
    : malformed(`The authorization header is malformed; ${wrong}`);
  return { ...refusal, region: expected };
}

/** An x-amz-date (yyyymmddThhmmssZ), its day captured. */
export const AMZ_DATE = /^(\d{8})T\d{6}Z$/;
/** A signature, or a payload's SHA-256: 64 lower-case hex digits. */
export const HEX64 = /^[0-9a-f]{64}$/;
// Module constants, not literals in the functions: a literal makes its RegExp
// object again on every call, which doubled a test's cost (0.22 against 0.12 µs).
const YYYYMMDD = /^\d{8}$/;

/** Parses `<akid>/<yyyymmdd>/<region>/s3/aws4_request`, failing with `fail`'s error. */
export function parseCredential(
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
  if (!YYYYMMDD.test(date)) return err(fail(`The Credential date '${date}' is not YYYYMMDD.`));
  if (region === "") return err(fail("The Credential has no region."));
  if (service !== "s3") {
    return err(fail(`The Credential names service '${service}'; expecting 's3'.`));
  }
  if (terminal !== "aws4_request") {
    return err(fail(`The Credential ends in '${terminal}'; expecting 'aws4_request'.`));
  }
  return ok({ accessKeyId, date, region, service });
}

/** `;`-separated lower-case RFC 9110 tokens, tested once for the whole list. */
const SIGNED_HEADER_NAMES = /^[!#$%&'*+.^_`|~0-9a-z-]+(?:;[!#$%&'*+.^_`|~0-9a-z-]+)*$/;

function parseSignedHeaders(
  value: string,
  fail: (m: string) => ProxyError,
): Result<string[], ProxyError> {
  // RFC 9110 token characters, lower-case: anything else is not a header name at all.
  if (!SIGNED_HEADER_NAMES.test(value)) {
    return err(fail(`SignedHeaders '${value}' must be lower-case header names separated by ';'.`));
  }
  const names = value.split(";");
  if (!names.includes("host")) return err(fail("SignedHeaders must include host."));
  return ok(names);
}

function hasBody(headers: Headers): boolean {
  const length = headers.get("content-length");
  return headers.has("transfer-encoding") || (length !== null && length !== "0");
}

/** A credential scope's parts (`parseCredential`). */
type CredentialParts = { accessKeyId: string; date: string; region: string; service: string };

/**
 * The Credential and SignedHeaders last parsed from an Authorization header,
 * and what they gave: a client sends both alike on every request of a day.
 * Parsing only (a pure function of the two strings); one entry, so nothing
 * a client sends can grow it.
 */
let lastCredential = "";
let lastSignedHeaders = "";
let lastParts: CredentialParts | undefined;
let lastNames: readonly string[] = [];

/** The Credential's parts and the signed header names, parsed or as last parsed. */
function headerScope(
  credential: string,
  signedHeaders: string,
): Result<{ parts: CredentialParts; names: readonly string[] }, ProxyError> {
  if (
    lastParts === undefined || credential !== lastCredential ||
    signedHeaders !== lastSignedHeaders
  ) {
    const cred = parseCredential(credential, malformed);
    if (!cred.ok) return cred;
    const names = parseSignedHeaders(signedHeaders, malformed);
    if (!names.ok) return names;
    lastCredential = credential;
    lastSignedHeaders = signedHeaders;
    lastParts = cred.value;
    lastNames = names.value;
  }
  return ok({ parts: lastParts, names: lastNames });
}

/** Parses `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`. */
export function parseAuthorizationHeader(
  value: string,
  headers: Headers,
): Result<SignedClaims, ProxyError> {
  const fields = authorizationFields(value.trim());
  if (!fields.ok) return fields;
  const { credential, signedHeaders, signature } = fields.value;
  const scope = headerScope(credential, signedHeaders);
  if (!scope.ok) return scope;
  const { parts, names } = scope.value;
  if (!HEX64.test(signature)) {
    return err(malformed("The Signature is not 64 lower-case hex digits."));
  }
  const amzDate = headerAmzDate(headers, parts.date);
  if (!amzDate.ok) return amzDate;
  const payloadHash = headerPayloadHash(headers);
  if (!payloadHash.ok) return payloadHash;
  const token = headers.get("x-amz-security-token");
  // Field by field, not spreads: this runs per request.
  const claims = {
    presigned: false,
    accessKeyId: parts.accessKeyId,
    date: parts.date,
    region: parts.region,
    service: parts.service,
    signedHeaders: names,
    signature,
    amzDate: amzDate.value,
    payloadHash: payloadHash.value,
  };
  return ok(token ? { ...claims, sessionToken: token } : claims);
}

/** The three fields of `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`. */
function authorizationFields(
  trimmed: string,
): Result<{ credential: string; signedHeaders: string; signature: string }, ProxyError> {
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
  // One pass of index scans over `name=value` items split at commas (a later
  // repeat of a name wins, unknown names are ignored), with no array or map.
  let credential: string | undefined;
  let signedHeaders: string | undefined;
  let signature: string | undefined;
  for (let at = ALGORITHM.length + 1; at <= trimmed.length;) {
    const comma = trimmed.indexOf(",", at);
    const end = comma < 0 ? trimmed.length : comma;
    const eq = trimmed.indexOf("=", at);
    if (eq < 0 || eq >= end) {
      return err(
        malformed(
          `The authorization header is malformed; '${
            trimmed.slice(at, end).trim()
          }' is not name=value.`,
        ),
      );
    }
    const name = trimmed.slice(at, eq).trim();
    const value = trimmed.slice(eq + 1, end).trim();
    if (name === "Credential") credential = value;
    else if (name === "SignedHeaders") signedHeaders = value;
    else if (name === "Signature") signature = value;
    at = end + 1;
  }
  if (!credential || !signedHeaders || !signature) {
    return err(
      malformed(
        "The authorization header is malformed; Credential, SignedHeaders and Signature are required.",
      ),
    );
  }
  return ok({ credential, signedHeaders, signature });
}

/** The x-amz-date header, which must be of the Credential's day. */
function headerAmzDate(headers: Headers, credentialDate: string): Result<string, ProxyError> {
  const amzDate = headers.get("x-amz-date") ?? "";
  if (!AMZ_DATE.test(amzDate)) {
    return err(
      proxyError(
        "AccessDenied",
        "AWS authentication requires a valid x-amz-date header in the form yyyyMMddTHHmmssZ.",
      ),
    );
  }
  if (!amzDate.startsWith(credentialDate)) {
    return err(
      malformed(`The Credential date '${credentialDate}' does not match x-amz-date '${amzDate}'.`),
    );
  }
  return ok(amzDate);
}

/**
 * The signed payload hash: S3 requires x-amz-content-sha256; a request
 * without a body (curl 7's GET) can only have signed the empty payload, so
 * that is what it is checked against.
 */
function headerPayloadHash(headers: Headers): Result<string, ProxyError> {
  const payloadHash = headers.get("x-amz-content-sha256") ??
    (hasBody(headers) ? undefined : EMPTY_SHA256);
  if (payloadHash) return ok(payloadHash);
  return err(
    proxyError("InvalidRequest", "Missing required header for this request: x-amz-content-sha256"),
  );
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

/**
 * What a presigned URL's query claims on its own, before the headers fill in
 * what it leaves out: a pure function of the raw query, which
 * auth/presigned_cache.ts may keep for a URL used again.
 */
export interface PresignedParams extends Omit<SignedClaims, "payloadHash" | "sessionToken"> {
  /** X-Amz-Content-Sha256 in any case, when the query has it. */
  readonly queryPayloadHash: string | undefined;
  /** X-Amz-Security-Token, when the query has it ("" = none, and no header either). */
  readonly queryToken: string | null;
}

/** Parses presigned-URL query authentication. */
export function parsePresignedQuery(
  query: QueryParams,
  headers: Headers,
): Result<SignedClaims, ProxyError> {
  const params = parsePresignedParams(query);
  return params.ok ? ok(presignedClaims(params.value, headers)) : params;
}

/** A presigned URL's claims: its query's, the token and payload hash from the headers when absent. */
export function presignedClaims(p: PresignedParams, headers: Headers): SignedClaims {
  const token = p.queryToken ?? headers.get("x-amz-security-token");
  // Field by field, not a rest spread: this runs per request.
  const claims = {
    presigned: true,
    accessKeyId: p.accessKeyId,
    date: p.date,
    region: p.region,
    service: p.service,
    signedHeaders: p.signedHeaders,
    signature: p.signature,
    amzDate: p.amzDate,
    payloadHash: p.queryPayloadHash ?? headers.get("x-amz-content-sha256") ?? "UNSIGNED-PAYLOAD",
    expiresSecs: p.expiresSecs!,
  };
  return token ? { ...claims, sessionToken: token } : claims;
}

/** The claims of a presigned URL's query alone (`PresignedParams`). */
export function parsePresignedParams(query: QueryParams): Result<PresignedParams, ProxyError> {
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
  if (!HEX64.test(signature)) {
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
  return ok({
    presigned: true,
    ...cred.value,
    signedHeaders: names.value,
    signature,
    amzDate,
    expiresSecs: Number(expires),
    queryPayloadHash: queryParamInsensitive(query, "x-amz-content-sha256"),
    queryToken: get("X-Amz-Security-Token"),
  });
}
