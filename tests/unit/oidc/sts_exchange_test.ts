import assert from "node:assert/strict";
import { assumeRoleWithWebIdentity, type ExchangeRequest } from "../../../src/oidc/sts_exchange.ts";

const REQ: ExchangeRequest = {
  stsEndpoint: "https://sts.example.test/",
  roleArn: "arn:aws:iam::123456789012:role/gateway",
  webIdentityToken: "header.payload.signature",
  sessionName: "bucketgate",
  durationSecs: 3600,
};

const OK_XML =
  `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <Credentials>
      <AccessKeyId>ASIAEXAMPLE</AccessKeyId>
      <SecretAccessKey>secret/with+chars</SecretAccessKey>
      <SessionToken>token==</SessionToken>
      <Expiration>2026-11-28T13:00:00Z</Expiration>
    </Credentials>
  </AssumeRoleWithWebIdentityResult>
</AssumeRoleWithWebIdentityResponse>`;

function fakeFetch(status: number, body: string, seen: Request[] = []): typeof fetch {
  return (input, init) => {
    seen.push(new Request(input, init));
    return Promise.resolve(new Response(body, { status }));
  };
}

Deno.test("the exchange posts the form STS expects, unsigned, and reads the credentials", async () => {
  const seen: Request[] = [];
  const r = await assumeRoleWithWebIdentity({ fetch: fakeFetch(200, OK_XML, seen) }, REQ);
  assert.ok(r.ok);
  assert.deepEqual(r.value, {
    accessKeyId: "ASIAEXAMPLE",
    secretAccessKey: "secret/with+chars",
    sessionToken: "token==",
    expiresAt: Date.UTC(2026, 10, 28, 13, 0, 0),
  });
  const req = seen[0]!;
  assert.equal(req.method, "POST");
  assert.equal(req.url, "https://sts.example.test/");
  assert.equal(req.headers.get("authorization"), null);
  assert.match(req.headers.get("content-type")!, /^application\/x-www-form-urlencoded/);
  const form = new URLSearchParams(await req.text());
  assert.deepEqual(Object.fromEntries(form), {
    Action: "AssumeRoleWithWebIdentity",
    Version: "2011-06-15",
    RoleArn: REQ.roleArn,
    RoleSessionName: "bucketgate",
    WebIdentityToken: REQ.webIdentityToken,
    DurationSeconds: "3600",
  });
});

Deno.test("STS errors, network failures and bad answers are 503s whose detail names the cause", async () => {
  const throttled = `<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>
    <Message>Rate exceeded</Message></Error></ErrorResponse>`;
  const cases: [typeof fetch, RegExp][] = [
    [fakeFetch(400, throttled), /HTTP 400 Throttling: Rate exceeded/],
    [
      fakeFetch(403, "<ErrorResponse><Error><Code>AccessDenied</Code></Error></ErrorResponse>"),
      /AccessDenied/,
    ],
    [fakeFetch(500, "not xml"), /HTTP 500 no error code/],
    [fakeFetch(200, "<AssumeRoleWithWebIdentityResponse/>"), /without complete Credentials/],
    [
      fakeFetch(200, OK_XML.replace("2026-11-28T13:00:00Z", "soon")),
      /without complete Credentials/,
    ],
    [fakeFetch(200, "x".repeat(70_000)), /over 65536 bytes/],
    [() => Promise.reject(new TypeError("connection refused")), /TypeError: connection refused/],
  ];
  for (const [f, detail] of cases) {
    const r = await assumeRoleWithWebIdentity({ fetch: f }, REQ);
    assert.ok(!r.ok);
    assert.equal(r.error.kind, "BackendError");
    assert.equal(r.error.message, "The backend's credentials could not be obtained");
    assert.match(String(r.error.detail), detail);
    assert.match(String(r.error.detail), /arn:aws:iam::123456789012:role\/gateway/);
    assert.ok(!String(r.error.detail).includes(REQ.webIdentityToken), "the token is never logged");
  }
});

Deno.test("a slow STS is cut at the timeout", async () => {
  const hanging: typeof fetch = (_i, init) =>
    new Promise((_, reject) =>
      init?.signal?.addEventListener("abort", () => reject(init.signal!.reason))
    );
  const r = await assumeRoleWithWebIdentity({ fetch: hanging, timeoutMs: 50 }, REQ);
  assert.ok(!r.ok);
  assert.match(String(r.error.detail), /TimeoutError/);
});
