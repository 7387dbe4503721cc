import assert from "node:assert/strict";
import { ACTIONS } from "../../../src/config/types.ts";
import { configOf, cred, onlyProblem, problemsOf, role } from "./_helpers.ts";

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
