/** The OIDC issuer's documents through the whole app, and jose's remote JWKS against it. */
import assert from "node:assert/strict";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { fixedClock } from "../../src/clock.ts";
import { createOidcIssuer } from "../../src/oidc/issuer.ts";
import { parseProviderKey } from "../../src/oidc/provider_key.ts";
import { rsaPem } from "../_support/rsa_pem.ts";
import { BASE, errorCode, harness, NOW, testConfig } from "./_harness.ts";

const key = await parseProviderKey("K", rsaPem().pkcs1);
if (!key.ok) throw new Error(key.error);
const issuer = createOidcIssuer({
  issuer: "https://gw.example.com",
  current: key.value,
  clock: fixedClock(NOW),
});

Deno.test("the app serves discovery and JWKS without authentication; jose verifies a minted token", async () => {
  const h = harness(testConfig(), { oidcIssuer: issuer });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, h.handle);
  try {
    const base = `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`;
    const discovery = await (await fetch(`${base}/.well-known/openid-configuration`)).json();
    assert.equal(discovery.issuer, "https://gw.example.com");
    const jwks = createRemoteJWKSet(new URL(`${base}/.well-known/jwks.json`));
    const token = await issuer.mint({ subject: "bucketgate", audience: "sts.amazonaws.com" });
    const { payload } = await jwtVerify(token, jwks, {
      issuer: discovery.issuer,
      audience: "sts.amazonaws.com",
      currentDate: new Date(NOW),
    });
    assert.equal(payload.sub, "bucketgate");
    assert.ok(h.logs.some((e) => e.operation === "OidcDiscovery" && e.status === 200));
  } finally {
    await server.shutdown();
  }
});

Deno.test("without an issuer, or on a virtual-hosted bucket, /.well-known is S3", async () => {
  const plain = harness(testConfig());
  const r = await plain.handle(new Request(`${BASE}/.well-known/jwks.json`));
  assert.equal(r.status, 404);
  assert.equal(await errorCode(r), "NoSuchBucket");
  const vhost = harness(testConfig({ domain: "s3.test" }), { oidcIssuer: issuer });
  const v = await vhost.handle(
    new Request(`${BASE}/.well-known/jwks.json`, { headers: { host: "public.s3.test" } }),
  );
  assert.equal(v.status, 404);
  assert.equal(await errorCode(v), "NoSuchKey");
  const apex = await vhost.handle(
    new Request(`${BASE}/.well-known/jwks.json`, { headers: { host: "s3.test" } }),
  );
  assert.equal(apex.status, 200);
});
