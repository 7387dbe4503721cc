/** STS AssumeRoleWithWebIdentity through the whole app, and S3 with the credentials it mints. */
import assert from "node:assert/strict";
import { createJwksCache } from "../../src/sts/jwks.ts";
import { signToken } from "../_support/oidc.ts";
import { BASE, errorCode, harness, NOW, send, testConfig } from "./_harness.ts";
import { presignQuery } from "../_support/signer.ts";
import { CI, credentials, KEY, mint, OTHER_KEY, setup, signing } from "./_sts.ts";

Deno.test("STS: a form POST mints credentials in the AWS STS response format", async () => {
  const h = setup();
  const c = await credentials(await mint(h));
  assert.match(
    c.xml,
    /^<\?xml version="1.0" encoding="UTF-8"\?>\n<AssumeRoleWithWebIdentityResponse xmlns="https:\/\/sts.amazonaws.com\/doc\/2011-06-15\/">/,
  );
  assert.match(
    c.xml,
    /<SubjectFromWebIdentityToken>repo:org\/app:ref:refs\/heads\/main<\/SubjectFromWebIdentityToken>/,
  );
  assert.match(c.xml, /<Audience>sts.bucketgate.test<\/Audience>/);
  assert.match(c.xml, /<Arn>arn:aws:sts::000000000000:assumed-role\/ci\/build-42<\/Arn>/);
  assert.match(c.xml, /<Provider>https:\/\/issuer.test<\/Provider>/);
  assert.match(c.xml, /<ResponseMetadata><RequestId>[0-9A-F]{16}<\/RequestId><\/ResponseMetadata>/);
  assert.match(c.id, /^ASIA[A-Z2-7]{16}$/);
  assert.equal(c.expiration, new Date(NOW + 3600_000).toISOString().replace(".000Z", "Z"));
  const log = h.logs.at(-1)!;
  assert.equal(log.operation, "AssumeRoleWithWebIdentity");
  assert.equal(log.principal, "ci/build-42", "the log says whom credentials were minted for");
  assert.equal(log.authMode, "web_identity");
  assert.equal(log.subject, "repo:org/app:ref:refs/heads/main");
  assert.ok(!JSON.stringify(h.logs).includes(c.token), "the session token is never logged");
  assert.ok(!JSON.stringify(h.logs).includes(c.secret), "the secret is never logged");
});

Deno.test("STS: parameters in the query string work with GET and POST on any path", async () => {
  const h = setup();
  const q = new URLSearchParams({
    Action: "AssumeRoleWithWebIdentity",
    RoleArn: "ci",
    RoleSessionName: "q1",
    WebIdentityToken: await signToken(signing, {}, { now: NOW }),
  });
  for (const method of ["GET", "POST"]) {
    const res = await h.handle(new Request(`${BASE}/some/path?${q}`, { method }));
    await credentials(res);
  }
});

Deno.test("STS: multistore's call (GET /.sts, no RoleSessionName, no Version) mints, named after sub", async () => {
  const h = setup();
  const q = new URLSearchParams({
    Action: "AssumeRoleWithWebIdentity",
    RoleArn: "ci",
    WebIdentityToken: await signToken(signing, {}, { now: NOW }),
  });
  const res = await h.handle(new Request(`${BASE}/.sts?${q}`));
  const minted = await credentials(res);
  assert.match(
    minted.xml,
    /<Arn>arn:aws:sts::\d+:assumed-role\/ci\/repo-org-app-ref-refs-heads-main<\/Arn>/,
  );
  assert.match(minted.xml, /<AssumedRoleId>ci:repo-org-app-ref-refs-heads-main<\/AssumedRoleId>/);
  const as = { id: minted.id, secret: minted.secret, token: minted.token };
  const put = await send(h, "/private/releases/m.txt", { method: "PUT", body: "m", key: as });
  assert.equal(put.status, 200, await put.text());
});

