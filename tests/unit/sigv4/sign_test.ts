import assert from "node:assert/strict";
import { amzDate, signRequest } from "../../../src/sigv4/sign.ts";
import { createSigningKeyCache, EMPTY_SHA256 } from "../../../src/sigv4/signing_key.ts";
import { authenticate } from "../../../src/auth/authenticate.ts";
import { requestTarget } from "../../../src/http/target.ts";
import { fixedClock } from "../../../src/clock.ts";

const S3_EXAMPLE = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};
const S3_EXAMPLE_TIME = Date.UTC(2013, 4, 24, 0, 0, 0);

Deno.test("amzDate() is yyyymmddThhmmssZ in UTC, milliseconds dropped", () => {
  assert.equal(amzDate(S3_EXAMPLE_TIME), "20130524T000000Z");
  assert.equal(amzDate(Date.UTC(2026, 11, 31, 23, 59, 58, 999)), "20261231T235958Z");
});

Deno.test("signRequest() gives the S3 documentation's GET Object signature", () => {
  const headers = signRequest(
    {
      method: "GET",
      path: "/test.txt",
      query: "",
      headers: { host: "examplebucket.s3.amazonaws.com", range: "bytes=0-9" },
      payloadHash: EMPTY_SHA256,
    },
    S3_EXAMPLE,
    { region: "us-east-1", now: S3_EXAMPLE_TIME, keys: createSigningKeyCache() },
  );
  assert.equal(headers["x-amz-date"], "20130524T000000Z");
  assert.equal(headers["x-amz-content-sha256"], EMPTY_SHA256);
  assert.equal(headers["range"], "bytes=0-9");
  assert.equal(
    headers["authorization"],
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, " +
      "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, " +
      "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
  );
});

Deno.test("signRequest() adds and signs a session token, and names another service in the scope", () => {
  const headers = signRequest(
    { method: "POST", path: "/", query: "", headers: { host: "h" }, payloadHash: EMPTY_SHA256 },
    { ...S3_EXAMPLE, sessionToken: "tok" },
    { region: "eu-west-1", service: "sts", now: S3_EXAMPLE_TIME, keys: createSigningKeyCache() },
  );
  assert.equal(headers["x-amz-security-token"], "tok");
  assert.match(headers["authorization"]!, /\/20130524\/eu-west-1\/sts\/aws4_request, /);
  assert.match(
    headers["authorization"]!,
    /SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, /,
  );
});

Deno.test("signRequest()'s headers pass bucketgate's own verifier; a changed query does not", async () => {
  const sign = (query: string) =>
    signRequest(
      {
        method: "GET",
        path: "/b/a%20key",
        query,
        headers: { host: "gw.test" },
        payloadHash: "UNSIGNED-PAYLOAD",
      },
      S3_EXAMPLE,
      { region: "us-east-1", now: S3_EXAMPLE_TIME, keys: createSigningKeyCache() },
    );
  const deps = {
    credentials: new Map([[S3_EXAMPLE.accessKeyId, {
      ...S3_EXAMPLE,
      principalName: "p",
      enabled: true,
      allowedScopes: [],
    }]]),
    clock: fixedClock(S3_EXAMPLE_TIME),
    signingKeys: createSigningKeyCache(),
  };
  const url = "http://gw.test/b/a%20key?list-type=2&prefix=x";
  const good = new Request(url, { headers: sign("prefix=x&list-type=2") });
  const r = await authenticate(good, requestTarget(url), deps);
  assert.ok(r.ok, JSON.stringify(r));
  const bad = new Request(url, { headers: sign("prefix=y&list-type=2") });
  const refused = await authenticate(bad, requestTarget(url), deps);
  assert.ok(!refused.ok);
  assert.equal(refused.error.kind, "SignatureDoesNotMatch");
});
