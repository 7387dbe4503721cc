/**
 * The canonical parts of SigV4: the aws-sig-v4-test-suite cases (service
 * `service`, so they exercise the canonical parts and the signature), and each
 * canonical function on its own.
 */
import assert from "node:assert/strict";
import {
  canonicalHeaders,
  canonicalHeaderValue,
  canonicalPrefix,
  canonicalQuery,
  canonicalQueryOf,
  canonicalRequest,
  canonicalRequestHash,
  canonicalUri,
  computeSignature,
  credentialScope,
  stringToSign,
  uriEncode,
} from "../../../src/sigv4/canonical.ts";
import {
  deriveSigningKey,
  sha256Hex,
  sha256HexOfByteString,
} from "../../../src/sigv4/signing_key.ts";
import { requestTarget } from "../../../src/http/target.ts";

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

Deno.test("uriEncode() keeps unreserved characters, encodes the rest upper-case, `/` only on request", () => {
  assert.equal(uriEncode("AZaz09-._~"), "AZaz09-._~");
  assert.equal(uriEncode("a b/c"), "a%20b%2Fc");
  assert.equal(uriEncode("a b/c", true), "a%20b/c");
  assert.equal(uriEncode("!'()*"), "%21%27%28%29%2A");
  assert.equal(uriEncode("é"), "%C3%A9");
  assert.equal(uriEncode("\uD800"), "%EF%BF%BD", "a lone surrogate is encoded as U+FFFD");
});

Deno.test("canonicalQueryOf() encodes decoded pairs, sorts by name then value, drops the excluded name", () => {
  assert.equal(
    canonicalQueryOf(
      [["b", "2"], ["a", "x y"], ["a", "!"], ["X-Amz-Signature", "s"]],
      "X-Amz-Signature",
    ),
    "a=%21&a=x%20y&b=2",
  );
  assert.equal(canonicalQueryOf([]), "");
});

Deno.test("canonicalQuery() throws a TypeError for a query it cannot decode", () => {
  assert.throws(() => canonicalQuery("a=%ZZ"), TypeError);
});

Deno.test("canonicalHeaderValue() trims and collapses runs of spaces", () => {
  assert.equal(canonicalHeaderValue("  a   b  c "), "a b c");
  assert.equal(canonicalHeaderValue("a\tb"), "a\tb");
});

Deno.test("canonicalHeaders() lists the signed names in order, a missing one as empty", () => {
  const values: Record<string, string> = { host: "h", "x-amz-date": " d  1 " };
  assert.equal(
    canonicalHeaders(["host", "x-amz-date", "x-absent"], (n) => values[n] ?? null),
    "host:h\nx-amz-date:d 1\nx-absent:\n",
  );
});

Deno.test("canonicalRequest(), credentialScope() and stringToSign() join their parts as SigV4 says", () => {
  const canonical = canonicalRequest({
    method: "GET",
    uri: "/k",
    query: "a=1",
    headers: "host:h\n",
    signedHeaders: "host",
    payloadHash: "UNSIGNED-PAYLOAD",
  });
  assert.equal(canonical, "GET\n/k\na=1\nhost:h\n\nhost\nUNSIGNED-PAYLOAD");
  const scope = credentialScope("20260101", "eu-west-1", "s3");
  assert.equal(scope, "20260101/eu-west-1/s3/aws4_request");
  assert.equal(
    stringToSign("20260101T000000Z", scope, canonical),
    `AWS4-HMAC-SHA256\n20260101T000000Z\n${scope}\n${sha256Hex(canonical)}`,
  );
});

Deno.test("stringToSign() hashes a canonical request's one-byte chars as the bytes they stand for", () => {
  // "\xe9" is the byte 0xE9 as a header carried it, not U+00E9 spelled in UTF-8.
  const sts = stringToSign("d", "s", "x:\xe9");
  assert.equal(sts.split("\n")[3], sha256Hex(new Uint8Array([0x78, 0x3a, 0xe9])));
});

