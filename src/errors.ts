/**
 * The typed errors of bucketgate and the one place they become bytes: S3 XML
 * (`toResponse`) or STS XML (`toStsResponse`).
 */
import { xmlEscape } from "./xml.ts";

/** Status and S3 code of every error kind; a new kind must be added here. */
export const S3_ERRORS = {
  BucketNotFound: { status: 404, code: "NoSuchBucket" },
  NoSuchKey: { status: 404, code: "NoSuchKey" },
  AccessDenied: { status: 403, code: "AccessDenied" },
  SignatureDoesNotMatch: { status: 403, code: "SignatureDoesNotMatch" },
  MissingAuth: { status: 403, code: "AccessDenied" },
  ExpiredCredentials: { status: 403, code: "ExpiredToken" },
  InvalidOidcToken: { status: 400, code: "InvalidIdentityToken" },
  RoleNotFound: { status: 403, code: "AccessDenied" },
  InvalidRequest: { status: 400, code: "InvalidRequest" },
  MalformedXml: { status: 400, code: "MalformedXML" },
  NotImplemented: { status: 501, code: "NotImplemented" },
  CorsForbidden: { status: 403, code: "AccessForbidden" },
  // An OPTIONS that is no preflight (no Origin, no valid Access-Control-Request-Method).
  CorsBadRequest: { status: 400, code: "BadRequest" },
  SlowDown: { status: 503, code: "SlowDown" },
  // Over a quota of `quotas:` (429, as multistore answers; Retry-After until the window resets).
  QuotaExceeded: { status: 429, code: "QuotaExceeded" },
  MetadataTooLarge: { status: 400, code: "MetadataTooLarge" },
  HeadersTooLarge: { status: 400, code: "RequestHeaderSectionTooLarge" },
  EntityTooLarge: { status: 400, code: "EntityTooLarge" },
  BackendError: { status: 503, code: "ServiceUnavailable" },
  PreconditionFailed: { status: 412, code: "PreconditionFailed" },
  // A conditional write that could not take its turn on the key in time.
  ConditionalRequestConflict: { status: 409, code: "ConditionalRequestConflict" },
  NotModified: { status: 304, code: "NotModified" },
  ConfigError: { status: 500, code: "InternalError" },
  Internal: { status: 500, code: "InternalError" },
  // Precise S3 codes that clients act on.
  InvalidAccessKeyId: { status: 403, code: "InvalidAccessKeyId" },
  InvalidToken: { status: 400, code: "InvalidToken" },
  RequestTimeTooSkewed: { status: 403, code: "RequestTimeTooSkewed" },
  AuthorizationHeaderMalformed: { status: 400, code: "AuthorizationHeaderMalformed" },
  AuthorizationQueryParametersError: { status: 400, code: "AuthorizationQueryParametersError" },
  XAmzContentSHA256Mismatch: { status: 400, code: "XAmzContentSHA256Mismatch" },
  BadDigest: { status: 400, code: "BadDigest" },
  InvalidDigest: { status: 400, code: "InvalidDigest" },
  InvalidArgument: { status: 400, code: "InvalidArgument" },
  InvalidRange: { status: 416, code: "InvalidRange" },
  NoSuchUpload: { status: 404, code: "NoSuchUpload" },
  InvalidPart: { status: 400, code: "InvalidPart" },
  InvalidPartOrder: { status: 400, code: "InvalidPartOrder" },
  InvalidPartNumber: { status: 416, code: "InvalidPartNumber" },
  EntityTooSmall: { status: 400, code: "EntityTooSmall" },
  MethodNotAllowed: { status: 405, code: "MethodNotAllowed" },
  IncompleteBody: { status: 400, code: "IncompleteBody" },
  MalformedTrailerError: { status: 400, code: "MalformedTrailerError" },
  MissingContentLength: { status: 411, code: "MissingContentLength" },
  KeyTooLong: { status: 400, code: "KeyTooLongError" },
  InvalidBucketName: { status: 400, code: "InvalidBucketName" },
  BucketAlreadyOwnedByYou: { status: 409, code: "BucketAlreadyOwnedByYou" },
  RequestTimeout: { status: 400, code: "RequestTimeout" },
  // POST Object (browser form uploads): a body that is not multipart/form-data
  // as declared, fields before the file over S3's 20 KB, no file (or more than
  // one), and a policy document that does not parse.
  MalformedPOSTRequest: { status: 400, code: "MalformedPOSTRequest" },
  MaxPostPreDataLengthExceeded: { status: 400, code: "MaxPostPreDataLengthExceededError" },
  IncorrectNumberOfFiles: { status: 400, code: "IncorrectNumberOfFilesInPostRequest" },
  InvalidPolicyDocument: { status: 400, code: "InvalidPolicyDocument" },
  // A query string that does not decode strictly (bad %-escape, not UTF-8).
  InvalidURI: { status: 400, code: "InvalidURI" },
  // The fs backend's disk is full or over quota: 507 (not retried by the AWS
  // SDKs, unlike 503) with the code S3 tools know from MinIO.
  StorageFull: { status: 507, code: "XMinioStorageFull" },
  // STS-only kinds (an S3 operation never returns them).
  InvalidAction: { status: 400, code: "InvalidAction" },
  StsNotConfigured: { status: 501, code: "NotImplemented" },
  IdpCommunicationError: { status: 400, code: "IDPCommunicationError" },
  // STS session policies: a `Policy` that does not parse or compile, one over
  // 2,048 characters, and a session whose sealed token would exceed its bound.
  MalformedPolicyDocument: { status: 400, code: "MalformedPolicyDocument" },
  ValidationError: { status: 400, code: "ValidationError" },
  PackedPolicyTooLarge: { status: 400, code: "PackedPolicyTooLarge" },
} as const satisfies Record<string, { status: number; code: string }>;

