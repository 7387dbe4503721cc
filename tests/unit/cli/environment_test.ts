import assert from "node:assert/strict";
import { readEnvironment, readSessionKeys } from "../../../src/cli/environment.ts";
import { fixedClock } from "../../../src/clock.ts";
import { rsaPem } from "../../_support/rsa_pem.ts";

const KEY_A = btoa(String.fromCharCode(...new Uint8Array(32).fill(1)));
const KEY_B = btoa(String.fromCharCode(...new Uint8Array(32).fill(2)));

function env(vars: Record<string, string>): (name: string) => string | undefined {
  return (name) => vars[name];
}

Deno.test("readSessionKeys() without either variable is undefined (STS off)", () => {
  assert.deepEqual(readSessionKeys(env({})), { ok: true, value: undefined });
});

Deno.test("readSessionKeys() reads the current key and the previous one", () => {
  const one = readSessionKeys(env({ SESSION_TOKEN_KEY: KEY_A }));
  assert.deepEqual(one, { ok: true, value: { current: new Uint8Array(32).fill(1) } });
  const two = readSessionKeys(env({ SESSION_TOKEN_KEY: KEY_A, SESSION_TOKEN_KEY_PREVIOUS: KEY_B }));
  assert.deepEqual(two, {
    ok: true,
    value: { current: new Uint8Array(32).fill(1), previous: new Uint8Array(32).fill(2) },
  });
});

Deno.test("readSessionKeys() refuses a previous key without a current one", () => {
  assert.deepEqual(readSessionKeys(env({ SESSION_TOKEN_KEY_PREVIOUS: KEY_B })), {
    ok: false,
    error: [{ path: "SESSION_TOKEN_KEY_PREVIOUS", message: "is set but SESSION_TOKEN_KEY is not" }],
  });
});

Deno.test("readSessionKeys() names both malformed keys", () => {
  const r = readSessionKeys(env({ SESSION_TOKEN_KEY: "abc", SESSION_TOKEN_KEY_PREVIOUS: "%%" }));
  assert.ok(!r.ok);
  assert.deepEqual(r.error.map((p) => p.path), ["SESSION_TOKEN_KEY", "SESSION_TOKEN_KEY_PREVIOUS"]);
  assert.match(r.error[0]!.message, /must decode to 32 bytes, not 2/);
  assert.match(r.error[1]!.message, /must be base64/);
  const prevOnly = readSessionKeys(
    env({ SESSION_TOKEN_KEY: KEY_A, SESSION_TOKEN_KEY_PREVIOUS: "%%" }),
  );
  assert.deepEqual(prevOnly.ok ? [] : prevOnly.error.map((p) => p.path), [
    "SESSION_TOKEN_KEY_PREVIOUS",
  ]);
});

Deno.test("readEnvironment() with nothing set turns nothing on", async () => {
  assert.deepEqual(await readEnvironment(env({}), fixedClock(0)), { ok: true, value: {} });
});

Deno.test("readEnvironment() reads the session keys and the OIDC issuer together", async () => {
  const r = await readEnvironment(
    env({
      SESSION_TOKEN_KEY: KEY_A,
      OIDC_PROVIDER_KEY: rsaPem().pkcs8,
      OIDC_PROVIDER_ISSUER: "https://gw.example.com",
    }),
    fixedClock(0),
  );
  assert.ok(r.ok);
  assert.deepEqual(r.value.sessionKeys, { current: new Uint8Array(32).fill(1) });
  assert.ok(r.value.oidcIssuer);
});

Deno.test("readEnvironment() lists the session keys' problems, then the issuer's", async () => {
  const r = await readEnvironment(
    env({ SESSION_TOKEN_KEY: "abc", OIDC_PROVIDER_ISSUER: "ftp://x" }),
    fixedClock(0),
  );
  assert.ok(!r.ok);
  assert.deepEqual(r.error.map((p) => p.path), [
    "SESSION_TOKEN_KEY",
    "OIDC_PROVIDER_KEY",
    "OIDC_PROVIDER_ISSUER",
  ]);
});