Deno.test("STS: minted credentials reach exactly their scopes", async () => {
  const h = setup();
  const key = await credentials(await mint(h, {}, { team: "red" }));
  const as = { id: key.id, secret: key.secret, token: key.token };
  let res = await send(h, "/private/releases/v1.tgz", { method: "PUT", body: "bits", key: as });
  assert.equal(res.status, 200, await res.text());
  res = await send(h, "/private/releases/v1.tgz", { key: as });
  assert.equal(await res.text(), "bits");
  res = await send(h, "/private?list-type=2&prefix=releases/", { key: as });
  assert.equal(res.status, 200);
  await res.body?.cancel();
  res = await send(h, "/private/secrets/x", { method: "PUT", body: "no", key: as });
  assert.equal(res.status, 403);
  assert.equal(await errorCode(res), "AccessDenied");
  res = await send(h, "/private/releases/v1.tgz", { method: "DELETE", key: as });
  assert.equal(res.status, 403);
  await res.body?.cancel();
  // {team} template resolved at mint time
  res = await send(h, "/public/red/a", { method: "PUT", body: "ok", key: as });
  assert.equal(res.status, 200);
  res = await send(h, "/public/blue/a", { method: "PUT", body: "no", key: as });
  assert.equal(res.status, 403);
  await res.body?.cancel();
});

Deno.test("STS: presigned URLs carry the session token", async () => {
  const h = setup();
  const key = await credentials(await mint(h));
  await send(h, "/private/releases/p", {
    method: "PUT",
    body: "presigned",
    key: { id: key.id, secret: key.secret, token: key.token },
  });
  const url = new URL(BASE + "/private/releases/p");
  const qs = new URLSearchParams(
    await presignQuery(key, url.href, { signedAt: NOW, expiresIn: 600 }),
  );
  assert.ok(qs.has("X-Amz-Security-Token"));
  const res = await h.handle(
    new Request(`${BASE}/private/releases/p?${qs}`, { headers: { host: url.host } }),
  );
  assert.equal(await res.text(), "presigned");
});

Deno.test("STS: expired credentials get 403 ExpiredToken", async () => {
  const h = setup();
  const key = await credentials(await mint(h, { DurationSeconds: "900" }));
  h.clock.set(NOW + 901_000);
  const res = await send(h, "/private/releases/x", {
    key: { id: key.id, secret: key.secret, token: key.token },
    signedAt: NOW + 901_000,
  });
  assert.equal(res.status, 403);
  assert.equal(await errorCode(res), "ExpiredToken");
});

Deno.test("STS: a tampered token, a token on another key and another gateway's token are refused", async () => {
  const h = setup();
  const a = await credentials(await mint(h));
  const b = await credentials(await mint(h));
  const flip = a.token.slice(0, 40) + (a.token[40] === "A" ? "B" : "A") + a.token.slice(41);
  const foreign = await credentials(await mint(setup({ sessionKey: OTHER_KEY })));
  for (
    const key of [
      { id: a.id, secret: a.secret, token: flip },
      { id: a.id, secret: a.secret, token: b.token },
      { id: foreign.id, secret: foreign.secret, token: foreign.token },
    ]
  ) {
    const res = await send(h, "/private/releases/x", { key });
    assert.equal(res.status, 403);
    assert.equal(await errorCode(res), "AccessDenied");
  }
});

Deno.test("STS: a bucket's allowed_roles gates temporary credentials", async () => {
  const h = setup();
  const minted = await credentials(await mint(h));
  const key = { id: minted.id, secret: minted.secret, token: minted.token };
  // the * scope grants shared/ everywhere, but bucket gated admits only role other
  let res = await send(h, "/private/shared/x", { key });
  assert.equal(res.status, 404, "allowed, just absent");
  await res.body?.cancel();
  res = await send(h, "/gated/shared/x", { key });
  assert.equal(res.status, 403);
  assert.equal(await errorCode(res), "AccessDenied");
});

Deno.test("STS: DurationSeconds is clamped to [900, max_session_duration_secs]", async () => {
  const h = setup();
  const at = (s: number) => new Date(NOW + s * 1000).toISOString().replace(".000Z", "Z");
  assert.equal((await credentials(await mint(h, { DurationSeconds: "60" }))).expiration, at(900));
  assert.equal(
    (await credentials(await mint(h, { DurationSeconds: "99999" }))).expiration,
    at(7200),
  );
});