/** Every kind of error a handler or backend can return. */
export type ProxyErrorKind = keyof typeof S3_ERRORS;

/**
 * A failure as data. `message` is shown to the client on 4xx; `detail` (never a
 * secret) only goes to the log.
 */
export interface ProxyError {
  readonly kind: ProxyErrorKind;
  readonly message: string;
  readonly detail?: unknown;
  /**
   * Response headers the error answer carries, e.g. the object's ETag and
   * Last-Modified on a 304 or 412 (RFC 9110 §15.4.5, as S3 sends them).
   */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * The `x-amz-*` headers a request carried without signing them, which S3
   * names in `<HeadersNotSigned>` (see `headersNotSigned`).
   */
  readonly headersNotSigned?: readonly string[];
  /** The region S3 names in `<Region>` when a signature's scope names another (see `wrongRegion`). */
  readonly region?: string;
}

/** Builds a ProxyError. */
export function proxyError(kind: ProxyErrorKind, message: string, detail?: unknown): ProxyError {
  return detail === undefined ? { kind, message } : { kind, message, detail };
}

/** The error with response headers added to those it carries. */
export function withHeaders(e: ProxyError, headers: Readonly<Record<string, string>>): ProxyError {
  return { ...e, headers: { ...e.headers, ...headers } };
}

/**
 * S3's refusal of a signed request that carries `x-amz-*` headers its
 * signature does not cover: 403 AccessDenied naming them.
 */
export function headersNotSigned(names: readonly string[]): ProxyError {
  return {
    kind: "AccessDenied",
    message: "There were headers present in the request which were not signed",
    headersNotSigned: names,
  };
}

/**
 * An exception that carries a ProxyError out of a stream transform (a stream
 * can only fail by erroring); `toProxyError` turns it back.
 */
export class ProxyStreamError extends Error {
  /** The error the stream failed with. */
  readonly proxy: ProxyError;
  constructor(proxy: ProxyError) {
    super(proxy.message);
    this.name = "ProxyStreamError";
    this.proxy = proxy;
  }
}

/** Maps anything thrown (a stream error, an I/O error) to a ProxyError. */
export function toProxyError(e: unknown, fallback: ProxyErrorKind = "Internal"): ProxyError {
  if (e instanceof ProxyStreamError) return e.proxy;
  return proxyError(fallback, "We encountered an internal error. Please try again.", e);
}

const GENERIC_5XX = "We encountered an internal error. Please try again.";

/**
 * What the client is told: 4xx, 501 and SlowDown messages say what was wrong;
 * other 5xx stay generic (their detail goes to the log).
 */
function clientMessage(status: number, message: string, code = ""): string {
  return status >= 500 && status !== 501 && code !== "SlowDown" ? GENERIC_5XX : message;
}

