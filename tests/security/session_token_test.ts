/** sealSession() → unsealSession() round-trips; a mutated token never opens to other claims. */
import assert from "node:assert/strict";
import { sealSession, type SessionClaims, unsealSession } from "../../src/auth/session_token.ts";
import { ACTIONS } from "../../src/config/types.ts";
import { fuzz, mutateString, randomString, type Rng } from "./_fuzz.ts";

const KEYS = { current: new Uint8Array(32).fill(7), previous: new Uint8Array(32).fill(9) };

function claims(rng: Rng): SessionClaims {
  const s = () => randomString(rng, 12);
  return {
    accessKeyId: s(),
    secretAccessKey: s(),
    roleId: s(),
    subject: s(),
    sessionName: s(),
    issuer: s(),
    scopes: Array.from({ length: rng.int(3) }, () => ({
      bucket: s(),
      prefixes: Array.from({ length: rng.int(3) }, s),
      actions: ACTIONS.filter(() => rng.chance(0.5)),
    })),
    expiresAt: rng.pick([0, -1, 1.5, Date.UTC(2026, 0, 1), Number.MAX_SAFE_INTEGER]),
    issuedAt: rng.pick([0, Date.UTC(2026, 0, 1)]),
    claims: { sub: s(), aud: [s(), s()], [s()]: rng.pick([s(), 1, true]) },
    ...(rng.chance(0.5) ? { sessionPolicy: s() } : {}),
  };
}

Deno.test("unsealSession() returns exactly the sealed claims (unicode, lone surrogates included)", async () => {
  await fuzz("session round-trip", { iterations: 2000, budgetMs: 1500 }, ({ rng, note }) => {
    const c = claims(rng);
    note(c);
    const token = sealSession(c, rng.chance(0.5) ? KEYS : { current: KEYS.previous });
    assert.deepEqual(unsealSession(token, KEYS), c);
  });
});

Deno.test("a mutated sealed token never unseals to different claims", async () => {
  await fuzz("session mutated", { iterations: 5000, budgetMs: 2000 }, ({ rng, note }) => {
    const c = claims(rng);
    const token = sealSession(c, KEYS);
    const mutated = rng.chance(0.1) ? randomString(rng, 80) : mutateString(rng, token, 3);
    note({ token, mutated });
    const out = unsealSession(mutated, KEYS);
    // base64url's last char may carry unused bits: a different token may still open, to the same claims
    if (out !== undefined) assert.deepEqual(out, c);
    assert.equal(unsealSession(token, { current: new Uint8Array(32).fill(1) }), undefined);
  });
});
