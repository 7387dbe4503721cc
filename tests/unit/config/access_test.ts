import assert from "node:assert/strict";
import { ACTIONS } from "../../../src/config/types.ts";
import { configOf, hasProblem, onlyProblem, problemsOf, withData } from "./_helpers.ts";

const ISSUER = "https://issuer.example.com";

/** A subject condition, for roles whose tests are about something else. */
const SUBJECT = '    subject_conditions: ["system:serviceaccount:ci:*"]\n';

/** A role with the given extra lines (indented 4), then `trust` (a subject condition). */
const role = (lines: string, trust = SUBJECT) =>
  withData(`roles:\n  - role_id: r1\n    trusted_oidc_issuers: [${ISSUER}]\n${lines}${trust}`);

/** A credential with the given extra lines (indented 4). */
const cred = (lines: string) =>
  withData(
    `credentials:\n  - access_key_id: AKIDAAAAAAAAAAAAAAAA\n    secret_access_key: longenough\n${lines}`,
  );

const READ = "    allowed_scopes: [{ bucket: data, actions: [get_object] }]\n";

Deno.test("parseConfig() fills a role's defaults", () => {
  const c = configOf(role(READ));
  assert.deepEqual(c.roles, [{
    roleId: "r1",
    name: "r1",
    trustedOidcIssuers: [ISSUER],
    requiredAudiences: [],
    subjectConditions: ["system:serviceaccount:ci:*"],
    maxSessionDurationSecs: 3600,
    allowedScopes: [{ bucket: "data", prefixes: [], actions: ["get_object"] }],
  }]);
});

Deno.test("parseConfig() requires a role's role_id, trusted_oidc_issuers and allowed_scopes", () => {
  const ps = problemsOf(withData("roles:\n  - name: nameless\n"));
  assert.deepEqual(ps.map((p) => [p.path, p.line, p.column]), [
    ["roles[0].role_id", 4, 5],
    ["roles[0].trusted_oidc_issuers", 4, 5],
    ["roles[0].allowed_scopes", 4, 5],
  ]);
  assert.match(ps[1]!.message, /^required: a list of issuer URLs/);
});

Deno.test("parseConfig() refuses a role with an empty trusted_oidc_issuers", () => {
  onlyProblem(
    withData("roles:\n  - role_id: r1\n    trusted_oidc_issuers: []\n    allowed_scopes: []\n"),
    {
      path: "roles[0].trusted_oidc_issuers",
      message: /^must name at least one issuer URL$/,
      line: 5,
      column: 27,
    },
  );
});

Deno.test("parseConfig() requires https issuers, allowing http only on localhost", () => {
  const issuers = (list: string) =>
    withData(
      `roles:\n  - role_id: r1\n    trusted_oidc_issuers: [${list}]\n    allowed_scopes: []\n${SUBJECT}`,
    );
  const ok = configOf(
    issuers("https://a.example.com, http://localhost:8080, http://127.0.0.1:9000/realms/x"),
  );
  assert.equal(ok.roles[0]!.trustedOidcIssuers.length, 3);
  for (
    const bad of [
      "http://issuer.example.com",
      "ftp://localhost",
      "not a url",
      "http://localhost.evil.com",
    ]
  ) {
    onlyProblem(issuers(`"${bad}"`), {
      path: "roles[0].trusted_oidc_issuers[0]",
      message: /is not a trusted issuer URL: use https \(http only for 127\.0\.0\.1 or localhost\)/,
      line: 5,
    });
  }
  onlyProblem(issuers("https://a.example.com, https://b.example.com/?x=1"), {
    path: "roles[0].trusted_oidc_issuers[1]",
    message: /no query, fragment or credentials/,
    line: 5,
    column: 51,
  });
});

Deno.test("parseConfig() refuses duplicate role ids", () => {
  const yaml = withData(`roles:
  - { role_id: r1, trusted_oidc_issuers: [${ISSUER}], allowed_scopes: [], subject_conditions: [a] }
  - { role_id: r1, trusted_oidc_issuers: [${ISSUER}], allowed_scopes: [], subject_conditions: [a] }
`);
  onlyProblem(yaml, {
    path: "roles[1].role_id",
    message: /^duplicate role_id 'r1' \(also roles\[0\]\.role_id\)$/,
    line: 5,
    column: 16,
  });
});