Deno.test("canonicalUri() gives a path of unreserved characters and slashes back as it is", () => {
  for (const path of ["/", "/b/k", "/b/a.b_c~d-e/", "//b//k//", "/B-1/x.Y"]) {
    assert.equal(canonicalUri(path), path);
  }
  // Anything else takes the per-segment decode and encode.
  assert.equal(canonicalUri("/b/a+b"), "/b/a%2Bb");
  assert.equal(canonicalUri("/b/a%2fb"), "/b/a%2Fb");
  assert.equal(canonicalUri("/b/a!b"), "/b/a%21b");
});

Deno.test("credentialScope() in turn over scopes that differ in one part each", () => {
  const asks: [string, string, string][] = [
    ["20260101", "us-east-1", "s3"],
    ["20260101", "us-east-1", "s3"],
    ["20260102", "us-east-1", "s3"],
    ["20260101", "eu-west-1", "s3"],
    ["20260101", "us-east-1", "sts"],
    ["", "", ""],
    ["20260101", "us-east-1", "s3"],
  ];
  for (const [d, r, s] of [...asks, ...asks.toReversed()]) {
    assert.equal(credentialScope(d, r, s), `${d}/${r}/${s}/aws4_request`);
  }
});

Deno.test("canonicalRequestHash() from a prefix equals the hash from the start, and ignores one not its own", () => {
  const parts = {
    method: "GET",
    uri: "/b/k",
    query: "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20260101T000000Z",
    headers: "host:gw.test\n",
    signedHeaders: "host",
    payloadHash: "UNSIGNED-PAYLOAD",
  };
  const prefix = canonicalPrefix(parts.method, parts.uri, parts.query)!;
  const whole = (p: typeof parts) => sha256HexOfByteString(canonicalRequest(p));
  // One-byte chars as bytes, wider ones as UTF-8, as from the start.
  for (const value of ["gw.test", "caf\u00e9", "\u20ac", ""]) {
    const p = { ...parts, headers: `host:${value}\nx-amz-meta-a:${value}\n` };
    assert.equal(canonicalRequestHash(p, prefix), whole(p), value);
  }
  for (const other of [{ method: "HEAD" }, { uri: "/b/k2" }, { query: "X-Amz-Date=1" }]) {
    const p = { ...parts, ...other };
    assert.equal(canonicalRequestHash(p, prefix), whole(p), JSON.stringify(other));
  }
  assert.equal(canonicalRequestHash(parts, prefix), canonicalRequestHash(parts), "used again");
  assert.equal(canonicalPrefix("GET", "/b/caf\u00e9", ""), undefined, "not ASCII: none");
});

Deno.test("canonicalHeaders() in turn over blocks that repeat lines or not: each as if alone", () => {
  // The last line at each place is kept: repeat, change a name or a value, drop one.
  const names = Array.from({ length: 20 }, (_, i) => `h${String(i).padStart(2, "0")}`);
  const blocks: [readonly string[], Record<string, string>][] = [
    [["host", "x-amz-date"], { host: "a", "x-amz-date": "1" }],
    [["host", "x-amz-date"], { host: "a", "x-amz-date": "1" }],
    [["host", "x-amz-date"], { host: "a", "x-amz-date": "2" }],
    [["host", "x-amz-date"], { host: "b ", "x-amz-date": "2" }],
    [["host", "x-amz-dat"], { host: "b", "x-amz-dat": "2" }],
    [["host", "x-amz-date"], { host: "b" }],
    [["x-amz-date", "host"], { host: "b", "x-amz-date": "2" }],
    [names, Object.fromEntries(names.map((n, i) => [n, `v${i}`]))],
    [names, Object.fromEntries(names.map((n, i) => [n, i === 18 ? "w" : `v${i}`]))],
    [["host"], {}],
  ];
  for (const [names, values] of [...blocks, ...blocks.toReversed(), ...blocks]) {
    const want = names.map((n) => `${n}:${(values[n] ?? "").trim()}\n`).join("");
    assert.equal(canonicalHeaders(names, (n) => values[n] ?? null), want);
  }
});
