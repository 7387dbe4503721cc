import assert from "node:assert/strict";
import {
  isPresigned,
  parseAuthorizationHeader,
  parsePresignedQuery,
} from "../../../src/auth/sigv4_claims.ts";
import { EMPTY_SHA256 } from "../../../src/sigv4/signing_key.ts";

const SIG = "f".repeat(64);
const CRED = "AKIDEXAMPLE/20260101/us-east-1/s3/aws4_request";
const auth = (o: { cred?: string; signed?: string; sig?: string } = {}) =>
  `AWS4-HMAC-SHA256 Credential=${o.cred ?? CRED}, SignedHeaders=${
    o.signed ?? "host;x-amz-date"
  }, Signature=${o.sig ?? SIG}`;
const DATE_HEADERS = { "x-amz-date": "20260101T120000Z" };

function headerError(value: string, headers: Record<string, string> = DATE_HEADERS): string {
  const r = parseAuthorizationHeader(value, new Headers(headers));
  assert.ok(!r.ok, value);
  return `${r.error.kind}: ${r.error.message}`;
}

Deno.test("parseAuthorizationHeader() reads every claim of a valid header", () => {
  const r = parseAuthorizationHeader(
    auth(),
    new Headers({
      ...DATE_HEADERS,
      "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
      "x-amz-security-token": "tok",
    }),
  );
  assert.ok(r.ok);
  assert.deepEqual(r.value, {
    presigned: false,
    accessKeyId: "AKIDEXAMPLE",
    date: "20260101",
    region: "us-east-1",
    service: "s3",
    signedHeaders: ["host", "x-amz-date"],
    signature: SIG,
    amzDate: "20260101T120000Z",
    payloadHash: "UNSIGNED-PAYLOAD",
    sessionToken: "tok",
  });
});

Deno.test("parseAuthorizationHeader() takes the empty payload for a bodiless request without x-amz-content-sha256", () => {
  const r = parseAuthorizationHeader(auth(), new Headers(DATE_HEADERS));
  assert.ok(r.ok);
  assert.equal(r.value.payloadHash, EMPTY_SHA256);
  assert.match(
    headerError(auth(), { ...DATE_HEADERS, "content-length": "3" }),
    /^InvalidRequest: Missing required header for this request: x-amz-content-sha256/,
  );
});

Deno.test("parseAuthorizationHeader() answers SigV2 with InvalidRequest, another algorithm as malformed", () => {
  assert.match(headerError("AWS AKID:c2ln"), /^InvalidRequest: The authorization mechanism/);
  assert.match(headerError("AWS4-HMAC-SHA512 Credential=x"), /^AuthorizationHeaderMalformed/);
});

Deno.test("parseAuthorizationHeader() names each malformed part", () => {
  const cases: [string, RegExp][] = [
    [auth({ cred: "AKID/20260101/us-east-1/s3" }), /is malformed; expecting/],
    [auth({ cred: "/20260101/us-east-1/s3/aws4_request" }), /no access key id/],
    [auth({ cred: "AKID/2026-1-1/us-east-1/s3/aws4_request" }), /is not YYYYMMDD/],
    [auth({ cred: "AKID/20260101//s3/aws4_request" }), /no region/],
    [auth({ cred: "AKID/20260101/us-east-1/sts/aws4_request" }), /service 'sts'; expecting 's3'/],
    [auth({ cred: "AKID/20260101/us-east-1/s3/aws5_request" }), /ends in 'aws5_request'/],
    [auth({ signed: "Host;x-amz-date" }), /must be lower-case header names/],
    [auth({ signed: "x-amz-date" }), /must include host/],
    [auth({ sig: "F".repeat(64) }), /64 lower-case hex digits/],
    ["AWS4-HMAC-SHA256 Credential=x SignedHeaders=host", /required/],
    ["AWS4-HMAC-SHA256 Credential=x, junk", /'junk' is not name=value/],
    [`${auth()},`, /'' is not name=value/],
    [`${auth()}, x=1,junk`, /'junk' is not name=value/],
    [auth({ signed: "host;;x-amz-date" }), /must be lower-case header names/],
    [auth({ signed: "host;" }), /must be lower-case header names/],
  ];
  for (const [value, message] of cases) {
    const e = headerError(value);
    assert.match(e, /^AuthorizationHeaderMalformed: /, value);
    assert.match(e, message, value);
  }
});

