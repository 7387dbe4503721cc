import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { calculateJwkThumbprint, importJWK, jwtVerify, SignJWT } from "jose";
import { parseProviderKey } from "../../../src/oidc/provider_key.ts";
import { rsaPem } from "../../_support/rsa_pem.ts";

const KEY = rsaPem();

async function roundTrip(pem: string, verifyWith: Record<string, string>): Promise<void> {
  const parsed = await parseProviderKey("OIDC_PROVIDER_KEY", pem);
  assert.ok(parsed.ok, parsed.ok ? "" : parsed.error);
  const token = await new SignJWT({ x: 1 }).setProtectedHeader({ alg: "RS256" }).sign(
    parsed.value.privateKey,
  );
  const { payload } = await jwtVerify(token, await importJWK(verifyWith, "RS256"));
  assert.equal(payload.x, 1);
}

Deno.test("PKCS#1 and PKCS#8 encodings of one key read as the same key", async () => {
  const one = await parseProviderKey("K", KEY.pkcs1);
  const eight = await parseProviderKey("K", KEY.pkcs8);
  assert.ok(one.ok && eight.ok);
  assert.deepEqual(one.value.publicJwk, eight.value.publicJwk);
  // Each signs what the other's public key verifies.
  await roundTrip(KEY.pkcs1, eight.value.publicJwk);
  await roundTrip(KEY.pkcs8, one.value.publicJwk);
});

Deno.test("the public JWK has kid = RFC 7638 thumbprint, alg, use, and nothing private", async () => {
  const k = await parseProviderKey("K", KEY.pkcs8);
  assert.ok(k.ok);
  const jwk = k.value.publicJwk;
  assert.deepEqual(Object.keys(jwk).sort(), ["alg", "e", "kid", "kty", "n", "use"]);
  assert.equal(jwk.alg, "RS256");
  assert.equal(jwk.use, "sig");
  assert.equal(jwk.kid, await calculateJwkThumbprint({ kty: "RSA", n: jwk.n!, e: jwk.e! }));
  assert.equal(k.value.kid, jwk.kid);
  assert.equal(k.value.privateKey.extractable, false);
});

Deno.test("a PEM with \\n escapes (one line in an env file) is read", async () => {
  const oneLine = KEY.pkcs1.trim().replace(/\n/g, "\\n");
  assert.ok(!oneLine.includes("\n"));
  const k = await parseProviderKey("K", oneLine);
  assert.ok(k.ok);
});

Deno.test("bad keys are refused with a message naming the variable", async () => {
  const cases: [string, RegExp][] = [
    ["", /OIDC_PROVIDER_KEY: not a PEM RSA private key/],
    ["-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", /not a PEM RSA private key/],
    ["-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----", /not base64/],
    ["-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", /not a valid RSA private key/],
    [rsaPem(1024).pkcs8, /1024 bits; at least 2048/],
    [
      String(
        generateKeyPairSync("ec", {
          namedCurve: "P-256",
          privateKeyEncoding: { type: "pkcs8", format: "pem" },
          publicKeyEncoding: { type: "spki", format: "pem" },
        }).privateKey,
      ),
      /not a valid RSA private key/,
    ],
  ];
  for (const [pem, message] of cases) {
    const r = await parseProviderKey("OIDC_PROVIDER_KEY", pem);
    assert.ok(!r.ok, `accepted: ${pem.slice(0, 40)}`);
    assert.match(r.error, message);
    assert.match(r.error, /^OIDC_PROVIDER_KEY: /);
    assert.ok(!r.error.includes("MII"), "the key must not be echoed");
  }
});