Deno.test("parseConfig() bounds max_session_duration_secs to 900..43200", () => {
  const at = (v: string) => role(`    max_session_duration_secs: ${v}\n${READ}`);
  assert.equal(configOf(at("900")).roles[0]!.maxSessionDurationSecs, 900);
  assert.equal(configOf(at("43200")).roles[0]!.maxSessionDurationSecs, 43200);
  for (const v of ["899", "43201", "3600.5", "one-hour"]) {
    onlyProblem(at(v), {
      path: "roles[0].max_session_duration_secs",
      message: /^must be an integer from 900 to 43200, not /,
      line: 6,
    });
  }
});

Deno.test("parseConfig() reads required_audiences and subject_conditions as string lists", () => {
  const c = configOf(
    role(
      `    required_audiences: [sts.example.com]\n    subject_conditions: ["repo:o/a:*", "x"]\n${READ}`,
      "",
    ),
  );
  assert.deepEqual(c.roles[0]!.requiredAudiences, ["sts.example.com"]);
  assert.deepEqual(c.roles[0]!.subjectConditions, ["repo:o/a:*", "x"]);
  onlyProblem(role(`    required_audiences: sts.example.com\n${READ}`), {
    path: "roles[0].required_audiences",
    message: /^must be a list, not the string/,
  });
  onlyProblem(role(`    subject_conditions: ["ok", ""]\n${READ}`, ""), {
    path: "roles[0].subject_conditions[1]",
    message: /^must not be empty$/,
  });
});

Deno.test("parseConfig() lets role scopes use configured buckets, * and {claim} templates", () => {
  const c = configOf(role(`    allowed_scopes:
      - { bucket: data, actions: [get_object] }
      - { bucket: "*", actions: [list_bucket] }
      - { bucket: "{sub}", prefixes: ["in/"], actions: [put_object] }
      - { bucket: "team-{org}-{custom:env}", actions: [get_object] }
`));
  assert.deepEqual(c.roles[0]!.allowedScopes.map((s) => s.bucket), [
    "data",
    "*",
    "{sub}",
    "team-{org}-{custom:env}",
  ]);
});

Deno.test("parseConfig() refuses malformed {claim} templates and unknown buckets in role scopes", () => {
  const scope = (b: string) =>
    role(`    allowed_scopes: [{ bucket: "${b}", actions: [get_object] }]\n`);
  const cases: [string, RegExp][] = [
    ["{sub", /unbalanced/],
    ["sub}", /unbalanced/],
    ["{}", /malformed \{claim\} template/],
    ["{a b}", /malformed \{claim\} template/],
    ["Team-{sub}", /outside its \{claim\} templates/],
    [
      "dta",
      /^'dta' is not a configured bucket \(did you mean data\?\): use a configured bucket, \* or a \{claim\} template$/,
    ],
  ];
  for (const [b, message] of cases) {
    onlyProblem(scope(b), { path: "roles[0].allowed_scopes[0].bucket", message, line: 6 });
  }
});

Deno.test("parseConfig() maps a credential onto CredentialConfig with its defaults", () => {
  const c = configOf(cred(READ));
  assert.deepEqual(c.credentials, [{
    accessKeyId: "AKIDAAAAAAAAAAAAAAAA",
    secretAccessKey: "longenough",
    principalName: "AKIDAAAAAAAAAAAAAAAA",
    enabled: true,
    allowedScopes: [{ bucket: "data", prefixes: [], actions: ["get_object"] }],
  }]);
  const off = configOf(cred(`    principal_name: ci\n    enabled: false\n${READ}`));
  assert.equal(off.credentials[0]!.principalName, "ci");
  assert.equal(off.credentials[0]!.enabled, false);
});

Deno.test("parseConfig() requires a credential's access_key_id, secret_access_key and allowed_scopes", () => {
  const ps = problemsOf(withData("credentials:\n  - principal_name: p\n"));
  assert.deepEqual(ps.map((p) => [p.path, p.message.split(":")[0], p.line]), [
    ["credentials[0].access_key_id", "required", 4],
    ["credentials[0].secret_access_key", "required", 4],
    ["credentials[0].allowed_scopes", "required", 4],
  ]);
});

