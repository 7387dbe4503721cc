import assert from "node:assert/strict";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { fixedClock } from "../../../src/clock.ts";
import { createOidcIssuer, serveWellKnown, TOKEN_LIFETIME_SECS } from "../../../src/oidc/issuer.ts";
import { parseProviderKey, type ProviderKey } from "../../../src/oidc/provider_key.ts";
import { rsaPem } from "../../_support/rsa_pem.ts";

async function key(): Promise<ProviderKey> {
  const k = await parseProviderKey("K", rsaPem().pkcs8);
  if (!k.ok) throw new Error(k.error);
  return k.value;
}
const CURRENT = await key();
const NEXT = await key();
const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const ISSUER = "https://gw.example.com";

Deno.test("discovery names the issuer, the JWKS and RS256", () => {
  const issuer = createOidcIssuer({
    issuer: `${ISSUER}/`,
    current: CURRENT,
    clock: fixedClock(NOW),
  });
  assert.deepEqual(issuer.discovery(), {
    issuer: ISSUER,
    jwks_uri: `${ISSUER}/.well-known/jwks.json`,
    response_types_supported: ["id_token"],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: ["RS256"],
    claims_supported: ["iss", "sub", "aud", "iat", "exp", "jti"],
  });
});

Deno.test("the JWKS holds the current key and, ahead of a rotation, the next", () => {
  const one = createOidcIssuer({ issuer: ISSUER, current: CURRENT, clock: fixedClock(NOW) });
  assert.deepEqual(one.jwks().keys.map((k) => k.kid), [CURRENT.kid]);
  const two = createOidcIssuer({
    issuer: ISSUER,
    current: CURRENT,
    next: NEXT,
    clock: fixedClock(NOW),
  });
  assert.deepEqual(two.jwks().keys.map((k) => k.kid), [CURRENT.kid, NEXT.kid]);
  for (const k of two.jwks().keys) {
    assert.equal(k.alg, "RS256");
    assert.equal(k.use, "sig");
    assert.equal((k as Record<string, unknown>).d, undefined);
  }
});

Deno.test("a minted token has the claims and header STS checks, signed by the current key", async () => {
  const issuer = createOidcIssuer({
    issuer: ISSUER,
    current: CURRENT,
    next: NEXT,
    clock: fixedClock(NOW),
  });
  const token = await issuer.mint({ subject: "bucketgate", audience: "sts.amazonaws.com" });
  assert.deepEqual(decodeProtectedHeader(token), { alg: "RS256", typ: "JWT", kid: CURRENT.kid });
  const { payload } = await jwtVerify(token, createLocalJWKSet(issuer.jwks()), {
    issuer: ISSUER,
    audience: "sts.amazonaws.com",
    subject: "bucketgate",
    currentDate: new Date(NOW),
    algorithms: ["RS256"],
  });
  assert.equal(payload.iat, NOW / 1000);
  assert.equal(payload.exp, NOW / 1000 + TOKEN_LIFETIME_SECS);
  assert.match(String(payload.jti), /^[0-9a-f-]{36}$/);
  const again = await issuer.mint({ subject: "bucketgate", audience: "sts.amazonaws.com" });
  const { payload: p2 } = await jwtVerify(again, createLocalJWKSet(issuer.jwks()), {
    currentDate: new Date(NOW),
  });
  assert.notEqual(p2.jti, payload.jti, "every token has its own jti");
});

Deno.test("well-known documents are served under the issuer's path, GET and HEAD only", async () => {
  const issuer = createOidcIssuer({
    issuer: "https://gw.example.com/oidc",
    current: CURRENT,
    clock: fixedClock(NOW),
  });
  const doc = serveWellKnown(issuer, "GET", "/oidc/.well-known/openid-configuration");
  assert.ok(doc);
  assert.equal(doc.headers.get("content-type"), "application/json");
  assert.equal((await doc.json()).jwks_uri, "https://gw.example.com/oidc/.well-known/jwks.json");
  const jwks = serveWellKnown(issuer, "GET", "/oidc/.well-known/jwks.json");
  assert.equal((await jwks!.json()).keys[0].kid, CURRENT.kid);
  const head = serveWellKnown(issuer, "HEAD", "/oidc/.well-known/jwks.json");
  assert.equal(head?.body, null);
  assert.equal(serveWellKnown(issuer, "PUT", "/oidc/.well-known/jwks.json"), undefined);
  assert.equal(serveWellKnown(issuer, "GET", "/.well-known/jwks.json"), undefined);
  assert.equal(serveWellKnown(issuer, "GET", "/oidc/.well-known/other"), undefined);
});
