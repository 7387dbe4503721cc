import { concatBytes } from "../../_support/bytes.ts";
/**
 * authenticate(): the S3 documentation's own header-auth and aws-chunked
 * examples (through the whole verifier), and which answer each kind of
 * request gets, in the order the checks run.
 */
import assert from "node:assert/strict";
import { createSigningKeyCache } from "../../../src/sigv4/signing_key.ts";
import { signRequest } from "../../../src/sigv4/sign.ts";
import { type AuthDeps, authenticate } from "../../../src/auth/authenticate.ts";
import { requestTarget } from "../../../src/http/target.ts";
import { fixedClock } from "../../../src/clock.ts";
import type { CredentialConfig } from "../../../src/config/types.ts";
import { ok } from "../../../src/result.ts";
import { presignQuery } from "../../_support/signer.ts";

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

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const KEY: CredentialConfig = {
  accessKeyId: "AKIDAUTHENTICATE0001",
  secretAccessKey: "authenticate-test-secret",
  principalName: "alice",
  enabled: true,
  allowedScopes: [],
};

function depsWith(over: Partial<AuthDeps> & { key?: CredentialConfig } = {}): AuthDeps {
  const key = over.key ?? KEY;
  return {
    credentials: new Map([[key.accessKeyId, key]]),
    clock: fixedClock(NOW),
    signingKeys: createSigningKeyCache(),
    ...over,
  };
}

interface Signed {
  readonly method?: string;
  readonly payloadHash?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly at?: number;
  readonly accessKeyId?: string;
  readonly sessionToken?: string;
  /** @default "us-east-1" */
  readonly region?: string;
}

/** A request to http://gw.test/b/k signed by bucketgate's own signer (src/sigv4/sign.ts). */
function signed(s: Signed = {}): Request {
  const headers = signRequest(
    {
      method: s.method ?? "GET",
      path: "/b/k",
      query: "",
      headers: { host: "gw.test", ...s.headers },
      payloadHash: s.payloadHash ?? "UNSIGNED-PAYLOAD",
    },
    {
      accessKeyId: s.accessKeyId ?? KEY.accessKeyId,
      secretAccessKey: KEY.secretAccessKey,
      ...(s.sessionToken ? { sessionToken: s.sessionToken } : {}),
    },
    { region: s.region ?? "us-east-1", now: s.at ?? NOW, keys: createSigningKeyCache() },
  );
  return new Request("http://gw.test/b/k", {
    method: s.method ?? "GET",
    headers,
    ...(s.body !== undefined ? { body: s.body } : {}),
  });
}

async function kindOf(req: Request, deps = depsWith()): Promise<string> {
  const r = await authenticate(req, requestTarget(req.url), deps);
  return r.ok ? `ok:${r.value.identity.kind}` : r.error.kind;
}

Deno.test("authenticate() lets an unsigned request through as anonymous, body and length as sent", async () => {
  const req = new Request("http://gw.test/b/k", {
    method: "PUT",
    body: "hello",
    headers: { "content-length": "5" },
  });
  const r = await authenticate(req, requestTarget(req.url), depsWith());
  assert.ok(r.ok);
  assert.equal(r.value.identity.kind, "anonymous");
  assert.equal(r.value.contentLength, 5);
  assert.equal(await new Response(r.value.body).text(), "hello");
});

Deno.test("authenticate() gives a long-lived key's identity: principal and scopes", async () => {
  const key: CredentialConfig = {
    ...KEY,
    allowedScopes: [{ bucket: "b", prefixes: ["p/"], actions: ["get_object"] }],
  };
  const req = signed();
  const r = await authenticate(
    req,
    requestTarget(req.url),
    depsWith({ key }),
  );
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(r.value.identity, {
    kind: "access_key",
    accessKeyId: KEY.accessKeyId,
    principal: "alice",
    scopes: key.allowedScopes,
  });
});

Deno.test("authenticate() refuses an unknown, a disabled and an expired key, each with its code", async () => {
  assert.equal(await kindOf(signed({ accessKeyId: "AKIDUNKNOWN000000000" })), "InvalidAccessKeyId");
  assert.equal(
    await kindOf(signed(), depsWith({ key: { ...KEY, enabled: false } })),
    "AccessDenied",
  );
  assert.equal(
    await kindOf(signed(), depsWith({ key: { ...KEY, expiresAt: new Date(NOW) } })),
    "ExpiredCredentials",
  );
  assert.equal(
    await kindOf(signed(), depsWith({ key: { ...KEY, expiresAt: new Date(NOW + 1) } })),
    "ok:access_key",
  );
});

