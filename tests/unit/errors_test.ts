import assert from "node:assert/strict";
import {
  type ProxyError,
  proxyError,
  type ProxyErrorKind,
  ProxyStreamError,
  S3_ERRORS,
  s3ErrorXml,
  statusOf,
  toProxyError,
  toResponse,
  toStsResponse,
  withHeaders,
} from "../../src/errors.ts";

const GENERIC = "We encountered an internal error. Please try again.";

// Written out from docs/design.md's error table and S3's documented codes, not read back from S3_ERRORS;
// typed over every kind, so a new kind without a row here fails `deno check`.
const EXPECTED: Readonly<Record<ProxyErrorKind, readonly [number, string]>> = {
  BucketNotFound: [404, "NoSuchBucket"],
  NoSuchKey: [404, "NoSuchKey"],
  AccessDenied: [403, "AccessDenied"],
  SignatureDoesNotMatch: [403, "SignatureDoesNotMatch"],
  MissingAuth: [403, "AccessDenied"],
  ExpiredCredentials: [403, "ExpiredToken"],
  InvalidOidcToken: [400, "InvalidIdentityToken"],
  RoleNotFound: [403, "AccessDenied"],
  InvalidRequest: [400, "InvalidRequest"],
  MalformedXml: [400, "MalformedXML"],
  NotImplemented: [501, "NotImplemented"],
  CorsForbidden: [403, "AccessForbidden"],
  CorsBadRequest: [400, "BadRequest"],
  SlowDown: [503, "SlowDown"],
  QuotaExceeded: [429, "QuotaExceeded"],
  MetadataTooLarge: [400, "MetadataTooLarge"],
  HeadersTooLarge: [400, "RequestHeaderSectionTooLarge"],
  EntityTooLarge: [400, "EntityTooLarge"],
  BackendError: [503, "ServiceUnavailable"],
  PreconditionFailed: [412, "PreconditionFailed"],
  ConditionalRequestConflict: [409, "ConditionalRequestConflict"],
  NotModified: [304, "NotModified"],
  ConfigError: [500, "InternalError"],
  Internal: [500, "InternalError"],
  InvalidAccessKeyId: [403, "InvalidAccessKeyId"],
  InvalidToken: [400, "InvalidToken"],
  RequestTimeTooSkewed: [403, "RequestTimeTooSkewed"],
  AuthorizationHeaderMalformed: [400, "AuthorizationHeaderMalformed"],
  AuthorizationQueryParametersError: [400, "AuthorizationQueryParametersError"],
  XAmzContentSHA256Mismatch: [400, "XAmzContentSHA256Mismatch"],
  BadDigest: [400, "BadDigest"],
  InvalidDigest: [400, "InvalidDigest"],
  InvalidArgument: [400, "InvalidArgument"],
  InvalidRange: [416, "InvalidRange"],
  NoSuchUpload: [404, "NoSuchUpload"],
  InvalidPart: [400, "InvalidPart"],
  InvalidPartOrder: [400, "InvalidPartOrder"],
  InvalidPartNumber: [416, "InvalidPartNumber"],
  InvalidURI: [400, "InvalidURI"],
  EntityTooSmall: [400, "EntityTooSmall"],
  MethodNotAllowed: [405, "MethodNotAllowed"],
  IncompleteBody: [400, "IncompleteBody"],
  MalformedTrailerError: [400, "MalformedTrailerError"],
  MissingContentLength: [411, "MissingContentLength"],
  KeyTooLong: [400, "KeyTooLongError"],
  InvalidBucketName: [400, "InvalidBucketName"],
  BucketAlreadyOwnedByYou: [409, "BucketAlreadyOwnedByYou"],
  RequestTimeout: [400, "RequestTimeout"],
  MalformedPOSTRequest: [400, "MalformedPOSTRequest"],
  MaxPostPreDataLengthExceeded: [400, "MaxPostPreDataLengthExceededError"],
  IncorrectNumberOfFiles: [400, "IncorrectNumberOfFilesInPostRequest"],
  InvalidPolicyDocument: [400, "InvalidPolicyDocument"],
  StorageFull: [507, "XMinioStorageFull"],
  InvalidAction: [400, "InvalidAction"],
  StsNotConfigured: [501, "NotImplemented"],
  IdpCommunicationError: [400, "IDPCommunicationError"],
  MalformedPolicyDocument: [400, "MalformedPolicyDocument"],
  ValidationError: [400, "ValidationError"],
  PackedPolicyTooLarge: [400, "PackedPolicyTooLarge"],
};