Deno.test("STS: a {sub} claim of * does not widen access to every bucket", async () => {
  const h = setup();
  const res0 = await mint(h, {}, { sub: "*" });
  assert.equal(res0.status, 400, "subject * does not match repo:org/*");
  await res0.body?.cancel();
  const h2 = harness(
    testConfig({ roles: [{ ...CI, subjectConditions: [] }] }),
    {
      sessionKeys: { current: KEY },
      jwks: createJwksCache({ clock: { now: () => NOW }, fetch: h.issuer.fetch }),
    },
  );
  const key = await credentials(await mint({ ...h2, issuer: h.issuer }, {}, { sub: "*" }));
  const res = await send(h2, "/private/anything", {
    key: { id: key.id, secret: key.secret, token: key.token },
  });
  assert.equal(res.status, 403);
  await res.body?.cancel();
});

Deno.test("STS: errors use the STS XML format with precise codes", async () => {
  const h = setup();
  const cases: [Response, number, string, RegExp][] = [
    [
      await mint(h, { RoleArn: "arn:aws:iam::1:role/nope" }),
      400,
      "MalformedPolicyDocument",
      /nope/,
    ],
    [await mint(h, { WebIdentityToken: "not-a-jwt" }), 400, "InvalidIdentityToken", /well-formed/],
    [await mint(h, {}, { aud: "wrong" }), 400, "InvalidIdentityToken", /audience/],
    [await mint(h, {}, { exp: NOW / 1000 - 3600 }), 400, "InvalidIdentityToken", /expired/],
    [await mint(h, { RoleSessionName: "" }), 400, "InvalidParameterValue", /RoleSessionName/],
    [await mint(h, { Action: "GetCallerIdentity" }), 400, "InvalidAction", /GetCallerIdentity/],
  ];
  for (const [res, status, code, message] of cases) {
    const xml = await res.text();
    assert.equal(res.status, status, xml);
    assert.match(
      xml,
      /^<\?xml[^>]*>\n<ErrorResponse xmlns="https:\/\/sts.amazonaws.com\/doc\/2011-06-15\/"><Error><Type>Sender<\/Type>/,
    );
    assert.match(xml, new RegExp(`<Code>${code}</Code>`));
    assert.match(xml, message);
    assert.match(xml, /<RequestId>[0-9A-F]{16}<\/RequestId><\/ErrorResponse>$/);
  }
});

Deno.test("STS: without SESSION_TOKEN_KEY the endpoint says it is not configured", async () => {
  const h = setup({ keys: false });
  const res = await mint(h);
  assert.equal(res.status, 501);
  assert.match(await res.text(), /SESSION_TOKEN_KEY is not set/);
  assert.deepEqual(h.issuer.requests, [], "nothing fetched");
});

Deno.test("STS: an unreachable issuer answers IDPCommunicationError promptly", async () => {
  const h = setup();
  h.issuer.failWith = 503;
  const res = await mint(h);
  assert.equal(res.status, 400);
  const xml = await res.text();
  assert.match(xml, /<Code>IDPCommunicationError<\/Code>/);
  assert.doesNotMatch(xml, /issuer.test\/.well-known/, "the fetch detail stays in the log");
});

Deno.test("STS and CORS preflights have their header section bounded too (an STS error, not a 500)", async () => {
  const h = setup();
  const big = { "x-filler": "f".repeat(17 * 1024) };
  const q = new URLSearchParams({ Action: "AssumeRoleWithWebIdentity", RoleArn: "ci" });
  const sts = await h.handle(new Request(`${BASE}/?${q}`, { headers: big }));
  assert.equal(sts.status, 400);
  const xml = await sts.text();
  assert.match(xml, /^<\?xml[^>]*>\n<ErrorResponse /);
  assert.match(xml, /<Code>RequestHeaderSectionTooLarge<\/Code>/);
  const pre = await h.handle(
    new Request(`${BASE}/public/k`, {
      method: "OPTIONS",
      headers: { ...big, origin: "https://app.test", "access-control-request-method": "GET" },
    }),
  );
  assert.equal(pre.status, 400);
  assert.equal(await errorCode(pre), "RequestHeaderSectionTooLarge");
});
