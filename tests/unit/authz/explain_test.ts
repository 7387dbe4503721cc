import assert from "node:assert/strict";
import { explain, type ExplainInput } from "../../../src/authz/explain.ts";
import { parseConfig } from "../../../src/config/load.ts";
import type { Config } from "../../../src/config/types.ts";
import { parseSessionPolicy } from "../../../src/sts/session_policy.ts";

const YAML = `
buckets:
  - { name: data, backend_type: memory, anonymous_access: false }
  - { name: open, backend_type: memory, anonymous_access: true }
roles:
  - role_id: ci
    trusted_oidc_issuers: [https://issuer.example.com]
    allow_any_subject: true
    allowed_scopes: [{ bucket: data, prefixes: ["home/{sub}/"], actions: [get_object] }]
    policies: [ci-writes]
credentials:
  - access_key_id: AKIDAAAAAAAAAAAAAAAA
    secret_access_key: longenough
    policies: [read-public]
policies:
  read-public:
    Version: "2012-10-17"
    Statement:
      - { Sid: ReadPublic, Effect: Allow, Action: s3:GetObject, Resource: "arn:aws:s3:::data/public/*" }
      - Sid: OfficeOnly
        Effect: Deny
        Action: "s3:*"
        Resource: "*"
        Condition: { NotIpAddress: { aws:SourceIp: 10.0.0.0/8 } }
  ci-writes:
    Version: "2012-10-17"
    Statement:
      - { Effect: Allow, Action: s3:PutObject, Resource: "arn:aws:s3:::data/ci/\${jwt:sub}/*" }
`;

function config(): Config {
  const r = parseConfig(YAML, () => undefined);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

const NOW = Date.UTC(2026, 2, 1);
const run = (input: Omit<ExplainInput, "now">) => explain(config(), { now: NOW, ...input });

Deno.test("explain() allows, names the deciding statement and what matched", () => {
  const r = run({
    principal: "AKIDAAAAAAAAAAAAAAAA",
    action: "s3:GetObject",
    resource: "data/public/a",
    sourceIp: "10.1.1.1",
  });
  assert.ok(r.ok);
  assert.equal(r.value.decision.allowed, true);
  assert.deepEqual(r.value.lines, [
    "GetObject on data/public/a",
    "ALLOW: allowed by read-public[0] (ReadPublic)",
    "matched: Allow read-public[0] (ReadPublic)",
  ]);
});

Deno.test("explain() denies by a condition on the source address, and by nothing", () => {
  const outside = run({
    principal: "AKIDAAAAAAAAAAAAAAAA",
    action: "s3:GetObject",
    resource: "data/public/a",
    sourceIp: "192.0.2.1",
  });
  assert.ok(outside.ok);
  assert.equal(outside.value.lines[1], "DENY: explicit deny by read-public[1] (OfficeOnly)");
  const ctx = run({
    principal: "AKIDAAAAAAAAAAAAAAAA",
    action: "s3:PutObject",
    resource: "data/x",
    context: { "aws:SourceIp": "10.0.0.9" },
  });
  assert.ok(ctx.ok);
  assert.equal(ctx.value.lines[1], "DENY: no statement allows");
});

Deno.test("explain() of a role's session: claims fill templates and variables; a session policy narrows it", () => {
  const put = {
    principal: "role:ci",
    claims: { sub: "u1" },
    action: "s3:PutObject",
    resource: "data/ci/u1/x",
  };
  const allowed = run(put);
  assert.ok(allowed.ok && allowed.value.decision.allowed, "${jwt:sub} in ci-writes");
  const r = run({ ...put, action: "HeadObject" });
  assert.ok(r.ok && !r.value.decision.allowed, "head_object is not granted");
  const home = run({ ...put, action: "s3:GetObject", resource: "data/home/u1/f" });
  assert.ok(home.ok && home.value.decision.allowed, "the {sub} template");
  const session = parseSessionPolicy(JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }],
  }));
  assert.ok(session.ok);
  const narrowed = run({ ...put, sessionPolicy: session.value });
  assert.ok(narrowed.ok && !narrowed.value.decision.allowed);
});

Deno.test("explain() refuses unknown principals, buckets, actions and context keys", () => {
  const base = { principal: "anonymous", action: "s3:GetObject", resource: "open/x" };
  const anon = run(base);
  assert.ok(anon.ok && anon.value.decision.allowed, "anonymous_access");
  for (
    const [over, message] of [
      [{ principal: "AKIDNOBODY" }, /no credential/],
      [{ principal: "role:nope" }, /no role 'nope'/],
      [{ resource: "nope/x" }, /no bucket 'nope'/],
      [{ action: "s3:Get*" }, /not one IAM action/],
      [{ context: { "aws:nope": "x" } }, /unknown condition key/],
    ] as const
  ) {
    const r = run({ ...base, ...over });
    assert.ok(!r.ok && message.test(r.error), JSON.stringify(over));
  }
});
