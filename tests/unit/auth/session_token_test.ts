import assert from "node:assert/strict";
import {
  createSessionResolver,
  newSecretAccessKey,
  newTemporaryAccessKeyId,
  parseSessionKey,
  sealSession,
  type SessionClaims,
  unsealSession,
} from "../../../src/auth/session_token.ts";
import { fixedClock } from "../../../src/clock.ts";
import { createSessionPolicyCache, parseSessionPolicy } from "../../../src/sts/session_policy.ts";

const compile = createSessionPolicyCache();
import { Buffer } from "node:buffer";
import { createCipheriv, randomBytes } from "node:crypto";

const KEY_A = new Uint8Array(32).fill(7);
const KEY_B = new Uint8Array(32).fill(9);
const NOW = Date.UTC(2026, 10, 24, 12);

const CLAIMS: SessionClaims = {
  accessKeyId: "ASIAABCDEFGHIJKLMNOP",
  secretAccessKey: "secret/with+chars=",
  roleId: "ci",
  subject: "repo:org/app:ref:refs/heads/main",
  sessionName: "build-42",
  issuer: "https://issuer.test",
  scopes: [{ bucket: "uploads", prefixes: ["releases/"], actions: ["get_object", "put_object"] }],
  expiresAt: NOW + 3600_000,
  issuedAt: NOW,
  claims: { sub: "repo:org/app:ref:refs/heads/main", aud: ["sts", "app"], team: "blue", n: 3 },
  sessionPolicy:
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::uploads/*"}]}',
};

Deno.test("sealSession() and unsealSession() round-trip every claim", () => {
  const token = sealSession(CLAIMS, { current: KEY_A });
  assert.match(token, /^[A-Za-z0-9_-]+$/);
  assert.deepEqual(unsealSession(token, { current: KEY_A }), CLAIMS);
});

Deno.test("sealSession() uses a fresh nonce: two seals of the same claims differ", () => {
  const keys = { current: KEY_A };
  assert.notEqual(sealSession(CLAIMS, keys), sealSession(CLAIMS, keys));
});

Deno.test("unsealSession() refuses a token with any byte changed", () => {
  const token = sealSession(CLAIMS, { current: KEY_A });
  const bytes = Uint8Array.from(
    atob(token.replace(/-/g, "+").replace(/_/g, "/")),
    (c) => c.charCodeAt(0),
  );
  for (let i = 0; i < bytes.length; i++) {
    const copy = bytes.slice();
    copy[i]! ^= 0x01;
    const tampered = btoa(String.fromCharCode(...copy)).replace(/\+/g, "-").replace(/\//g, "_")
      .replace(/=+$/, "");
    assert.equal(unsealSession(tampered, { current: KEY_A }), undefined, `byte ${i}`);
  }
});

Deno.test("unsealSession() refuses another key's token and opens the previous key's", () => {
  const old = sealSession(CLAIMS, { current: KEY_B });
  assert.equal(unsealSession(old, { current: KEY_A }), undefined);
  assert.deepEqual(unsealSession(old, { current: KEY_A, previous: KEY_B }), CLAIMS);
});

Deno.test("unsealSession() refuses garbage without throwing", () => {
  for (
    const t of ["", "x", "not base64!", "A".repeat(20_000), "AQ", btoa("\x02" + "a".repeat(40))]
  ) {
    assert.equal(unsealSession(t, { current: KEY_A }), undefined, t.slice(0, 20));
  }
});

Deno.test("createSessionResolver() binds the token to its access key", () => {
  const clock = fixedClock(NOW);
  const resolve = createSessionResolver({ current: KEY_A }, clock, { sessionPolicy: compile });
  const token = sealSession(CLAIMS, { current: KEY_A });
  const good = resolve(CLAIMS.accessKeyId, token);
  assert.ok(good.ok);
  assert.equal(good.value.secretAccessKey, CLAIMS.secretAccessKey);
  assert.equal(good.value.identity.kind, "session");
  const other = resolve("ASIAOTHEROTHEROTHER0", token);
  assert.ok(!other.ok);
  assert.equal(other.error.kind, "AccessDenied");
});

Deno.test("createSessionResolver() answers ExpiredCredentials after expiry, even from its cache", () => {
  const clock = fixedClock(NOW);
  const resolve = createSessionResolver({ current: KEY_A }, clock, { sessionPolicy: compile });
  const token = sealSession(CLAIMS, { current: KEY_A });
  assert.ok(resolve(CLAIMS.accessKeyId, token).ok);
  clock.set(CLAIMS.expiresAt);
  const late = resolve(CLAIMS.accessKeyId, token);
  assert.ok(!late.ok);
  assert.equal(late.error.kind, "ExpiredCredentials");
});

Deno.test("createSessionResolver() answers AccessDenied for a tampered or foreign token", () => {
  const resolve = createSessionResolver({ current: KEY_A }, fixedClock(NOW));
  const foreign = sealSession(CLAIMS, { current: KEY_B });
  const r = resolve(CLAIMS.accessKeyId, foreign);
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "AccessDenied");
});

Deno.test("parseSessionKey() takes 32 bytes of base64 and explains anything else", () => {
  const good = parseSessionKey("SESSION_TOKEN_KEY", btoa(String.fromCharCode(...KEY_A)));
  assert.ok(good.ok);
  assert.deepEqual(good.value, KEY_A);
  const short = parseSessionKey("SESSION_TOKEN_KEY", btoa("short"));
  assert.ok(!short.ok);
  assert.match(short.error, /32 bytes, not 5/);
  assert.ok(!parseSessionKey("SESSION_TOKEN_KEY", "not base64 at all!").ok);
});

Deno.test("newTemporaryAccessKeyId() and newSecretAccessKey() look like AWS's", () => {
  assert.match(newTemporaryAccessKeyId(), /^ASIA[A-Z2-7]{16}$/);
  assert.equal(newSecretAccessKey().length, 40);
  assert.notEqual(newTemporaryAccessKeyId(), newTemporaryAccessKeyId());
});

/** A token as bucketgate sealed it before version 0x02 (no issue time, claims or policy). */
function legacyToken(c: SessionClaims, key: Uint8Array): string {
  const packed = {
    a: c.accessKeyId,
    k: c.secretAccessKey,
    r: c.roleId,
    u: c.subject,
    n: c.sessionName,
    i: c.issuer,
    c: c.scopes.map((s) => [s.bucket, s.prefixes, s.actions]),
    e: c.expiresAt,
  };
  const nonce = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  cipher.setAAD(Uint8Array.of(0x01));
  const body = Buffer.concat([cipher.update(JSON.stringify(packed), "utf8"), cipher.final()]);
  return Buffer.concat([Uint8Array.of(0x01), nonce, body, cipher.getAuthTag()]).toString(
    "base64url",
  );
}

Deno.test("a token of version 0x01 still opens: issued at the epoch, no claims, no session policy", () => {
  const token = legacyToken(CLAIMS, KEY_A);
  const { claims: _c, sessionPolicy: _p, ...rest } = CLAIMS;
  assert.deepEqual(unsealSession(token, { current: KEY_A }), { ...rest, issuedAt: 0 });
  const resolved = createSessionResolver({ current: KEY_A }, fixedClock(NOW))(
    CLAIMS.accessKeyId,
    token,
  );
  assert.ok(resolved.ok);
  const id = resolved.value.identity;
  assert.ok(id.kind === "session");
  assert.equal(id.issuedAt, 0);
  assert.equal(id.claims, undefined);
  assert.equal(id.sessionPolicy, undefined);
});

Deno.test("the session identity carries the subject, session name, issue time, claims and compiled policy", () => {
  const token = sealSession(CLAIMS, { current: KEY_A });
  const resolved = createSessionResolver({ current: KEY_A }, fixedClock(NOW), {
    sessionPolicy: createSessionPolicyCache(),
  })(CLAIMS.accessKeyId, token);
  assert.ok(resolved.ok);
  const compiled = parseSessionPolicy(CLAIMS.sessionPolicy!);
  assert.ok(compiled.ok);
  assert.deepEqual(resolved.value.identity, {
    kind: "session",
    accessKeyId: CLAIMS.accessKeyId,
    principal: "ci/build-42",
    roleId: "ci",
    scopes: CLAIMS.scopes,
    expiresAt: CLAIMS.expiresAt,
    subject: CLAIMS.subject,
    sessionName: "build-42",
    issuedAt: NOW,
    claims: CLAIMS.claims,
    sessionPolicy: compiled.value,
  });
});

Deno.test("a token whose session policy cannot be compiled here is refused, never opened without it", () => {
  const token = sealSession(CLAIMS, { current: KEY_A });
  const none = createSessionResolver({ current: KEY_A }, fixedClock(NOW));
  const r = none(CLAIMS.accessKeyId, token);
  assert.ok(!r.ok && r.error.kind === "AccessDenied", "no compiler: refused");
  const bad = sealSession({ ...CLAIMS, sessionPolicy: "{not json" }, { current: KEY_A });
  const strict = createSessionResolver({ current: KEY_A }, fixedClock(NOW), {
    sessionPolicy: createSessionPolicyCache(),
  });
  const refused = strict(CLAIMS.accessKeyId, bad);
  assert.ok(!refused.ok && refused.error.kind === "AccessDenied");
  const { sessionPolicy: _p, ...plain } = CLAIMS;
  assert.ok(none(CLAIMS.accessKeyId, sealSession(plain, { current: KEY_A })).ok);
});

Deno.test("a token with no session policy opens without one; its version byte is 0x02", () => {
  const { sessionPolicy: _p, ...plain } = CLAIMS;
  const token = sealSession(plain, { current: KEY_A });
  assert.equal(Buffer.from(token, "base64url")[0], 0x02);
  assert.deepEqual(unsealSession(token, { current: KEY_A }), plain);
});

Deno.test("claims sealed without an issue time open as issued at the epoch", () => {
  const { issuedAt: _t, ...undated } = CLAIMS;
  assert.equal(
    unsealSession(sealSession(undated, { current: KEY_A }), { current: KEY_A })?.issuedAt,
    0,
  );
});
