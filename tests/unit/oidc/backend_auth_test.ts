import assert from "node:assert/strict";
import { fixedClock } from "../../../src/clock.ts";
import type { OidcBackendAuth } from "../../../src/config/backend_options/oidc.ts";
import { createOidcCredentials, SESSION_NAME } from "../../../src/oidc/backend_auth.ts";
import type { OidcIssuer } from "../../../src/oidc/issuer.ts";

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const AUTH: OidcBackendAuth = {
  roleArn: "arn:aws:iam::123456789012:role/gateway",
  subject: "bucketgate",
  audience: "sts.amazonaws.com",
  stsEndpoint: "https://sts.example.test",
  durationSecs: 900,
};

const xml = (id: string) =>
  `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
<AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>${id}</AccessKeyId>
<SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken>
<Expiration>2026-11-28T13:00:00Z</Expiration></Credentials></AssumeRoleWithWebIdentityResult>
</AssumeRoleWithWebIdentityResponse>`;

function setup(status = 200) {
  const minted: string[] = [];
  const posted: { url: string; form: URLSearchParams }[] = [];
  const outcomes: string[] = [];
  const issuer = {
    mint: (c: { subject: string; audience: string }) => {
      minted.push(`${c.subject} ${c.audience}`);
      return Promise.resolve(`jwt-${minted.length}`);
    },
  } as unknown as OidcIssuer;
  const fetchFake: typeof fetch = async (input, init) => {
    const req = new Request(input, init);
    posted.push({ url: req.url, form: new URLSearchParams(await req.text()) });
    const body = status === 200
      ? xml(`ASIA${posted.length}`)
      : "<ErrorResponse><Error><Code>AccessDenied</Code><Message>no</Message></Error></ErrorResponse>";
    return new Response(body, { status });
  };
  const credentials = createOidcCredentials({
    issuer,
    clock: fixedClock(NOW),
    fetch: fetchFake,
    onExchange: (o) => outcomes.push(o),
  });
  return { credentials, minted, posted, outcomes };
}

Deno.test("createOidcCredentials() mints a token for the subject and audience and exchanges it at STS", async () => {
  const s = setup();
  const r = await s.credentials(AUTH)();
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(r.value.accessKeyId, "ASIA1");
  assert.equal(r.value.sessionToken, "t");
  assert.deepEqual(s.minted, ["bucketgate sts.amazonaws.com"]);
  const { url, form } = s.posted[0]!;
  assert.equal(new URL(url).origin, "https://sts.example.test");
  assert.equal(form.get("RoleArn"), AUTH.roleArn);
  assert.equal(form.get("WebIdentityToken"), "jwt-1");
  assert.equal(form.get("RoleSessionName"), SESSION_NAME);
  assert.equal(form.get("DurationSeconds"), "900");
  assert.deepEqual(s.outcomes, ["ok"]);
});

Deno.test("createOidcCredentials() shares one exchange between sources of the same role, subject and audience", async () => {
  const s = setup();
  const a = await s.credentials(AUTH)();
  const b = await s.credentials({ ...AUTH })();
  assert.ok(a.ok && b.ok);
  assert.equal(s.posted.length, 1);
  const other = await s.credentials({ ...AUTH, subject: "other" })();
  assert.ok(other.ok);
  assert.equal(other.value.accessKeyId, "ASIA2");
  assert.equal(s.posted.length, 2);
});

Deno.test("createOidcCredentials() passes on a refused exchange and counts it", async () => {
  const s = setup(403);
  const r = await s.credentials(AUTH)();
  assert.ok(!r.ok);
  assert.deepEqual(s.outcomes, ["error"]);
});
