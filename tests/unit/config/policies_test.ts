import assert from "node:assert/strict";
import { parseConfig } from "../../../src/config/load.ts";
import {
  configOf,
  DATA_BUCKET,
  hasProblem,
  ISSUER,
  noEnv,
  onlyProblem,
  SUBJECT,
} from "./_helpers.ts";

const KEY = "AKIDAAAAAAAAAAAAAAAA";

/** A config: the data bucket (with `bucketLines`), role ci, a credential, then `rest`. */
function config(o: { bucket?: string; role?: string; cred?: string; rest?: string }): string {
  return [
    "buckets:",
    o.bucket
      ? `  - name: data\n    backend_type: memory\n    anonymous_access: false\n${o.bucket}`
      : DATA_BUCKET.trimEnd(),
    "roles:",
    `  - role_id: ci\n    trusted_oidc_issuers: [${ISSUER}]\n${SUBJECT}${
      o.role ?? "    allowed_scopes: []\n"
    }`.trimEnd(),
    "credentials:",
    `  - access_key_id: ${KEY}\n    secret_access_key: longenough\n${
      o.cred ?? "    allowed_scopes: []\n"
    }`.trimEnd(),
    o.rest ?? "",
  ].join("\n") + "\n";
}

const READ_PUBLIC = `policies:
  read-public:
    Version: "2012-10-17"
    Statement:
      - { Sid: ReadPublic, Effect: Allow, Action: s3:GetObject, Resource: "arn:aws:s3:::data/public/*" }
`;

Deno.test("parseConfig() compiles named policies and attaches them to credentials and roles", () => {
  const c = configOf(config({
    cred: "    policies: [read-public]\n",
    role: "    policies: [read-public]\n    allowed_scopes: []\n",
    rest: READ_PUBLIC,
  }));
  const policy = c.policies?.get("read-public");
  assert.equal(policy?.statements[0]?.sid, "ReadPublic");
  assert.equal(
    c.credentials[0]!.policies?.[0],
    policy,
    "a credential's policies: without allowed_scopes",
  );
  assert.deepEqual(c.credentials[0]!.allowedScopes, []);
  assert.equal(c.roles[0]!.policies?.[0], policy);
  assert.equal(configOf(config({})).credentials[0]!.policies, undefined);
});

Deno.test("parseConfig() compiles a bucket_policy, its principals checked against roles and keys", () => {
  const c = configOf(config({
    bucket: `    bucket_policy:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Principal: { AWS: ["${KEY}", "arn:aws:iam::*:role/ci"] }
          Action: ["s3:GetObject", "s3:ListBucket"]
          Resource: ["arn:aws:s3:::data", "arn:aws:s3:::data/home/\${aws:username}/*"]
`,
  }));
  const p = c.buckets[0]!.bucketPolicy!;
  assert.equal(p.name, "bucket:data");
  assert.equal(p.kind, "bucket");
  assert.deepEqual([...p.statements[0]!.principals!.roles], ["ci"]);
});

Deno.test("parseConfig() reports a problem inside a document at its path and line", () => {
  onlyProblem(
    config({
      rest: READ_PUBLIC.replace("Action: s3:GetObject", "Action: s3:GetObjekt"),
    }),
    {
      path: "policies.read-public.Statement[0].Action",
      message: /unknown action 's3:GetObjekt'/,
      line: 16,
    },
  );
  onlyProblem(
    config({
      bucket: `    bucket_policy:
      Version: "2012-10-17"
      Statement:
        Effect: Allow
        Principal: { AWS: "arn:aws:iam::*:role/nobody" }
        Action: s3:GetObject
        Resource: "arn:aws:s3:::data/*"
`,
    }),
    {
      path: "buckets[0].bucket_policy.Statement.Principal.AWS",
      message: /'nobody', which is not a configured role/,
      line: 9,
    },
  );
  onlyProblem(
    config({
      rest: `policies:
  p:
    Version: "2012-10-17"
    Statement:
      - Effect: Allow
        Action: s3:ListBucket
        Resource: arn:aws:s3:::data
        Condition: { StringLike: { "s3:prefx": "home/*" } }
`,
    }),
    {
      path: "policies.p.Statement[0].Condition.StringLike.s3:prefx",
      message: /unknown condition key/,
      line: 19,
    },
  );
});

Deno.test("parseConfig() reports a policies: name no document has, with a suggestion", () => {
  onlyProblem(config({ cred: "    policies: [read-publik]\n", rest: READ_PUBLIC }), {
    path: "credentials[0].policies[0]",
    message: /'read-publik' is not a policy of policies: \(did you mean read-public\?\)/,
    line: 11,
  });
  // A document with problems is reported once, not again at each reference.
  const ps = parseConfig(
    config({ cred: "    policies: [bad]\n", rest: "policies:\n  bad: { Version: x }\n" }),
    noEnv,
  );
  assert.ok(!ps.ok);
  assert.deepEqual(ps.error.map((p) => p.path), ["policies.bad.Statement", "policies.bad.Version"]);
});

Deno.test("parseConfig() reads { policy_file } through the injected reader, its problems at the policy_file line", () => {
  const files: Record<string, string> = {
    "./ci.json": JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::data/ci/*" }],
    }),
    "./bad.json": JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "s3:Put", Resource: "*" }],
    }),
    "./broken.json": "{",
  };
  const readPolicyFile = (path: string) => {
    if (!(path in files)) throw new Error(`no such file ${path}`);
    return files[path]!;
  };
  const parse = (name: string) =>
    parseConfig(config({ rest: `policies:\n  ci: { policy_file: ${name} }\n` }), noEnv, {
      readPolicyFile,
    });
  const ok = parse("./ci.json");
  assert.ok(ok.ok && ok.value.policies?.get("ci")?.statements.length === 1);
  for (
    const [name, message] of [
      ["./bad.json", /\.\/bad\.json: Statement\[0\]\.Action: unknown action 's3:Put'/],
      ["./broken.json", /\.\/broken\.json is not JSON/],
      ["./gone.json", /cannot read \.\/gone\.json/],
    ] as const
  ) {
    const r = parse(name);
    assert.ok(!r.ok, name);
    hasProblem(r.error, { path: "policies.ci.policy_file", message, line: 13 });
  }
  const unread = parseConfig(
    config({ rest: "policies:\n  ci: { policy_file: ./ci.json }\n" }),
    noEnv,
  );
  assert.ok(!unread.ok);
  hasProblem(unread.error, {
    path: "policies.ci.policy_file",
    message: /needs the config to be read from a file/,
  });
});

Deno.test("parseConfig() refuses policies: that is not a mapping, and bad names", () => {
  onlyProblem(config({ rest: "policies: [a]\n" }), {
    path: "policies",
    message: /must be a mapping/,
  });
  onlyProblem(
    config({
      rest: `policies:\n  "a b": { Statement: { Effect: Allow, Action: "s3:*", Resource: "*" } }\n`,
    }),
    { path: "policies.a b", message: /is not a policy name/ },
  );
});