Deno.test("parseAuthorizationHeader() wants an x-amz-date of the Credential's day", () => {
  assert.match(headerError(auth(), {}), /^AccessDenied: .*valid x-amz-date/);
  assert.match(
    headerError(auth(), { "x-amz-date": "20260102T000000Z" }),
    /^AuthorizationHeaderMalformed: .*does not match x-amz-date/,
  );
});

const PRESIGNED = {
  "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
  "X-Amz-Credential": CRED,
  "X-Amz-Date": "20260101T120000Z",
  "X-Amz-Expires": "3600",
  "X-Amz-SignedHeaders": "host",
  "X-Amz-Signature": SIG,
};

function queryError(over: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...PRESIGNED, ...over })) if (v !== undefined) q.set(k, v);
  const r = parsePresignedQuery(q, new Headers());
  assert.ok(!r.ok, JSON.stringify(over));
  assert.equal(r.error.kind, "AuthorizationQueryParametersError");
  return r.error.message;
}

Deno.test("isPresigned() looks for any of the presigned parameters", () => {
  assert.equal(isPresigned(new URLSearchParams("X-Amz-Signature=x")), true);
  assert.equal(isPresigned(new URLSearchParams("X-Amz-Credential=x")), true);
  assert.equal(isPresigned(new URLSearchParams("X-Amz-Algorithm=x")), true);
  assert.equal(isPresigned(new URLSearchParams("x-amz-signature=x&list-type=2")), false);
});

Deno.test("parsePresignedQuery() reads every claim, payload hash UNSIGNED-PAYLOAD by default", () => {
  const r = parsePresignedQuery(new URLSearchParams(PRESIGNED), new Headers());
  assert.ok(r.ok);
  assert.deepEqual(r.value, {
    presigned: true,
    accessKeyId: "AKIDEXAMPLE",
    date: "20260101",
    region: "us-east-1",
    service: "s3",
    signedHeaders: ["host"],
    signature: SIG,
    amzDate: "20260101T120000Z",
    payloadHash: "UNSIGNED-PAYLOAD",
    expiresSecs: 3600,
  });
});

Deno.test("parsePresignedQuery() takes the token and payload hash from the query, else the headers", () => {
  const q = new URLSearchParams({
    ...PRESIGNED,
    "X-Amz-Security-Token": "qtok",
    "x-amz-content-sha256": EMPTY_SHA256,
  });
  const r = parsePresignedQuery(q, new Headers({ "x-amz-security-token": "htok" }));
  assert.ok(r.ok);
  assert.equal(r.value.sessionToken, "qtok");
  assert.equal(r.value.payloadHash, EMPTY_SHA256);
  const h = parsePresignedQuery(
    new URLSearchParams(PRESIGNED),
    new Headers({ "x-amz-security-token": "htok", "x-amz-content-sha256": "UNSIGNED-PAYLOAD" }),
  );
  assert.ok(h.ok);
  assert.equal(h.value.sessionToken, "htok");
});

