import assert from "node:assert/strict";
import { parseConfig } from "../../../src/config/load.ts";
import { interpolate } from "../../../src/config/interpolate.ts";
import { formatProblems } from "../../../src/config/format.ts";
import { backendOptionProblems } from "../../../src/backends/factory.ts";

const env = (vars: Record<string, string>) => (name: string) => vars[name];

const FULL = `
listen: 127.0.0.1:9000
domain: s3.example.com
max_body_bytes: 1048576
owner_id: me
buckets:
  - name: public-data
    backend_type: fs
    anonymous_access: true
    backend_prefix: /v2
    allowed_roles: [ci-deployer]
    backend_options: { root: "\${DATA_DIR:-/srv}/public" }
  - name: uploads
    backend_type: memory
    anonymous_access: false
roles:
  - role_id: ci-deployer
    name: CI deployer
    trusted_oidc_issuers: [https://token.actions.githubusercontent.com]
    required_audiences: [sts.example.com]
    subject_conditions: ["repo:org/app:*"]
    max_session_duration_secs: 7200
    allowed_scopes:
      - { bucket: uploads, prefixes: ["releases/"], actions: [get_object, put_object] }
      - { bucket: "{sub}", prefixes: [], actions: [get_object] }
credentials:
  - access_key_id: AKEXAMPLE0000000001
    secret_access_key: \${DEV_SECRET}
    principal_name: dashboard
    created_at: 2026-01-01T00:00:00Z
    expires_at: 2027-01-01T00:00:00Z
    allowed_scopes: [{ bucket: public-data, prefixes: [], actions: [get_object, list_bucket] }]
`;

Deno.test("parseConfig() maps the DESIGN.md example onto the typed Config", () => {
  const r = parseConfig(FULL, env({ DEV_SECRET: "s3cr3t-value" }), { backendOptionProblems });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
  const c = r.value;
  assert.equal(c.listen, "127.0.0.1:9000");
  assert.equal(c.domain, "s3.example.com");
  assert.equal(c.maxBodyBytes, 1048576);
  assert.equal(c.ownerId, "me");
  assert.equal(c.ownerDisplayName, "bucketgate");
  assert.equal(c.region, "us-east-1");
  assert.deepEqual(c.buckets[0], {
    name: "public-data",
    backendType: "fs",
    anonymousAccess: true,
    backendPrefix: "v2/",
    allowedRoles: ["ci-deployer"],
    backendOptions: { root: "/srv/public" },
  });
  assert.equal(c.roles[0]?.maxSessionDurationSecs, 7200);
  assert.equal(c.roles[0]?.allowedScopes[1]?.bucket, "{sub}");
  assert.equal(c.credentials[0]?.secretAccessKey, "s3cr3t-value");
  assert.equal(c.credentials[0]?.enabled, true);
  assert.equal(c.credentials[0]?.expiresAt?.toISOString(), "2027-01-01T00:00:00.000Z");
});

Deno.test("parseConfig() accepts the embedded config.yaml", async () => {
  const text = await Deno.readTextFile(new URL("../../../config.yaml", import.meta.url));
  const r = parseConfig(text, env({}), { backendOptionProblems });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
  assert.deepEqual(r.value.buckets.map((b) => b.name), ["public-data", "private-uploads"]);
  assert.equal(r.value.credentials[0]?.accessKeyId, "AKIDBUCKETGATEDEV001");
});

function problems(yaml: string, vars: Record<string, string> = {}) {
  const r = parseConfig(yaml, env(vars), { backendOptionProblems });
  assert.ok(!r.ok, "expected problems");
  return r.error;
}

function paths(yaml: string, vars: Record<string, string> = {}): string[] {
  return problems(yaml, vars).map((p) => `${p.path}: ${p.message}`);
}

Deno.test("parseConfig() lists every problem with its path and line", () => {
  const yaml = [
    "buckets:", //                                  1
    "  - name: ok-bucket", //                       2
    "    backend_type: memory", //                  3
    "  - name: Bad_Name", //                        4
    "    backend_type: nosuch", //                  5
    "    anonymous_access: true", //                6
    "    anonymous_acess: true", //                 7
  ].join("\n");
  const ps = problems(yaml);
  const byPath = new Map(ps.map((p) => [p.path, p]));
  assert.ok(byPath.has("buckets[0].anonymous_access"));
  assert.equal(byPath.get("buckets[1].name")?.line, 4);
  assert.equal(byPath.get("buckets[1].backend_type")?.line, 5);
  assert.match(byPath.get("buckets[1].anonymous_acess")!.message, /did you mean anonymous_access/);
  assert.equal(byPath.get("buckets[1].anonymous_acess")?.line, 7);
  assert.match(formatProblems(ps, "c.yaml"), /^c\.yaml:\d+:\d+: buckets/m);
});