Deno.test("authenticate() checks the key before the clock, the clock before the signature", async () => {
  const late = NOW - 16 * 60 * 1000;
  assert.equal(await kindOf(signed({ at: late })), "RequestTimeTooSkewed");
  assert.equal(
    await kindOf(signed({ at: late, accessKeyId: "AKIDUNKNOWN000000000" })),
    "InvalidAccessKeyId",
  );
  const tampered = signed({ at: late });
  tampered.headers.set("authorization", tampered.headers.get("authorization")!.slice(0, -1) + "0");
  assert.equal(await kindOf(tampered), "RequestTimeTooSkewed");
  assert.equal(await kindOf(signed({ at: NOW - 14 * 60 * 1000 })), "ok:access_key");
});

Deno.test("authenticate() refuses a session token without a resolver, and asks the resolver otherwise", async () => {
  const req = () => signed({ sessionToken: "sealed-token" });
  assert.equal(await kindOf(req()), "InvalidToken");
  const seen: string[] = [];
  const deps = depsWith({
    sessions: (id, token) => {
      seen.push(`${id} ${token}`);
      return ok({
        secretAccessKey: KEY.secretAccessKey,
        identity: {
          kind: "session",
          accessKeyId: id,
          principal: "bob",
          roleId: "r",
          scopes: [],
          expiresAt: NOW + 1000,
        },
      });
    },
  });
  assert.equal(await kindOf(req(), deps), "ok:session");
  assert.deepEqual(seen, [`${KEY.accessKeyId} sealed-token`]);
});

Deno.test("authenticate() checks a signed SHA-256 payload as the body streams", async () => {
  const hash = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"; // "hello"
  const good = signed({ method: "PUT", payloadHash: hash, body: "hello" });
  const r = await authenticate(good, requestTarget(good.url), depsWith());
  assert.ok(r.ok);
  assert.equal(await new Response(r.value.body).text(), "hello");
  const bad = signed({ method: "PUT", payloadHash: hash, body: "hellO" });
  const b = await authenticate(bad, requestTarget(bad.url), depsWith());
  assert.ok(b.ok);
  await assert.rejects(new Response(b.value.body).arrayBuffer(), (e: unknown) => {
    assert.equal((e as { proxy?: { kind: string } }).proxy?.kind, "XAmzContentSHA256Mismatch");
    return true;
  });
});

Deno.test("authenticate() answers a bodiless request signed over a non-empty payload at once", async () => {
  const hash = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
  assert.equal(await kindOf(signed({ payloadHash: hash })), "XAmzContentSHA256Mismatch");
});

Deno.test("authenticate() refuses an unknown payload marker and an unsupported x-amz-trailer", async () => {
  assert.equal(await kindOf(signed({ payloadHash: "STREAMING-NOPE" })), "InvalidArgument");
  assert.equal(
    await kindOf(
      signed({
        method: "PUT",
        payloadHash: "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        headers: { "x-amz-trailer": "x-amz-checksum-md7" },
        body: "0\r\n\r\n",
      }),
    ),
    "InvalidRequest",
  );
  assert.equal(
    await kindOf(
      signed({
        method: "PUT",
        payloadHash: "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        headers: { "x-amz-decoded-content-length": "-1" },
        body: "0\r\n\r\n",
      }),
    ),
    "InvalidArgument",
  );
});

Deno.test("authenticate() verifies against the Host a trusted proxy reported when given", async () => {
  const req = signed();
  req.headers.set("host", "internal:8080");
  assert.equal(await kindOf(req), "SignatureDoesNotMatch");
  assert.equal(await kindOf(req, depsWith({ host: "gw.test" })), "ok:access_key");
});

Deno.test("authenticate() refuses a header signature scoped to another region than the configured one", async () => {
  const r = await authenticate(
    signed({ region: "eu-west-1" }),
    requestTarget("http://gw.test/b/k"),
    depsWith({ region: "us-east-1" }),
  );
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "AuthorizationHeaderMalformed");
  assert.equal(
    r.error.message,
    "The authorization header is malformed; the region 'eu-west-1' is wrong; expecting 'us-east-1'",
  );
  assert.equal(await kindOf(signed(), depsWith({ region: "us-east-1" })), "ok:access_key");
  assert.equal(
    await kindOf(signed({ region: "eu-west-1" }), depsWith()),
    "ok:access_key",
    'no region to expect (region: "*"): any region verifies',
  );
});

Deno.test("authenticate() refuses a presigned URL scoped to another region: AuthorizationQueryParametersError", async () => {
  const key = { id: KEY.accessKeyId, secret: KEY.secretAccessKey };
  const query = await presignQuery(key, "http://gw.test/b/k", { signedAt: NOW });
  const url = `http://gw.test/b/k?${query.replace("%2Fus-east-1%2F", "%2Feu-west-1%2F")}`;
  const r = await authenticate(
    new Request(url, { headers: { host: "gw.test" } }),
    requestTarget(url),
    depsWith({ region: "us-east-1" }),
  );
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "AuthorizationQueryParametersError");
  assert.equal(
    r.error.message,
    "Error parsing the X-Amz-Credential parameter; the region 'eu-west-1' is wrong; expecting 'us-east-1'",
  );
});