Deno.test("parsePresignedQuery() names each bad parameter", () => {
  assert.match(queryError({ "X-Amz-Algorithm": "AWS4-HMAC-SHA1" }), /only supports/);
  assert.match(queryError({ "X-Amz-Expires": undefined }), /requires the X-Amz-Algorithm/);
  assert.match(queryError({ "X-Amz-Credential": "AKID/x" }), /is malformed/);
  assert.match(queryError({ "X-Amz-SignedHeaders": "x-amz-date" }), /must include host/);
  assert.match(queryError({ "X-Amz-Signature": "abc" }), /64 lower-case hex/);
  assert.match(queryError({ "X-Amz-Date": "2026-01-01" }), /ISO8601 Long Format/);
  assert.match(queryError({ "X-Amz-Date": "20260102T000000Z" }), /does not match the date/);
  assert.match(queryError({ "X-Amz-Expires": "604801" }), /at most 604800/);
  assert.match(queryError({ "X-Amz-Expires": "1.5" }), /at most 604800/);
});

Deno.test("parsePresignedQuery() leaves a zero or negative lifetime for the clock check", () => {
  for (const expires of ["0", "-5", "604800"]) {
    const r = parsePresignedQuery(
      new URLSearchParams({ ...PRESIGNED, "X-Amz-Expires": expires }),
      new Headers(),
    );
    assert.ok(r.ok, expires);
    assert.equal(r.value.expiresSecs, Number(expires));
  }
});

Deno.test("parseAuthorizationHeader() reads fields by name, a later repeat winning, unknown names ignored", () => {
  const value = `AWS4-HMAC-SHA256 Signature=${"0".repeat(64)} , Credential = ${CRED},X=y=z,` +
    ` SignedHeaders=host;x-amz-date, Signature=${SIG}`;
  const r = parseAuthorizationHeader(value, new Headers(DATE_HEADERS));
  assert.ok(r.ok);
  assert.equal(r.value.signature, SIG);
  assert.equal(r.value.accessKeyId, "AKIDEXAMPLE");
  assert.deepEqual(r.value.signedHeaders, ["host", "x-amz-date"]);
});

Deno.test("parseAuthorizationHeader() in turn over headers alike and not: each read as if alone", () => {
  // The last Credential and SignedHeaders parsed are kept: interleave headers
  // that repeat them, change one of them, or are refused.
  const other = "AKIDOTHER/20260101/eu-west-1/s3/aws4_request";
  const cases: [string, string | RegExp][] = [
    [auth(), "AKIDEXAMPLE us-east-1 host,x-amz-date"],
    [auth(), "AKIDEXAMPLE us-east-1 host,x-amz-date"],
    [auth({ cred: other }), "AKIDOTHER eu-west-1 host,x-amz-date"],
    [auth({ cred: other, signed: "host" }), "AKIDOTHER eu-west-1 host"],
    [auth({ cred: other, signed: "x-amz-date" }), /SignedHeaders must include host/],
    [auth({ cred: other, signed: "host" }), "AKIDOTHER eu-west-1 host"],
    [auth({ cred: "AKIDOTHER/2026010/eu-west-1/s3/aws4_request" }), /is not YYYYMMDD/],
    [auth({ cred: other }), "AKIDOTHER eu-west-1 host,x-amz-date"],
    [auth({ signed: "host;Host" }), /must be lower-case header names/],
    [auth({ sig: "F".repeat(64) }), /Signature is not 64 lower-case hex digits/],
    [auth(), "AKIDEXAMPLE us-east-1 host,x-amz-date"],
    [auth({ cred: "AKIDEXAMPLE/20260102/us-east-1/s3/aws4_request" }), /does not match x-amz-date/],
    [auth(), "AKIDEXAMPLE us-east-1 host,x-amz-date"],
  ];
  for (const [round, [value, want]] of [...cases, ...cases.toReversed()].entries()) {
    const r = parseAuthorizationHeader(value, new Headers(DATE_HEADERS));
    if (typeof want === "string") {
      assert.ok(r.ok, `${round}: ${value}`);
      const v = r.value;
      assert.equal(`${v.accessKeyId} ${v.region} ${v.signedHeaders.join(",")}`, want, `${round}`);
      assert.equal(v.date, "20260101");
    } else {
      assert.ok(!r.ok, `${round}: ${value}`);
      assert.match(r.error.message, want, `${round}`);
    }
  }
});