/** Status of an error kind. */
export function statusOf(e: ProxyError): number {
  return S3_ERRORS[e.kind].status;
}

/** Elements an S3 error body carries besides Code, Message and RequestId. */
export interface ErrorXmlExtras {
  /** `<HeadersNotSigned>a, b</HeadersNotSigned>`, as S3 names unsigned `x-amz-*` headers. */
  readonly headersNotSigned?: readonly string[];
  /** `<Region>us-east-1</Region>`: the region a signature should have named. */
  readonly region?: string;
}

/**
 * Renders an S3 error body (`<Error><Code/><Message/>…<RequestId/></Error>`),
 * every text escaped.
 */
export function s3ErrorXml(
  code: string,
  message: string,
  requestId: string,
  extras: ErrorXmlExtras = {},
): string {
  const notSigned = extras.headersNotSigned?.length
    ? `<HeadersNotSigned>${xmlEscape(extras.headersNotSigned.join(", "))}</HeadersNotSigned>`
    : "";
  const region = extras.region !== undefined ? `<Region>${xmlEscape(extras.region)}</Region>` : "";
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${xmlEscape(code)}</Code>` +
    `<Message>${xmlEscape(message)}</Message>${notSigned}${region}<RequestId>${
      xmlEscape(requestId)
    }</RequestId></Error>`;
}

/** Options for rendering an error response. */
export interface ErrorResponseOptions {
  /** HEAD responses carry no body. */
  readonly head?: boolean;
}

/** The one place a ProxyError becomes an S3 response. */
export function toResponse(
  e: ProxyError,
  requestId: string,
  options: ErrorResponseOptions = {},
): Response {
  const { status, code } = S3_ERRORS[e.kind];
  const message = clientMessage(status, e.message, code);
  const headers = new Headers({
    ...e.headers,
    "x-amz-request-id": requestId,
    "x-amz-id-2": requestId,
  });
  if (status === 304 || options.head) {
    return new Response(null, { status, headers });
  }
  headers.set("content-type", "application/xml");
  if (e.kind === "MethodNotAllowed") headers.set("allow", "GET, HEAD, PUT, POST, DELETE");
  if (e.kind === "SlowDown" && !headers.has("retry-after")) headers.set("retry-after", "1");
  const extras = {
    ...(e.headersNotSigned ? { headersNotSigned: e.headersNotSigned } : {}),
    ...(e.region !== undefined ? { region: e.region } : {}),
  };
  return new Response(s3ErrorXml(code, message, requestId, extras), { status, headers });
}

const STS_ERRORS: Partial<Record<ProxyErrorKind, { status: number; code: string }>> = {
  RoleNotFound: { status: 400, code: "MalformedPolicyDocument" },
  InvalidOidcToken: { status: 400, code: "InvalidIdentityToken" },
  InvalidRequest: { status: 400, code: "InvalidParameterValue" },
  InvalidArgument: { status: 400, code: "InvalidParameterValue" },
  MalformedXml: { status: 400, code: "InvalidParameterValue" },
  AccessDenied: { status: 403, code: "AccessDenied" },
  ExpiredCredentials: { status: 400, code: "ExpiredTokenException" },
  InvalidAction: { status: 400, code: "InvalidAction" },
  StsNotConfigured: { status: 501, code: "NotImplemented" },
  IdpCommunicationError: { status: 400, code: "IDPCommunicationError" },
};

/** The one place a ProxyError becomes an STS error response. */
export function toStsResponse(e: ProxyError, requestId: string): Response {
  // Kinds with no STS name of their own keep their S3 status and code (never a 500 for a 4xx).
  const mapped = STS_ERRORS[e.kind] ?? S3_ERRORS[e.kind];
  const message = clientMessage(mapped.status, e.message);
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">` +
    `<Error><Type>${
      mapped.status >= 500 ? "Receiver" : "Sender"
    }</Type><Code>${mapped.code}</Code>` +
    `<Message>${xmlEscape(message)}</Message></Error><RequestId>${
      xmlEscape(requestId)
    }</RequestId>` +
    `</ErrorResponse>`;
  return new Response(body, {
    status: mapped.status,
    headers: { "content-type": "text/xml", "x-amzn-requestid": requestId },
  });
}