Deno.test("parseConfig() refuses bad actions, duplicates, unknown roles and scope buckets", () => {
  const yaml = `
buckets:
  - { name: b1, backend_type: memory, anonymous_access: false, allowed_roles: [ghost] }
  - { name: b1, backend_type: memory, anonymous_access: false }
roles:
  - { role_id: r, trusted_oidc_issuers: [], allowed_scopes: [{ bucket: b1, actions: [get_object] }] }
  - { role_id: r, trusted_oidc_issuers: ["http://evil.example.com"], allowed_scopes: [{ bucket: b1, actions: [get_object] }] }
credentials:
  - { access_key_id: AKIDAAAAAAAAAAAAAAAA, secret_access_key: longenough, allowed_scopes: [{ bucket: b1, actions: [fly] }] }
  - { access_key_id: AKIDAAAAAAAAAAAAAAAA, secret_access_key: short, allowed_scopes: [{ bucket: nope, actions: [get_object] }] }
  - { access_key_id: lower, secret_access_key: longenough }
`;
  const ps = paths(yaml).join("\n");
  for (
    const expected of [
      /buckets\[0\]\.allowed_roles\[0\]: 'ghost' is not a configured role/,
      /buckets\[1\]\.name: duplicate bucket name 'b1'/,
      /roles\[0\]\.trusted_oidc_issuers: required/,
      /roles\[1\]\.role_id: duplicate role_id/,
      /roles\[1\]\.trusted_oidc_issuers\[0\]: must be an https URL/,
      /credentials\[0\]\.allowed_scopes\[0\]\.actions: unknown action 'fly'/,
      /credentials\[1\]\.access_key_id: duplicate access key/,
      /credentials\[1\]\.secret_access_key: must be at least 8/,
      /credentials\[1\]\.allowed_scopes\[0\]\.bucket: 'nope' is not a configured bucket/,
      /credentials\[2\]\.access_key_id: must be 16–128/,
      /credentials\[2\]\.allowed_scopes: required/,
    ]
  ) {
    assert.match(ps, expected);
  }
});

Deno.test("parseConfig() checks backend options, listen, prefixes and types", () => {
  const ps = paths(`
listen: nowhere
max_body_bytes: -1
buckets:
  - { name: fsb, backend_type: fs, anonymous_access: "maybe", backend_prefix: "a/../b", backend_options: { rooot: x } }
`).join("\n");
  assert.match(ps, /^listen: must be HOST:PORT/m);
  assert.match(ps, /^max_body_bytes: must be an integer/m);
  assert.match(ps, /buckets\[0\]\.anonymous_access: must be true or false/);
  assert.match(ps, /buckets\[0\]\.backend_prefix: must not contain/);
  assert.match(ps, /buckets\[0\]\.backend_options\.rooot: unknown option/);
  assert.match(ps, /buckets\[0\]\.backend_options\.root: required/);
});

Deno.test("parseConfig() reports unset environment variables by path", () => {
  const ps = paths(`
buckets: []
credentials:
  - { access_key_id: AKIDAAAAAAAAAAAAAAAA, secret_access_key: "\${NOPE}", allowed_scopes: [{ bucket: "*", actions: [get_object] }] }
`);
  assert.deepEqual(ps, ["credentials[0].secret_access_key: environment variable NOPE is not set"]);
});

Deno.test("parseConfig() reports YAML syntax errors with a line", () => {
  const ps = problems("buckets:\n  - name: [unclosed\n");
  assert.ok(ps[0]?.line);
});

Deno.test("interpolate() handles defaults, missing variables and $${ escapes", () => {
  const e = env({ A: "1", EMPTY: "" });
  assert.deepEqual(interpolate("x${A}y", e), { value: "x1y", missing: [] });
  assert.deepEqual(interpolate("${B:-dflt}", e), { value: "dflt", missing: [] });
  assert.deepEqual(interpolate("${EMPTY:-dflt}", e), { value: "dflt", missing: [] });
  assert.deepEqual(interpolate("${B}", e), { value: "", missing: ["B"] });
  assert.deepEqual(interpolate("$${A}", e), { value: "${A}", missing: [] });
});
