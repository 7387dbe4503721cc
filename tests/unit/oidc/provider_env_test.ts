import assert from "node:assert/strict";
import { createBackend } from "../../../src/backends/factory.ts";
import { fixedClock } from "../../../src/clock.ts";
import { missingIssuerProblems, readOidcProvider } from "../../../src/oidc/provider_env.ts";
import { configOf, envOf } from "../config/_helpers.ts";
import { rsaPem } from "../../_support/rsa_pem.ts";

const ROLE = "arn:aws:iam::123456789012:role/bucketgate-backend";

const bucket = (options: string) => `
buckets:
  - name: data
    backend_type: s3
    anonymous_access: false
    backend_options: { bucket_name: backing, region: eu-west-1, ${options} }
`;

Deno.test("an oidc bucket without the issuer environment is a problem, at start and in --check-config", async () => {
  const config = configOf(
    `${bucket(`auth_type: oidc, oidc_role_arn: "${ROLE}"`)}
  - { name: other, backend_type: memory, anonymous_access: false }
`,
  );
  assert.deepEqual(missingIssuerProblems(config, "needs the issuer"), [
    { path: "buckets[0].backend_options.auth_type", message: "needs the issuer" },
  ]);
  const made = createBackend(config.buckets[0]!);
  assert.ok(!made.ok);
  assert.match(made.error.message, /OIDC_PROVIDER_KEY and OIDC_PROVIDER_ISSUER/);
  assert.equal(await readOidcProvider(envOf({}), fixedClock(0)), undefined);
});

Deno.test("the issuer environment: both variables, a valid key, an http(s) URL", async () => {
  const pem = rsaPem().pkcs8;
  const clock = fixedClock(0);
  const problems = async (vars: Record<string, string>) => {
    const r = await readOidcProvider(envOf(vars), clock);
    assert.ok(Array.isArray(r), JSON.stringify(r));
    return r.map((p) => p.path);
  };
  assert.deepEqual(await problems({ OIDC_PROVIDER_KEY: pem }), ["OIDC_PROVIDER_ISSUER"]);
  assert.deepEqual(await problems({ OIDC_PROVIDER_ISSUER: "https://gw.test" }), [
    "OIDC_PROVIDER_KEY",
  ]);
  assert.deepEqual(
    await problems({ OIDC_PROVIDER_KEY: pem, OIDC_PROVIDER_ISSUER: "gw.test" }),
    ["OIDC_PROVIDER_ISSUER"],
  );
  assert.deepEqual(
    await problems({
      OIDC_PROVIDER_KEY: "nope",
      OIDC_PROVIDER_KEY_NEXT: "nope",
      OIDC_PROVIDER_ISSUER: "https://gw.test",
    }),
    ["OIDC_PROVIDER_KEY", "OIDC_PROVIDER_KEY_NEXT"],
  );
  const issuer = await readOidcProvider(
    envOf({
      OIDC_PROVIDER_KEY: pem,
      OIDC_PROVIDER_KEY_NEXT: rsaPem().pkcs1,
      OIDC_PROVIDER_ISSUER: "https://gw.test",
    }),
    clock,
  );
  assert.ok(issuer && !Array.isArray(issuer));
  assert.equal(issuer.jwks().keys.length, 2);
});
