import assert from "node:assert/strict";
import { configOf, cred, hasProblem, onlyProblem, problemsOf, role, withData } from "./_helpers.ts";

const READ = "    allowed_scopes: [{ bucket: data, actions: [get_object] }]\n";

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
