import assert from "node:assert/strict";
import { exportJWK } from "jose";
import { fixedClock } from "../../../src/clock.ts";
import type { RoleConfig } from "../../../src/config/types.ts";
import { createJwksCache } from "../../../src/sts/jwks.ts";
import { globMatches, verifyWebIdentity } from "../../../src/sts/web_identity.ts";
import {
  fakeIssuer,
  signToken,
  TEST_ISSUER,
  TEST_ROLE,
  testKey,
  unsignedToken,
} from "../../_support/oidc.ts";

const NOW = Date.UTC(2026, 10, 24, 12);
const ROLE: RoleConfig = TEST_ROLE;
const rsa = await testKey("rsa-1", "RS256");
const ec = await testKey("ec-1", "ES256");
const ps = await testKey("ps-1", "PS256");

function setup(keys = [rsa.publicJwk, ec.publicJwk, ps.publicJwk]) {
  const issuer = fakeIssuer(keys);
  const clock = fixedClock(NOW);
  const jwks = createJwksCache({ clock, fetch: issuer.fetch });
  return { issuer, clock, deps: { jwks, clock } };
}

async function failure(token: string, role = ROLE, s = setup()): Promise<string> {
  const r = await verifyWebIdentity(token, role, s.deps);
  assert.ok(!r.ok, "expected the token to be refused");
  assert.equal(r.error.kind, "InvalidOidcToken");
  return r.error.message;
}

Deno.test("verifyWebIdentity() accepts RS256, ES256 and PS256 tokens of a trusted issuer", async () => {
  const s = setup();
  for (const key of [rsa, ec, ps]) {
    const r = await verifyWebIdentity(await signToken(key, {}, { now: NOW }), ROLE, s.deps);
    assert.ok(r.ok, key.alg);
    assert.equal(r.value.subject, "repo:org/app:ref:refs/heads/main");
    assert.equal(r.value.audience, "sts.bucketgate.test");
    assert.equal(r.value.issuer, TEST_ISSUER);
  }
  // one discovery and one JWKS fetch for all three
  assert.equal(s.issuer.requests.length, 2);
});

Deno.test("verifyWebIdentity() refuses an untrusted issuer without fetching anything", async () => {
  const s = setup();
  const msg = await failure(
    await signToken(rsa, { iss: "https://evil.test" }, { now: NOW }),
    ROLE,
    s,
  );
  assert.match(msg, /issuer "https:\/\/evil.test" is not trusted/);
  assert.deepEqual(s.issuer.requests, []);
});

Deno.test("verifyWebIdentity() refuses alg none and HMAC, even HS256 keyed with the public key", async () => {
  const payload = {
    iss: TEST_ISSUER,
    sub: "repo:org/app:x",
    aud: "sts.bucketgate.test",
    exp: NOW / 1000 + 600,
  };
  assert.match(
    await failure(unsignedToken({ alg: "none" }, payload)),
    /algorithm "none" is not accepted/,
  );
  // HS256 signed with the RSA public key's JWK bytes: the classic confusion attack.
  const secret = new TextEncoder().encode(JSON.stringify(await exportJWK(rsa.privateKey)));
  const { SignJWT } = await import("jose");
  const hs = await new SignJWT(payload).setProtectedHeader({ alg: "HS256", kid: "rsa-1" }).sign(
    secret,
  );
  assert.match(await failure(hs), /algorithm "HS256" is not accepted/);
});

Deno.test("verifyWebIdentity() refuses a bad signature and an unknown kid", async () => {
  const other = await testKey("rsa-1", "RS256"); // same kid, different key
  assert.match(
    await failure(await signToken(other, {}, { now: NOW })),
    /signature does not verify/,
  );
  const stranger = await testKey("nobody", "RS256");
  assert.match(await failure(await signToken(stranger, {}, { now: NOW })), /No key .* matches/);
});

Deno.test("verifyWebIdentity() refuses a key whose alg differs from the token's", async () => {
  // An RS256 key must not verify a PS256 token just because both are RSA.
  const token = await signToken({ ...ps, kid: "rsa-1" }, {}, { now: NOW });
  assert.match(await failure(token, ROLE, setup([rsa.publicJwk])), /No key .* matches/);
});

Deno.test("verifyWebIdentity() checks exp, nbf and iat with 60 s of skew", async () => {
  const t = NOW / 1000;
  assert.match(await failure(await signToken(rsa, { exp: t - 61 }, { now: NOW })), /expired/);
  assert.ok(
    (await verifyWebIdentity(
      await signToken(rsa, { exp: t - 59 }, { now: NOW }),
      ROLE,
      setup().deps,
    )).ok,
  );
  assert.match(await failure(await signToken(rsa, { nbf: t + 61 }, { now: NOW })), /not yet valid/);
  assert.match(
    await failure(await signToken(rsa, { iat: t + 120 }, { now: NOW })),
    /issued in the future/,
  );
  const noExp = await signToken(rsa, {}, { now: NOW, omit: ["exp"] });
  assert.match(await failure(noExp), /no exp claim/);
});

Deno.test("verifyWebIdentity() checks the audience (any match) and the subject glob", async () => {
  assert.match(
    await failure(await signToken(rsa, { aud: "someone-else" }, { now: NOW })),
    /audience/,
  );
  const multi = await signToken(rsa, { aud: ["x", "sts.bucketgate.test"] }, { now: NOW });
  assert.ok((await verifyWebIdentity(multi, ROLE, setup().deps)).ok);
  assert.match(
    await failure(await signToken(rsa, { sub: "repo:other/app:x" }, { now: NOW })),
    /subject/,
  );
  const open = { ...ROLE, requiredAudiences: [], subjectConditions: [] };
  const any = await signToken(rsa, { aud: "whatever", sub: "anyone" }, { now: NOW });
  assert.ok((await verifyWebIdentity(any, open, setup().deps)).ok);
});

Deno.test("verifyWebIdentity() refuses what is not a JWT", async () => {
  for (const t of ["", "abc", "a.b.c", "....", unsignedToken({ alg: "RS256" }, { iss: 1 })]) {
    await failure(t);
  }
});

Deno.test("globMatches() treats * as any run of characters", () => {
  assert.ok(globMatches("repo:org/app:*", "repo:org/app:ref:refs/heads/main"));
  assert.ok(globMatches("*", ""));
  assert.ok(globMatches("a*b*c", "abc"));
  assert.ok(globMatches("a*b*c", "a-b-b-c"));
  assert.ok(!globMatches("a*b*c", "acb"));
  assert.ok(!globMatches("repo:org/app:*", "repo:org/app"));
  assert.ok(!globMatches("exact", "exactly"));
  assert.ok(!globMatches("ab*ba", "aba"));
});