const KINDS = Object.keys(EXPECTED) as ProxyErrorKind[];

function elementOf(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
}

Deno.test("S3_ERRORS maps exactly the expected kinds", () => {
  assert.deepEqual(Object.keys(S3_ERRORS).sort(), [...KINDS].sort());
});

Deno.test("toResponse() gives every kind its status and S3 code", async () => {
  for (const kind of KINDS) {
    const [status, code] = EXPECTED[kind];
    const res = toResponse(proxyError(kind, "detail for the client"), "RID");
    assert.equal(res.status, status, kind);
    assert.equal(statusOf({ kind, message: "" }), status, kind);
    const body = await res.text();
    if (status === 304) {
      assert.equal(body, "", kind);
      continue;
    }
    assert.equal(elementOf(body, "Code"), code, kind);
  }
});

Deno.test("toResponse() keeps 4xx, 501 and SlowDown messages and makes other 5xx generic", async () => {
  for (const kind of KINDS) {
    const [status] = EXPECTED[kind];
    if (status === 304) continue;
    const body = await toResponse(proxyError(kind, "the precise reason"), "RID").text();
    const kept = status < 500 || status === 501 || kind === "SlowDown";
    assert.equal(elementOf(body, "Message"), kept ? "the precise reason" : GENERIC, kind);
  }
});

Deno.test("toResponse() renders S3's error document with the request id in header and body", async () => {
  const res = toResponse(proxyError("NoSuchKey", "The specified key does not exist."), "RID-1");
  assert.deepEqual(Object.fromEntries(res.headers), {
    "content-type": "application/xml",
    "x-amz-id-2": "RID-1",
    "x-amz-request-id": "RID-1",
  });
  assert.equal(
    await res.text(),
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code>' +
      "<Message>The specified key does not exist.</Message><RequestId>RID-1</RequestId></Error>",
  );
});

Deno.test("toResponse() escapes the message and the request id", async () => {
  const body = await toResponse(proxyError("InvalidArgument", `bad <key> & "x"`), "a<b").text();
  assert.ok(body.includes("<Message>bad &lt;key&gt; &amp; &quot;x&quot;</Message>"), body);
  assert.ok(body.includes("<RequestId>a&lt;b</RequestId>"), body);
});

Deno.test("toResponse() sends no body for HEAD, keeping status and headers", async () => {
  const res = toResponse(proxyError("NoSuchKey", "x"), "RID", { head: true });
  assert.equal(res.status, 404);
  assert.equal(res.body, null);
  assert.equal(res.headers.get("x-amz-request-id"), "RID");
  assert.equal(res.headers.get("content-type"), null);
  assert.equal(await res.text(), "");
});

Deno.test("toResponse() sends a 304 without body or content type", () => {
  const res = toResponse(proxyError("NotModified", "Not Modified"), "RID");
  assert.equal(res.status, 304);
  assert.equal(res.body, null);
  assert.equal(res.headers.get("content-type"), null);
});

Deno.test("toResponse() carries the headers of the error, but never over the request id", () => {
  const e = withHeaders(proxyError("PreconditionFailed", "x"), {
    etag: '"e"',
    "last-modified": "Thu, 01 Jan 2026 00:00:00 GMT",
    "x-amz-request-id": "forged",
  });
  for (const head of [false, true]) {
    const res = toResponse(e, "RID", { head });
    assert.equal(res.headers.get("etag"), '"e"');
    assert.equal(res.headers.get("last-modified"), "Thu, 01 Jan 2026 00:00:00 GMT");
    assert.equal(res.headers.get("x-amz-request-id"), "RID");
    void res.body?.cancel();
  }
  const notModified = toResponse(withHeaders(proxyError("NotModified", "x"), { etag: '"e"' }), "R");
  assert.equal(notModified.headers.get("etag"), '"e"');
});

Deno.test("toResponse() adds Allow to MethodNotAllowed and Retry-After to SlowDown", () => {
  const allow = toResponse(proxyError("MethodNotAllowed", "x"), "R");
  assert.equal(allow.headers.get("allow"), "GET, HEAD, PUT, POST, DELETE");
  assert.equal(allow.headers.get("retry-after"), null);
  const slow = toResponse(proxyError("SlowDown", "Please reduce your request rate."), "R");
  assert.equal(slow.headers.get("retry-after"), "1");
  assert.equal(slow.headers.get("allow"), null);
  const later = toResponse(withHeaders(proxyError("SlowDown", "x"), { "retry-after": "7" }), "R");
  assert.equal(later.headers.get("retry-after"), "7", "a rate limit's own Retry-After is kept");
  void allow.body?.cancel();
  void slow.body?.cancel();
  void later.body?.cancel();
});

