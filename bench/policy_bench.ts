/**
 * The policy evaluator's cost per request, in ns/op: a signed GET decided
 * against 20 statements compiled at load (wildcards, a policy variable,
 * conditions on the source address, TLS and time), and the same GET against
 * the scopes it replaces. The goal: at most 5 µs added per request.
 * Run with `deno bench --allow-all bench/policy_bench.ts`.
 */
import { decide } from "../src/authz/policy_set.ts";
import { isAllowed } from "../src/authz/scopes.ts";
import type { Identity } from "../src/auth/identity.ts";
import type { BucketConfig, Scope } from "../src/config/types.ts";
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

Deno.bench(
  "policy: a GET against 20 scopes, the old evaluator (isAllowed)",
  { group: "policy" },
  () => {
    isAllowed(identity, bucket, "get_object", { kind: "key", key: "team-19/x" });
  },
);