Deno.test("parseConfig() checks access key ids: 16–128 of A–Z and 0–9", () => {
  const withId = (id: string) =>
    withData(
      `credentials:\n  - { access_key_id: "${id}", secret_access_key: longenough, allowed_scopes: [] }\n`,
    );
  configOf(withId("A".repeat(16)));
  configOf(withId("AKIA0123456789ABCDEF".padEnd(128, "Z")));
  for (
    const id of ["A".repeat(15), "A".repeat(129), "akidaaaaaaaaaaaaaaaa", "AKID-AAAAAAAAAAAAAAA"]
  ) {
    onlyProblem(withId(id), {
      path: "credentials[0].access_key_id",
      message: /is not a valid access key id: use 16–128 characters of A–Z and 0–9$/,
      line: 4,
      column: 22,
    });
  }
});

Deno.test("parseConfig() refuses duplicate access key ids", () => {
  const entry =
    "  - { access_key_id: AKIDAAAAAAAAAAAAAAAA, secret_access_key: longenough, allowed_scopes: [] }\n";
  onlyProblem(withData(`credentials:\n${entry}${entry}`), {
    path: "credentials[1].access_key_id",
    message:
      /^duplicate access key id 'AKIDAAAAAAAAAAAAAAAA' \(also credentials\[0\]\.access_key_id\)$/,
    line: 5,
  });
});

Deno.test("parseConfig() refuses an empty or short secret_access_key", () => {
  onlyProblem(cred("").replace("longenough", "short") + "    allowed_scopes: []\n", {
    path: "credentials[0].secret_access_key",
    message: /^must be at least 8 characters$/,
    line: 5,
    column: 24,
  });
  onlyProblem(cred("").replace("longenough", '""') + "    allowed_scopes: []\n", {
    path: "credentials[0].secret_access_key",
    message: /^must not be empty$/,
  });
});

Deno.test("parseConfig() reads created_at and expires_at as ISO dates, strings or YAML timestamps", () => {
  const dates = configOf(
    cred(
      `    created_at: 2026-01-01\n    expires_at: "2026-06-30T12:30:00+02:00"\n    allowed_scopes: []\n`,
    ),
  ).credentials[0]!;
  assert.equal(dates.createdAt?.toISOString(), "2026-01-01T00:00:00.000Z");
  assert.equal(dates.expiresAt?.toISOString(), "2026-06-30T10:30:00.000Z");
  const yaml11 = "%YAML 1.1\n---\n" +
    cred("    created_at: 2026-01-01 10:00:00 -5\n    allowed_scopes: []\n");
  assert.equal(
    configOf(yaml11).credentials[0]!.createdAt?.toISOString(),
    "2026-01-01T15:00:00.000Z",
  );
});

Deno.test("parseConfig() refuses bad dates and an expiry before creation", () => {
  for (const v of ["tomorrow", "2026-02-30", "2026-01-01T10:00", "2026/01/01", "1767225600"]) {
    onlyProblem(cred(`    created_at: ${v}\n    allowed_scopes: []\n`), {
      path: "credentials[0].created_at",
      message: /^must be an ISO 8601 date \(2026-01-01\) or date-time with a zone/,
      line: 6,
      column: 17,
    });
  }
  onlyProblem(
    cred(`    created_at: 2026-01-02\n    expires_at: 2026-01-01\n    allowed_scopes: []\n`),
    { path: "credentials[0].expires_at", message: /^must be later than created_at$/, line: 7 },
  );
});

Deno.test("parseConfig() refuses an enabled that is not a boolean", () => {
  onlyProblem(cred(`    enabled: "no"\n    allowed_scopes: []\n`), {
    path: "credentials[0].enabled",
    message: /^must be true or false, not the string 'no'$/,
    line: 6,
    column: 14,
  });
});

Deno.test("parseConfig() limits credential scopes to configured buckets and *", () => {
  const scope = (b: string) =>
    cred(`    allowed_scopes: [{ bucket: "${b}", actions: [get_object] }]\n`);
  assert.equal(configOf(scope("*")).credentials[0]!.allowedScopes[0]!.bucket, "*");
  onlyProblem(scope("nope"), {
    path: "credentials[0].allowed_scopes[0].bucket",
    message: /^'nope' is not a configured bucket: use a configured bucket or \*$/,
    line: 6,
    column: 32,
  });
  onlyProblem(scope("{sub}"), {
    path: "credentials[0].allowed_scopes[0].bucket",
    message: /\{claim\} templates are only for roles/,
  });
});

