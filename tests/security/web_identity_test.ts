/** verifyWebIdentity() on mutated JWTs: never throws, never accepts other claims, only 4xx. */
import assert from "node:assert/strict";
import { fixedClock } from "../../src/clock.ts";
import type { RoleConfig } from "../../src/config/types.ts";
import { statusOf } from "../../src/errors.ts";
import { createJwksCache } from "../../src/sts/jwks.ts";
import { verifyWebIdentity } from "../../src/sts/web_identity.ts";
import {
  fakeIssuer,
  signToken,
  TEST_ISSUER,
  TEST_ROLE,
  testKey,
  unsignedToken,
} from "../_support/oidc.ts";
import { fuzz, mutateString, randomString } from "./_fuzz.ts";

const NOW = Date.UTC(2026, 10, 24, 12);
const ROLE: RoleConfig = TEST_ROLE;

Deno.test("verifyWebIdentity() refuses mutated tokens with a 4xx and never changes claims", async () => {
  const keys = [await testKey("rsa-1", "RS256"), await testKey("ec-1", "ES256")];
  const issuer = fakeIssuer(keys.map((k) => k.publicJwk));
  const clock = fixedClock(NOW);
  const deps = { jwks: createJwksCache({ clock, fetch: issuer.fetch }), clock };
  const tokens = await Promise.all(keys.map((k) => signToken(k, { extra: "é😀" }, { now: NOW })));
  for (const t of tokens) assert.ok((await verifyWebIdentity(t, ROLE, deps)).ok);
  await fuzz(
    "web identity mutated",
    { iterations: 1500, budgetMs: 2500 },
    async ({ rng, note }) => {
      const token = rng.pick(tokens);
      const mutated = rng.pick([
        () => mutateString(rng, token, 3),
        () => randomString(rng, 60),
        () =>
          unsignedToken({
            alg: rng.pick(["none", "HS256", "RS256", "ES256", 7]),
            kid: rng.pick(["rsa-1", 1, undefined]),
          }, {
            iss: TEST_ISSUER,
            sub: "repo:org/app:x",
            aud: "sts.bucketgate.test",
            exp: NOW / 1000 + 60,
          }, rng.pick(["", "AAAA", token.split(".")[2]!])),
        () => {
          const [h, p, s] = token.split(".");
          return [h, mutateString(rng, p!, 2), s].join(".");
        },
      ])();
      note({ token, mutated });
      const r = await verifyWebIdentity(mutated, ROLE, deps);
      if (r.ok) {
        const orig = await verifyWebIdentity(token, ROLE, deps);
        assert.ok(orig.ok);
        assert.deepEqual(r.value, orig.value, "a mutated token verified with other claims");
      } else {
        const s = statusOf(r.error);
        assert.ok(s >= 400 && s < 500, `status ${s}`);
      }
    },
  );
});
