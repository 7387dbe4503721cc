import assert from "node:assert/strict";
import { configOf, ISSUER, onlyProblem, problemsOf, role, SUBJECT, withData } from "./_helpers.ts";

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