Deno.test("parseConfig() reads scope prefixes as a string list, [] by default", () => {
  const c = configOf(
    cred(
      `    allowed_scopes: [{ bucket: data, prefixes: ["a/", "exact", ""], actions: [get_object] }]\n`,
    ),
  );
  assert.deepEqual(c.credentials[0]!.allowedScopes[0]!.prefixes, ["a/", "exact", ""]);
  onlyProblem(
    cred(`    allowed_scopes: [{ bucket: data, prefixes: "a/", actions: [get_object] }]\n`),
    {
      path: "credentials[0].allowed_scopes[0].prefixes",
      message: /^must be a list, not the string 'a\/'$/,
    },
  );
  onlyProblem(
    cred(`    allowed_scopes: [{ bucket: data, prefixes: [{ a: 1 }], actions: [get_object] }]\n`),
    {
      path: "credentials[0].allowed_scopes[0].prefixes[0]",
      message: /^must be a string, not a mapping$/,
    },
  );
});

Deno.test("parseConfig() refuses unknown, missing and empty actions, listing the valid ones", () => {
  const valid = `valid actions: ${ACTIONS.join(", ")}`;
  const scope = (actions: string) => cred(`    allowed_scopes:\n      - bucket: data\n${actions}`);
  onlyProblem(scope("        actions: [get_object, get_objcet]\n"), {
    path: "credentials[0].allowed_scopes[0].actions[1]",
    message: new RegExp(`^unknown action 'get_objcet' \\(did you mean get_object\\?\\); ${valid}$`),
    line: 8,
    column: 31,
  });
  const both = problemsOf(scope("        actions: [fly, swim]\n"));
  assert.deepEqual(both.map((p) => p.path), [
    "credentials[0].allowed_scopes[0].actions[0]",
    "credentials[0].allowed_scopes[0].actions[1]",
  ]);
  onlyProblem(scope("        actions: []\n"), {
    path: "credentials[0].allowed_scopes[0].actions",
    message: new RegExp(`^must name at least one action \\(${valid}\\)$`),
    line: 8,
  });
  onlyProblem(scope(""), {
    path: "credentials[0].allowed_scopes[0].actions",
    message: /^required: a list of actions/,
    line: 7,
    column: 9,
  });
  onlyProblem(scope("        actions: get_object\n"), {
    path: "credentials[0].allowed_scopes[0].actions",
    message: /^must be a list/,
  });
});

Deno.test("parseConfig() drops duplicate actions within a scope", () => {
  const c = configOf(
    cred("    allowed_scopes: [{ bucket: data, actions: [get_object, get_object] }]\n"),
  );
  assert.deepEqual(c.credentials[0]!.allowedScopes[0]!.actions, ["get_object"]);
});

Deno.test("parseConfig() requires a scope's bucket and reports unknown scope keys", () => {
  const ps = problemsOf(cred("    allowed_scopes: [{ buckets: data, actions: [get_object] }]\n"));
  assert.deepEqual(ps.map((p) => [p.path, p.message, p.line, p.column]), [
    ["credentials[0].allowed_scopes[0].bucket", "required", 6, 22],
    ["credentials[0].allowed_scopes[0].buckets", "unknown key (did you mean bucket?)", 6, 24],
  ]);
});

Deno.test("parseConfig() reports unknown keys in roles and credentials", () => {
  hasProblem(problemsOf(role(`    max_session_duration: 3600\n${READ}`)), {
    path: "roles[0].max_session_duration",
    message: /^unknown key \(did you mean max_session_duration_secs\?\)$/,
    line: 6,
    column: 5,
  });
  hasProblem(problemsOf(cred(`    secret_key: x\n${READ}`)), {
    path: "credentials[0].secret_key",
    message: /^unknown key$/,
    line: 6,
  });
});

const GITHUB = "https://token.actions.githubusercontent.com";

/** A role trusting `issuer` with the given trust lines (indented 4), reading `data`. */
const trusting = (issuer: string, lines: string) =>
  withData(`roles:\n  - role_id: ci\n    trusted_oidc_issuers: [${issuer}]\n${lines}${READ}`);

