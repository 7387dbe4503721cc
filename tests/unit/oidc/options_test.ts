import assert from "node:assert/strict";
import { createBackend } from "../../../src/backends/factory.ts";
import type { S3Options } from "../../../src/config/backend_options/s3.ts";
import type { Config } from "../../../src/config/types.ts";
import { fixedClock } from "../../../src/clock.ts";
import { missingIssuerProblems, readOidcProvider } from "../../../src/oidc/provider_env.ts";
import { configOf, envOf, problemsOf } from "../config/_helpers.ts";
import { rsaPem } from "../../_support/rsa_pem.ts";

const ROLE = "arn:aws:iam::123456789012:role/bucketgate-backend";

/** The s3 options of the config's first bucket. */
function s3OptionsIn(config: Config): S3Options {
  const backend = config.buckets[0]!.backend;
  assert.equal(backend.type, "s3");
  return (backend as { options: S3Options }).options;
}

const bucket = (options: string) => `
buckets:
  - name: data
    backend_type: s3
    anonymous_access: false
    backend_options: { bucket_name: backing, region: eu-west-1, ${options} }
`;

Deno.test("auth_type: oidc needs only a role ARN; subject, audience and STS endpoint default", () => {
  const config = configOf(bucket(`auth_type: oidc, oidc_role_arn: "${ROLE}"`));
  const o = s3OptionsIn(config);
  assert.equal(o.credentials, undefined);
  assert.deepEqual(o.oidc, {
    roleArn: ROLE,
    subject: "bucketgate",
    audience: "sts.amazonaws.com",
    stsEndpoint: "https://sts.eu-west-1.amazonaws.com",
    durationSecs: 3600,
  });
});

Deno.test("every oidc option is read", () => {
  const config = configOf(
    bucket(
      `auth_type: oidc, oidc_role_arn: "${ROLE}", oidc_subject: gw-prod, oidc_audience: my-aud, sts_endpoint: "http://127.0.0.1:5000/", oidc_session_duration_secs: 900`,
    ),
  );
  assert.deepEqual(s3OptionsIn(config).oidc, {
    roleArn: ROLE,
    subject: "gw-prod",
    audience: "my-aud",
    stsEndpoint: "http://127.0.0.1:5000",
    durationSecs: 900,
  });
});

Deno.test("oidc option problems are named by their path", () => {
  const at = (p: string) => `buckets[0].backend_options.${p}`;
  const cases: [string, string, RegExp][] = [
    ["auth_type: oidc", at("oidc_role_arn"), /required with auth_type: oidc/],
    [`auth_type: oidc, oidc_role_arn: "role/x"`, at("oidc_role_arn"), /a role ARN/],
    [`auth_type: keys, oidc_role_arn: "${ROLE}"`, at("auth_type"), /must be "oidc"/],
    [
      `auth_type: oidc, oidc_role_arn: "${ROLE}", access_key_id: a, secret_access_key: b`,
      at("access_key_id"),
      /not used with auth_type: oidc/,
    ],
    [
      `auth_type: oidc, oidc_role_arn: "${ROLE}", skip_signature: true`,
      at("skip_signature"),
      /not used/,
    ],
    [
      `auth_type: oidc, oidc_role_arn: "${ROLE}", sts_endpoint: ftp://x`,
      at("sts_endpoint"),
      /http\(s\) URL/,
    ],
    [
      `auth_type: oidc, oidc_role_arn: "${ROLE}", oidc_subject: ""`,
      at("oidc_subject"),
      /non-empty/,
    ],
    [
      `auth_type: oidc, oidc_role_arn: "${ROLE}", oidc_session_duration_secs: 60`,
      at("oidc_session_duration_secs"),
      /900 to 43200/,
    ],
    [
      `access_key_id: a, secret_access_key: b, oidc_role_arn: "${ROLE}"`,
      at("oidc_role_arn"),
      /only with auth_type: oidc/,
    ],
  ];
  for (const [options, path, message] of cases) {
    const ps = problemsOf(bucket(options));
    const found = ps.find((p) => p.path === path);
    assert.ok(found, `${options}: ${JSON.stringify(ps)}`);
    assert.match(found.message, message);
  }
});

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
