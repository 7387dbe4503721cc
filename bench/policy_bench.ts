/**
 * The policy evaluator's cost per request, in ns/op: a signed GET decided
 * against 20 statements compiled at load (wildcards, a policy variable,
 * conditions on the source address, TLS and time), and the same GET against
 * the scopes it replaces; and the request path's whole authorization step
 * (authz/authorizer.ts: the request's condition keys from its facts, the
 * caller's policies from the config, the decision) for that GET. The issue's
 * goal: at most 5 µs added per request.
 * Run with `deno bench --allow-all bench/policy_bench.ts`.
 */
import { decide } from "../src/authz/policy_set.ts";
import { createAuthorizer } from "../src/authz/authorizer.ts";
import type { Identity } from "../src/auth/identity.ts";
import type { BucketConfig, Config, Scope } from "../src/config/types.ts";
import { compilePolicy } from "../src/iam/document.ts";
import { evaluate } from "../src/iam/evaluate.ts";
import { canonicalKey } from "../src/iam/keys.ts";
import { requestResource } from "../src/iam/resources.ts";

const statements = [
  ...Array.from({ length: 8 }, (_, i) => ({
    Effect: "Allow",
    Action: ["s3:PutObject", "s3:DeleteObject"],
    Resource: `arn:aws:s3:::data/team-${i}/*`,
  })),
  ...Array.from({ length: 6 }, (_, i) => ({
    Effect: "Allow",
    Action: "s3:ListBucket",
    Resource: "arn:aws:s3:::data",
    Condition: { StringLike: { "s3:prefix": [`team-${i}/*`, `shared-${i}/*`] } },
  })),
  {
    Effect: "Deny",
    Action: "s3:*",
    Resource: "*",
    Condition: { NotIpAddress: { "aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"] } },
  },
  {
    Effect: "Deny",
    Action: "s3:*",
    Resource: "*",
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  },
  {
    Effect: "Deny",
    Action: "s3:*",
    Resource: "*",
    Condition: { DateLessThan: { "aws:TokenIssueTime": "2026-01-01T00:00:00Z" } },
  },
  { Effect: "Deny", Action: "s3:GetObject", Resource: "arn:aws:s3:::data/secret/*" },
  { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::data/home/${aws:username}/*" },
  {
    Effect: "Allow",
    Action: ["s3:GetObject", "s3:ListBucket"],
    Resource: "arn:aws:s3:::data/public/*",
  },
];
const compiled = compilePolicy(
  { Version: "2012-10-17", Statement: statements },
  { name: "twenty", kind: "identity" },
);
if (!compiled.ok) throw new Error(JSON.stringify(compiled.error));
if (compiled.value.statements.length !== 20) throw new Error("expected 20 statements");
const policy = compiled.value;

const keys = new Map([
  [canonicalKey("aws:SourceIp"), ["10.1.2.3"]],
  [canonicalKey("aws:SecureTransport"), ["true"]],
  [canonicalKey("aws:username"), ["alice"]],
  [canonicalKey("aws:CurrentTime"), ["2026-06-01T00:00:00Z"]],
]);
const request = {
  operation: "GetObject" as const,
  resource: requestResource("data", "public/reports/2026.csv"),
  caller: { kind: "user", accessKeyId: "AKIDALICE" } as const,
  keys,
};
if (!evaluate({ identity: [policy] }, request).allowed) {
  throw new Error("the GET should be allowed");
}

Deno.bench(
  "policy: a GET against 20 statements (evaluate)",
  { group: "policy", baseline: true },
  () => {
    evaluate({ identity: [policy] }, request);
  },
);

const scopes: Scope[] = Array.from({ length: 20 }, (_, i) => ({
  bucket: "data",
  prefixes: [`team-${i}/`],
  actions: i === 19 ? ["get_object"] : ["put_object"],
}));
const identity: Identity = {
  kind: "access_key",
  accessKeyId: "AKIDALICE",
  principal: "alice",
  scopes,
};
const bucket: BucketConfig = {
  name: "data",
  backend: { type: "memory" },
  anonymousAccess: false,
  backendPrefix: "",
  allowedRoles: [],
};
const none = new Map();

Deno.bench("policy: a GET against 20 scopes, compiled (decide)", { group: "policy" }, () => {
  decide(identity, bucket, { operation: "GetObject", key: "team-19/x", keys: none });
});

// The wired path: what s3/serve.ts runs per request (a signed GET from a trusted proxy's client).
const wiredConfig = {
  credentials: [{
    accessKeyId: "AKIDALICE",
    secretAccessKey: "longenough",
    principalName: "alice",
    enabled: true,
    allowedScopes: [],
    policies: [policy],
  }],
  roles: [],
} as unknown as Pick<Config, "credentials" | "roles">;
const alice: Identity = {
  kind: "access_key",
  accessKeyId: "AKIDALICE",
  principal: "alice",
  scopes: [],
};
const headers = new Headers({
  authorization:
    "AWS4-HMAC-SHA256 Credential=AKIDALICE/20260601/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0",
  "x-amz-date": "20260601T000000Z",
  "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
  "user-agent": "bench",
});
const scene = {
  config: wiredConfig,
  sourceIp: "10.1.2.3",
  secureTransport: true,
  now: Date.UTC(2026, 5, 1),
  headers,
  query: new URLSearchParams(),
};
const get = { identity: alice, bucket, operation: "GetObject" as const, key: "public/r/2026.csv" };
if (createAuthorizer(scene)(get)) throw new Error("the wired GET should be allowed");

Deno.bench(
  "policy: a GET against 20 statements, the whole authorization step (createAuthorizer)",
  { group: "policy" },
  () => {
    if (createAuthorizer(scene)(get)) throw new Error("denied");
  },
);

const noPolicies = { ...scene, config: { credentials: [], roles: [] } };
const scoped = { identity, bucket, operation: "GetObject" as const, key: "team-19/x" };

Deno.bench(
  "policy: a GET against 20 scopes, the whole authorization step (createAuthorizer)",
  { group: "policy" },
  () => {
    if (createAuthorizer(noPolicies)(scoped)) throw new Error("denied");
  },
);