Deno.test("parseConfig() refuses a role with neither required_audiences nor subject_conditions", () => {
  onlyProblem(trusting(GITHUB, ""), {
    path: "roles[0]",
    message: new RegExp(
      "^accepts any token of https://token\\.actions\\.githubusercontent\\.com: " +
        "no required_audiences and no subject_conditions; set subject_conditions " +
        "\\(e\\.g\\. repo:org/app:\\*\\), or allow_any_subject: true to accept every " +
        "subject of this issuer$",
    ),
    line: 4,
    column: 5,
  });
  onlyProblem(trusting(ISSUER, ""), {
    path: "roles[0]",
    message: /^accepts any token of https:\/\/issuer\.example\.com: no required_audiences/,
    line: 4,
  });
});

Deno.test("parseConfig() accepts a role that trusts every subject with allow_any_subject: true", () => {
  for (const issuer of [ISSUER, GITHUB]) {
    const c = configOf(trusting(issuer, "    allow_any_subject: true\n"));
    assert.equal(c.roles[0]!.allowAnySubject, true);
    assert.deepEqual(c.roles[0]!.subjectConditions, []);
    assert.deepEqual(c.roles[0]!.requiredAudiences, []);
  }
  const audienceOnly = "    required_audiences: [sts.example.com]\n    allow_any_subject: true\n";
  assert.equal(configOf(trusting(GITHUB, audienceOnly)).roles[0]!.allowAnySubject, true);
  onlyProblem(trusting(ISSUER, "    allow_any_subject: false\n"), {
    path: "roles[0]",
    message: /^accepts any token of /,
  });
  onlyProblem(trusting(ISSUER, "    allow_any_subject: yes please\n"), {
    path: "roles[0].allow_any_subject",
    message: /^must be true or false, not the string 'yes please'$/,
    line: 6,
  });
});

Deno.test("parseConfig() refuses a role trusting GitHub Actions with required_audiences but no subject_conditions", () => {
  const audienceOnly = "    required_audiences: [sts.example.com]\n";
  onlyProblem(trusting(GITHUB, audienceOnly), {
    path: "roles[0]",
    message:
      /^accepts every GitHub Actions workflow of every repository: each chooses the audience of its token, so required_audiences without subject_conditions admits them all; set subject_conditions \(e\.g\. repo:org\/app:\*\), or allow_any_subject: true/,
    line: 4,
    column: 5,
  });
  // GitHub Enterprise Cloud's issuer is a path under GitHub's; a second issuer does not hide it.
  for (const issuers of [`${GITHUB}/acme`, `${ISSUER}, ${GITHUB}`]) {
    onlyProblem(trusting(issuers, audienceOnly), {
      path: "roles[0]",
      message: /^accepts every GitHub Actions workflow/,
    });
  }
  onlyProblem(trusting("https://gitlab.com", audienceOnly), {
    path: "roles[0]",
    message: /^accepts every GitLab\.com CI job of every project: .*project_path:group\/app:\*/,
  });
  // A private issuer's audience is its own to hand out: an audience alone is a choice.
  assert.deepEqual(configOf(trusting(ISSUER, audienceOnly)).roles[0]!.requiredAudiences, [
    "sts.example.com",
  ]);
});

Deno.test("parseConfig() accepts a role with subject_conditions, and refuses conditions that match everything", () => {
  const c = configOf(
    trusting(GITHUB, '    subject_conditions: ["repo:org/app:ref:refs/heads/main"]\n'),
  );
  assert.deepEqual(c.roles[0]!.subjectConditions, ["repo:org/app:ref:refs/heads/main"]);
  assert.equal(c.roles[0]!.allowAnySubject, undefined);
  configOf(
    trusting(
      GITHUB,
      '    required_audiences: [sts.example.com]\n    subject_conditions: ["repo:org/*"]\n',
    ),
  );
  onlyProblem(trusting(GITHUB, '    subject_conditions: ["*"]\n'), {
    path: "roles[0]",
    message: /^accepts any token of .*: its subject_conditions match every subject; /,
  });
  onlyProblem(
    trusting(GITHUB, '    subject_conditions: ["repo:org/app:*"]\n    allow_any_subject: true\n'),
    {
      path: "roles[0].allow_any_subject",
      message: /^allow_any_subject: true beside subject_conditions, which still apply: remove one$/,
      line: 7,
    },
  );
});
