import assert from "node:assert/strict";
import {
  oidcBackendAuth,
  oidcOptionProblems,
} from "../../../../src/config/backend_options/oidc.ts";
import type { S3Options } from "../../../../src/config/backend_options/s3.ts";
import type { Config } from "../../../../src/config/types.ts";
import { configOf, problemsOf } from "../_helpers.ts";

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

Deno.test("oidcOptionProblems() of options alone: relative paths, none for a role ARN", () => {
  assert.deepEqual(oidcOptionProblems({ auth_type: "oidc", oidc_role_arn: ROLE }), []);
  assert.deepEqual(oidcOptionProblems({ auth_type: "keys" }), [
    { path: "auth_type", message: 'must be "oidc" (leave it out to use access keys)' },
  ]);
  assert.deepEqual(
    oidcOptionProblems({
      auth_type: "oidc",
      oidc_role_arn: ROLE,
      session_token: "t",
      oidc_audience: 3,
      oidc_session_duration_secs: 900.5,
    }).map((p) => p.path),
    ["session_token", "oidc_audience", "oidc_session_duration_secs"],
  );
});

Deno.test("oidcBackendAuth() fills the defaults from the region and trims the endpoint's slashes", () => {
  assert.deepEqual(oidcBackendAuth({ oidc_role_arn: ROLE }, "ap-south-1"), {
    roleArn: ROLE,
    subject: "bucketgate",
    audience: "sts.amazonaws.com",
    stsEndpoint: "https://sts.ap-south-1.amazonaws.com",
    durationSecs: 3600,
  });
  assert.equal(
    oidcBackendAuth({ oidc_role_arn: ROLE, sts_endpoint: "http://sts.test//" }, "r").stsEndpoint,
    "http://sts.test",
  );
});
