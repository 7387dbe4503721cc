import { concatBytes } from "../../_support/bytes.ts";
/**
 * SigV4 against published vectors: the aws-sig-v4-test-suite cases (service
 * `service`, so they exercise the canonical parts and the signature) and the
 * S3 documentation's own header-auth and aws-chunked examples (through the
 * whole verifier).
 */
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import {
  canonicalHeaders,
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  credentialScope,
} from "../../../src/sigv4/canonical.ts";
import { computeSignature } from "../../../src/sigv4/canonical.ts";
import {
  createSigningKeyCache,
  deriveSigningKey,
  hmacHex,
  sha256Hex,
} from "../../../src/sigv4/signing_key.ts";
import { authenticate } from "../../../src/auth/authenticate.ts";
import { requestTarget } from "../../../src/http/target.ts";
import { fixedClock } from "../../../src/clock.ts";
import type { CredentialConfig } from "../../../src/config/types.ts";

const SUITE_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const SUITE_DATE = "20150830T123600Z";

/** aws-sig-v4-test-suite vectors that apply to S3 (no path normalization). */
const VECTORS: {
  name: string;
  method: string;
  target: string;
  headers: Record<string, string>;
  body: string;
  signed: string;
  signature: string;
}[] = [
  {
    name: "get-vanilla",
    method: "GET",
    target: "/",
    headers: {},
    body: "",
    signed: "host;x-amz-date",
    signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
  },
  {
    name: "get-unreserved",
    method: "GET",
    target: "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    headers: {},
    body: "",
    signed: "host;x-amz-date",
    signature: "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f",
  },
  {
    name: "get-vanilla-query-order-key-case",
    method: "GET",
    target: "/?Param2=value2&Param1=value1",
    headers: {},
    body: "",
    signed: "host;x-amz-date",
    signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
  },
  {
    name: "get-vanilla-query-order-value",
    method: "GET",
    target: "/?Param1=value2&Param1=value1",
    headers: {},
    body: "",
    signed: "host;x-amz-date",
    signature: "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694",
  },
  {
    name: "get-vanilla-utf8-query",
    method: "GET",
    target: "/?\u1234=bar",
    headers: {},
    body: "",
    signed: "host;x-amz-date",
    signature: "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04",
  },
  {
    name: "get-header-value-order",
    method: "GET",
    target: "/",
    headers: { "my-header1": "value4,value1,value3,value2" },
    body: "",
    signed: "host;my-header1;x-amz-date",
    signature: "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01",
  },
  {
    name: "get-header-key-duplicate",
    method: "GET",
    target: "/",
    headers: { "my-header1": "value2,value2,value1" },
    body: "",
    signed: "host;my-header1;x-amz-date",
    signature: "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea",
  },
  {
    name: "get-header-value-trim",
    method: "GET",
    target: "/",
    headers: { "my-header1": " value1", "my-header2": '"a   b   c"' },
    body: "",
    signed: "host;my-header1;my-header2;x-amz-date",
    signature: "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736",
  },
  {
    name: "post-x-www-form-urlencoded",
    method: "POST",
    target: "/",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "Param1=value1",
    signed: "content-type;host;x-amz-date",
    signature: "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
  },
];
// Not here: get-slashes, get-relative*, get-space and get-utf8 with raw
// characters — they normalize paths or send unencodable request lines, which
// S3 (and so bucketgate) does not; their canonical URIs are checked below.

for (const v of VECTORS) {
  Deno.test(`sigv4 suite ${v.name}: canonical request → string to sign → signature`, () => {
    const headers: Record<string, string> = {
      host: "example.amazonaws.com",
      "x-amz-date": SUITE_DATE,
      ...v.headers,
    };
    const target = requestTarget("https://example.amazonaws.com" + v.target);
    const canonical = canonicalRequest({
      method: v.method,
      uri: canonicalUri(target.rawPath),
      query: canonicalQuery(target.rawQuery),
      headers: canonicalHeaders(v.signed.split(";"), (n) => headers[n] ?? null),
      signedHeaders: v.signed,
      payloadHash: sha256Hex(v.body),
    });
    const key = deriveSigningKey(SUITE_SECRET, "20150830", "us-east-1", "service");
    const signature = computeSignature(
      key,
      SUITE_DATE,
      credentialScope("20150830", "us-east-1", "service"),
      canonical,
    );
    assert.equal(signature, v.signature);
  });
}

Deno.test("canonicalUri() encodes each segment once, keeps slashes and encoded slashes apart", () => {
  assert.equal(canonicalUri("/example%20space/"), "/example%20space/");
  assert.equal(canonicalUri("/%E1%88%B4"), "/%E1%88%B4");
  assert.equal(canonicalUri("/a%2Fb"), "/a%2Fb");
  assert.equal(canonicalUri("/a/b"), "/a/b");
  assert.equal(canonicalUri("/a+b*c~d"), "/a%2Bb%2Ac~d");
  assert.equal(canonicalUri("/a/../b"), "/a/../b", "S3 does not normalize dot segments");
  assert.equal(canonicalUri(""), "/");
});

