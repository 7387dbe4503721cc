import assert from "node:assert/strict";
import { fixedClock } from "../../../src/clock.ts";
import { cacheLifetimeMs, createJwksCache } from "../../../src/sts/jwks.ts";
import { fakeIssuer, TEST_ISSUER, testKey } from "../../_support/oidc.ts";

const NOW = Date.UTC(2026, 10, 24, 12);
const k1 = await testKey("k1");
const k2 = await testKey("k2");

Deno.test("keysFor() fetches once and serves from the cache until Cache-Control max-age", async () => {
  const issuer = fakeIssuer([k1.publicJwk]);
  issuer.cacheControl = "public, max-age=300";
  const clock = fixedClock(NOW);
  const jwks = createJwksCache({ clock, fetch: issuer.fetch });
  for (let i = 0; i < 5; i++) {
    assert.equal((await jwks.keysFor(TEST_ISSUER, { alg: "RS256", kid: "k1" })).ok, true);
  }
  assert.deepEqual(issuer.requests, [
    `${TEST_ISSUER}/.well-known/openid-configuration`,
    `${TEST_ISSUER}/jwks`,
  ]);
  clock.set(NOW + 299_000);
  await jwks.keysFor(TEST_ISSUER, { alg: "RS256", kid: "k1" });
  assert.equal(issuer.requests.length, 2);
  clock.set(NOW + 300_000);
  await jwks.keysFor(TEST_ISSUER, { alg: "RS256", kid: "k1" });
  assert.equal(issuer.requests.length, 4);
});

Deno.test("keysFor() shares one fetch among concurrent callers", async () => {
  const issuer = fakeIssuer([k1.publicJwk]);
  const jwks = createJwksCache({ clock: fixedClock(NOW), fetch: issuer.fetch });
  const all = await Promise.all(
    Array.from({ length: 50 }, () => jwks.keysFor(TEST_ISSUER, { alg: "RS256", kid: "k1" })),
  );
  assert.ok(all.every((r) => r.ok && r.value.length === 1));
  assert.equal(issuer.requests.length, 2);
});

Deno.test("keysFor() refetches on an unknown kid at most once a minute (rotation works, floods do not)", async () => {
  const issuer = fakeIssuer([k1.publicJwk]);
  const clock = fixedClock(NOW);
  const jwks = createJwksCache({ clock, fetch: issuer.fetch });
  await jwks.keysFor(TEST_ISSUER, { alg: "RS256", kid: "k1" });
  issuer.keys = [k1.publicJwk, k2.publicJwk]; // the issuer rotates
  clock.set(NOW + 60_000);
  const rotated = await jwks.keysFor(TEST_ISSUER, { alg: "RS256", kid: "k2" });
  assert.ok(rotated.ok && rotated.value.length === 1);
  const before = issuer.requests.length;
  for (let i = 0; i < 100; i++) {
    const r = await jwks.keysFor(TEST_ISSUER, { alg: "RS256", kid: `bogus-${i}` });
    assert.ok(r.ok && r.value.length === 0);
  }
  assert.equal(issuer.requests.length, before, "a flood of unknown kids fetched nothing");
  clock.set(NOW + 120_000);
  await jwks.keysFor(TEST_ISSUER, { alg: "RS256", kid: "bogus" });
  assert.equal(issuer.requests.length, before + 2, "one refetch after a minute");
});

Deno.test("keysFor() keeps stale keys while the issuer is down, and backs off", async () => {
  const issuer = fakeIssuer([k1.publicJwk]);
  issuer.cacheControl = "max-age=60";
  const clock = fixedClock(NOW);
  const jwks = createJwksCache({ clock, fetch: issuer.fetch });
  await jwks.keysFor(TEST_ISSUER, { alg: "RS256", kid: "k1" });
  issuer.failWith = 503;
  clock.set(NOW + 61_000);
  const stale = await jwks.keysFor(TEST_ISSUER, { alg: "RS256", kid: "k1" });
  assert.ok(stale.ok && stale.value.length === 1);
  const n = issuer.requests.length;
  for (let i = 0; i < 20; i++) await jwks.keysFor(TEST_ISSUER, { alg: "RS256", kid: "k1" });
  assert.equal(issuer.requests.length, n, "no retry within the backoff");
});

Deno.test("keysFor() answers IdpCommunicationError when the issuer cannot be reached", async () => {
  const issuer = fakeIssuer([k1.publicJwk]);
  issuer.failWith = 500;
  const jwks = createJwksCache({ clock: fixedClock(NOW), fetch: issuer.fetch });
  const r = await jwks.keysFor(TEST_ISSUER, { alg: "RS256", kid: "k1" });
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "IdpCommunicationError");
  assert.match(String(r.error.detail), /answered 500/);
});

Deno.test("keysFor() refuses an issuer whose discovery names another issuer or an http jwks_uri", async () => {
  for (
    const doc of [{ issuer: "https://other.test", jwks_uri: `${TEST_ISSUER}/jwks` }, {
      issuer: TEST_ISSUER,
      jwks_uri: "http://issuer.test/jwks",
    }]
  ) {
    const fetch = (() => Promise.resolve(Response.json(doc))) as typeof globalThis.fetch;
    const jwks = createJwksCache({ clock: fixedClock(NOW), fetch });
    const r = await jwks.keysFor(TEST_ISSUER, { alg: "RS256" });
    assert.ok(!r.ok);
    assert.equal(r.error.kind, "IdpCommunicationError");
  }
});

Deno.test("keysFor() bounds the size of fetched documents", async () => {
  const big = JSON.stringify({
    issuer: TEST_ISSUER,
    jwks_uri: `${TEST_ISSUER}/jwks`,
    pad: "x".repeat(300_000),
  });
  const fetch = (() => Promise.resolve(new Response(big))) as typeof globalThis.fetch;
  const jwks = createJwksCache({ clock: fixedClock(NOW), fetch });
  const r = await jwks.keysFor(TEST_ISSUER, { alg: "RS256" });
  assert.ok(!r.ok);
  assert.match(String(r.error.detail), /larger than/);
});

Deno.test("cacheLifetimeMs() reads max-age and treats no-store as zero", () => {
  assert.equal(cacheLifetimeMs("public, max-age=3600"), 3_600_000);
  assert.equal(cacheLifetimeMs("no-store"), 0);
  assert.equal(cacheLifetimeMs("no-cache, max-age=10"), 0);
  assert.equal(cacheLifetimeMs(null), undefined);
  assert.equal(cacheLifetimeMs("private"), undefined);
});