Deno.test("s3ErrorXml() escapes all three fields", () => {
  assert.equal(
    s3ErrorXml("A&B", "<m>", "'r'"),
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>A&amp;B</Code><Message>&lt;m&gt;</Message>' +
      "<RequestId>&apos;r&apos;</RequestId></Error>",
  );
});

Deno.test("toResponse() names an error's region in <Region>, before the RequestId, as S3 does", async () => {
  const e: ProxyError = { ...proxyError("AuthorizationHeaderMalformed", "m"), region: "eu-west-3" };
  const xml = await toResponse(e, "R1").text();
  assert.match(xml, /<Message>m<\/Message><Region>eu-west-3<\/Region><RequestId>R1<\/RequestId>/);
  assert.doesNotMatch(await toResponse(proxyError("NoSuchKey", "m"), "R1").text(), /<Region>/);
});

Deno.test("proxyError() leaves detail out unless given; withHeaders() merges", () => {
  assert.deepEqual(proxyError("Internal", "m"), { kind: "Internal", message: "m" });
  assert.deepEqual(proxyError("Internal", "m", { cause: 1 }), {
    kind: "Internal",
    message: "m",
    detail: { cause: 1 },
  });
  const e: ProxyError = withHeaders(withHeaders(proxyError("NoSuchKey", "m"), { a: "1" }), {
    b: "2",
    a: "3",
  });
  assert.deepEqual(e.headers, { a: "3", b: "2" });
});

Deno.test("toProxyError() unwraps a ProxyStreamError and hides anything else", () => {
  const inner = proxyError("BadDigest", "digest mismatch");
  const wrapped = new ProxyStreamError(inner);
  assert.equal(wrapped.name, "ProxyStreamError");
  assert.equal(wrapped.message, "digest mismatch");
  assert.equal(toProxyError(wrapped), inner);
  const io = new Error("disk on fire");
  assert.deepEqual(toProxyError(io), { kind: "Internal", message: GENERIC, detail: io });
  assert.equal(toProxyError(io, "BackendError").kind, "BackendError");
});

const STS: readonly [ProxyErrorKind, number, string][] = [
  ["RoleNotFound", 400, "MalformedPolicyDocument"],
  ["InvalidOidcToken", 400, "InvalidIdentityToken"],
  ["InvalidRequest", 400, "InvalidParameterValue"],
  ["InvalidArgument", 400, "InvalidParameterValue"],
  ["MalformedXml", 400, "InvalidParameterValue"],
  ["AccessDenied", 403, "AccessDenied"],
  ["ExpiredCredentials", 400, "ExpiredTokenException"],
  ["InvalidAction", 400, "InvalidAction"],
  ["StsNotConfigured", 501, "NotImplemented"],
  ["IdpCommunicationError", 400, "IDPCommunicationError"],
  // Kinds without an STS name keep their S3 status and code.
  ["SlowDown", 503, "SlowDown"],
  ["NoSuchKey", 404, "NoSuchKey"],
  ["Internal", 500, "InternalError"],
];

Deno.test("toStsResponse() gives each kind its STS status and code", async () => {
  for (const [kind, status, code] of STS) {
    const res = toStsResponse(proxyError(kind, "why"), "RID");
    assert.equal(res.status, status, kind);
    const body = await res.text();
    assert.equal(elementOf(body, "Code"), code, kind);
    assert.equal(elementOf(body, "Type"), status >= 500 ? "Receiver" : "Sender", kind);
    assert.equal(
      elementOf(body, "Message"),
      status >= 500 && status !== 501 ? GENERIC : "why",
      kind,
    );
  }
});

Deno.test("toStsResponse() renders the STS error document", async () => {
  const res = toStsResponse(proxyError("InvalidOidcToken", "token & expired"), "R<1>");
  assert.deepEqual(Object.fromEntries(res.headers), {
    "content-type": "text/xml",
    "x-amzn-requestid": "R<1>",
  });
  assert.equal(
    await res.text(),
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>' +
      "<Code>InvalidIdentityToken</Code><Message>token &amp; expired</Message></Error>" +
      "<RequestId>R&lt;1&gt;</RequestId></ErrorResponse>",
  );
});