Deno.test("canonicalQuery() sorts, encodes, keeps duplicates and empty values", () => {
  assert.equal(canonicalQuery("Param2=value2&Param1=value1"), "Param1=value1&Param2=value2");
  assert.equal(canonicalQuery("a=10&a=9"), "a=10&a=9");
  assert.equal(canonicalQuery("x=a.b&x=a%2Fb"), "x=a%2Fb&x=a.b");
  assert.equal(canonicalQuery("b&a=1"), "a=1&b=");
  assert.equal(canonicalQuery("uploads"), "uploads=");
  assert.equal(canonicalQuery("a=1=2"), "a=1%3D2");
  assert.equal(canonicalQuery("q=a%20b"), "q=a%20b");
  assert.equal(canonicalQuery("X-Amz-Signature=abc&b=1", "X-Amz-Signature"), "b=1");
});

const S3_EXAMPLE_KEY: CredentialConfig = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  principalName: "example",
  enabled: true,
  allowedScopes: [],
};
const S3_EXAMPLE_TIME = Date.UTC(2013, 4, 24, 0, 0, 0);

function deps() {
  return {
    credentials: new Map([[S3_EXAMPLE_KEY.accessKeyId, S3_EXAMPLE_KEY]]),
    clock: fixedClock(S3_EXAMPLE_TIME),
    signingKeys: createSigningKeyCache(),
  };
}

Deno.test("S3 docs example: GET Object with Range verifies (header auth)", async () => {
  const req = new Request("http://examplebucket.s3.amazonaws.com/test.txt", {
    headers: {
      host: "examplebucket.s3.amazonaws.com",
      range: "bytes=0-9",
      "x-amz-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "x-amz-date": "20130524T000000Z",
      authorization:
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
    },
  });
  const r = await authenticate(req, requestTarget(req.url), deps());
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(r.value.identity.kind, "access_key");
});

Deno.test("S3 docs example: a changed header breaks the signature", async () => {
  const req = new Request("http://examplebucket.s3.amazonaws.com/test.txt", {
    headers: {
      host: "examplebucket.s3.amazonaws.com",
      range: "bytes=0-10",
      "x-amz-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "x-amz-date": "20130524T000000Z",
      authorization:
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
    },
  });
  const r = await authenticate(req, requestTarget(req.url), deps());
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "SignatureDoesNotMatch");
});

/** The S3 docs' aws-chunked example: 66560 bytes of 'a' in a 65536-byte chunk and a 1024-byte one. */
function chunkedExample(chunkSigs: [string, string, string]): Uint8Array<ArrayBuffer> {
  const enc = new TextEncoder();
  const a = (n: number) => new Uint8Array(n).fill(0x61);
  const parts = [
    enc.encode(`10000;chunk-signature=${chunkSigs[0]}\r\n`),
    a(65536),
    enc.encode(`\r\n400;chunk-signature=${chunkSigs[1]}\r\n`),
    a(1024),
    enc.encode(`\r\n0;chunk-signature=${chunkSigs[2]}\r\n\r\n`),
  ];
  return concatBytes(parts);
}

const CHUNK_SIGS: [string, string, string] = [
  "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
  "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
  "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
];

function chunkedRequest(body: Uint8Array<ArrayBuffer>): Request {
  return new Request("http://s3.amazonaws.com/examplebucket/chunkObject.txt", {
    method: "PUT",
    body,
    headers: {
      host: "s3.amazonaws.com",
      "x-amz-date": "20130524T000000Z",
      "x-amz-storage-class": "REDUCED_REDUNDANCY",
      "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
      "content-encoding": "aws-chunked",
      "x-amz-decoded-content-length": "66560",
      "content-length": String(body.length),
      authorization:
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
    },
  });
}

Deno.test("S3 docs example: signed aws-chunked upload decodes with every chunk signature verified", async () => {
  const body = chunkedExample(CHUNK_SIGS);
  assert.equal(body.length, 66824);
  const req = chunkedRequest(body);
  const r = await authenticate(req, requestTarget(req.url), deps());
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(r.value.contentLength, 66560);
  const decoded = new Uint8Array(await new Response(r.value.body).arrayBuffer());
  assert.equal(decoded.length, 66560);
  assert.ok(decoded.every((b) => b === 0x61));
});

Deno.test("S3 docs example: a tampered chunk signature fails the stream with SignatureDoesNotMatch", async () => {
  const sigs: [string, string, string] = [CHUNK_SIGS[0], "0".repeat(64), CHUNK_SIGS[2]];
  const req = chunkedRequest(chunkedExample(sigs));
  const r = await authenticate(req, requestTarget(req.url), deps());
  assert.ok(r.ok);
  await assert.rejects(new Response(r.value.body).arrayBuffer(), (e: unknown) => {
    assert.equal((e as { proxy?: { kind: string } }).proxy?.kind, "SignatureDoesNotMatch");
    return true;
  });
});

Deno.test("hmacHex() with cached pad states equals node:crypto's HMAC-SHA256, for every key length", () => {
  for (const len of [0, 1, 31, 32, 63, 64, 65, 100]) {
    const key = crypto.getRandomValues(new Uint8Array(len));
    for (
      const data of ["", "a", "AWS4-HMAC-SHA256\n20261128T000000Z\nscope\nhash", "ü€\u{1F600}"]
    ) {
      const want = createHmac("sha256", key).update(data, "utf8").digest("hex");
      assert.equal(hmacHex(key, data), want, `${len} ${data}`);
      assert.equal(hmacHex(key, data), want, "again, from the cached states");
    }
  }
});
