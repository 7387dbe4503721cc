/**
 * The scopes' meaning does not change when they compile into the policy
 * evaluator: on thousands of random requests (seeded; FUZZ_SEED replays), the
 * old scope evaluator and the new one (authz/policy_set.ts over iam/) decide
 * alike. The old one (authz/scopes.ts, and the requirement of each operation
 * s3/operations.ts listed) was removed from src/ when the request path moved
 * to the new one; it lives on here, frozen, as the reference.
 */
import assert from "node:assert/strict";
import type { Identity } from "../../../src/auth/identity.ts";
import {
  bucketPolicyOf,
  callerOf,
  configuredPolicies,
  decide,
  mayAccess,
  policySetOf,
} from "../../../src/authz/policy_set.ts";
import { type Action, ACTIONS, type BucketConfig, type Scope } from "../../../src/config/types.ts";
import { OPERATION_NAMES, type OperationName } from "../../../src/iam/actions.ts";
import { compilePolicy } from "../../../src/iam/document.ts";
import { canonicalKey } from "../../../src/iam/keys.ts";
import { OPERATIONS } from "../../../src/s3/operations.ts";
import { fuzz, type Rng } from "../../security/_fuzz.ts";

const BUCKETS = ["data", "logs"];
const PARTS = ["", "a", "a/", "ab", "a/b", "a/b/", "b", "*", "a-b", "a/*"];
const ROLES = ["ci", "ops"];

function randomScope(rng: Rng): Scope {
  const n = rng.int(3);
  return {
    bucket: rng.pick([...BUCKETS, "*", "other"]),
    prefixes: Array.from({ length: n }, () => rng.pick(PARTS)),
    actions: ACTIONS.filter(() => rng.chance(0.3)),
  };
}

function randomIdentity(rng: Rng): Identity {
  const scopes = Array.from({ length: rng.int(4) }, () => randomScope(rng));
  switch (rng.int(3)) {
    case 0:
      return { kind: "anonymous" };
    case 1:
      return { kind: "access_key", accessKeyId: "AKIDALICE", principal: "alice", scopes };
    default:
      return {
        kind: "session",
        accessKeyId: "ASIATEMP",
        principal: "ci/s",
        roleId: rng.pick(ROLES),
        scopes,
        expiresAt: 0,
      };
  }
}

function randomBucket(rng: Rng): BucketConfig {
  return {
    name: rng.pick(BUCKETS),
    backend: { type: "memory" },
    anonymousAccess: rng.chance(0.25),
    backendPrefix: "",
    allowedRoles: rng.chance(0.3) ? [rng.pick(ROLES)] : [],
  };
}

// ---- The old scope evaluator, frozen (authz/scopes.ts and s3/operations.ts's requirements).

const ANONYMOUS_ACTIONS: ReadonlySet<Action> = new Set([
  "get_object",
  "head_object",
  "list_bucket",
]);

function prefixCoversKey(prefix: string, key: string): boolean {
  if (prefix === "" || prefix.endsWith("/")) return key.startsWith(prefix);
  return key === prefix || key.startsWith(prefix + "/");
}

function prefixCoversListing(prefix: string, listPrefix: string): boolean {
  if (prefix === "") return true;
  const dir = prefix.endsWith("/") ? prefix : prefix + "/";
  return listPrefix.startsWith(dir);
}

type Target =
  | { readonly kind: "key"; readonly key: string }
  | { readonly kind: "listing"; readonly prefix: string }
  | { readonly kind: "bucket" };

function scopeGrants(scope: Scope, bucket: string, action: Action, target: Target): boolean {
  if (scope.bucket !== "*" && scope.bucket !== bucket) return false;
  if (!scope.actions.includes(action)) return false;
  if (scope.prefixes.length === 0) return true;
  if (target.kind === "key") return scope.prefixes.some((p) => prefixCoversKey(p, target.key));
  if (target.kind === "listing") {
    return scope.prefixes.some((p) => prefixCoversListing(p, target.prefix));
  }
  return false;
}

function identityScopes(identity: Identity, bucket: BucketConfig): readonly Scope[] {
  if (identity.kind === "anonymous") return [];
  if (
    identity.kind === "session" && bucket.allowedRoles.length > 0 &&
    !bucket.allowedRoles.includes(identity.roleId)
  ) return [];
  return identity.scopes;
}

function isAllowed(identity: Identity, bucket: BucketConfig, action: Action, target: Target) {
  if (bucket.anonymousAccess && ANONYMOUS_ACTIONS.has(action)) return true;
  return identityScopes(identity, bucket).some((s) => scopeGrants(s, bucket.name, action, target));
}

function hasAnyAccess(identity: Identity, bucket: BucketConfig): boolean {
  if (bucket.anonymousAccess) return true;
  return identityScopes(identity, bucket).some((s) => s.bucket === "*" || s.bucket === bucket.name);
}

/** Each path-authorized operation's old requirement: "any", or a scope action on a target kind. */
const REQUIRES: Readonly<Record<string, "any" | readonly [Action, Target["kind"]]>> = {
  HeadBucket: "any",
  GetBucketLocation: "any",
  GetBucketVersioning: "any",
  CreateBucket: ["put_object", "bucket"],
  DeleteBucket: ["delete_object", "bucket"],
  ListObjects: ["list_bucket", "listing"],
  ListObjectsV2: ["list_bucket", "listing"],
  ListMultipartUploads: ["list_bucket_multipart_uploads", "listing"],
  GetObject: ["get_object", "key"],
  GetObjectTagging: ["get_object", "key"],
  GetObjectAttributes: ["get_object", "key"],
  HeadObject: ["head_object", "key"],
  PutObject: ["put_object", "key"],
  CopyObject: ["put_object", "key"],
  DeleteObject: ["delete_object", "key"],
  CreateMultipartUpload: ["create_multipart_upload", "key"],
  UploadPart: ["upload_part", "key"],
  UploadPartCopy: ["upload_part", "key"],
  CompleteMultipartUpload: ["complete_multipart_upload", "key"],
  AbortMultipartUpload: ["abort_multipart_upload", "key"],
  ListParts: ["list_multipart_upload_parts", "key"],
};

/** The old decision for one operation (the frozen requirement over the frozen scopes). */
function oldDecision(
  identity: Identity,
  bucket: BucketConfig,
  op: OperationName,
  key: string,
  prefix?: string,
) {
  if (op === "ListBuckets") return hasAnyAccess(identity, bucket);
  // The handlers authorize each key of DeleteObjects, and a POST form's final key, themselves.
  if (op === "DeleteObjects") {
    return isAllowed(identity, bucket, "delete_object", { kind: "key", key });
  }
  if (op === "PostObject") return isAllowed(identity, bucket, "put_object", { kind: "key", key });
  const requires = REQUIRES[op];
  if (requires === undefined) throw new Error(`no frozen requirement for ${op}`);
  if (requires === "any") return hasAnyAccess(identity, bucket);
  const [action, kind] = requires;
  const target: Target = kind === "key"
    ? { kind, key }
    : kind === "listing"
    ? { kind, prefix: prefix ?? "" }
    : { kind };
  return isAllowed(identity, bucket, action, target);
}

/** The new decision for the same request. */
function newDecision(
  identity: Identity,
  bucket: BucketConfig,
  op: OperationName,
  key: string,
  prefix?: string,
) {
  if (op === "ListBuckets") return mayAccess(identity, bucket);
  const operation = op === "DeleteObjects"
    ? "DeleteObject"
    : op === "PostObject"
    ? "PutObject"
    : op;
  const objectKey = OPERATIONS[operation].objectKey;
  const keys = new Map(prefix === undefined ? [] : [[canonicalKey("s3:prefix"), [prefix]]]);
  return decide(identity, bucket, { operation, ...(objectKey ? { key } : {}), keys }).allowed;
}

Deno.test("scopes and anonymous_access decide alike in the old evaluator and the new one (5,000 seeded requests)", async () => {
  const { iterations } = await fuzz(
    "scopes old vs new",
    { iterations: 5000, budgetMs: 60_000 },
    ({ rng, note }) => {
      const identity = randomIdentity(rng);
      const bucket = randomBucket(rng);
      for (const op of OPERATION_NAMES) {
        const key = [rng.pick(PARTS), rng.pick(PARTS)].join(rng.pick(["", "/"])) || "k";
        const prefix = rng.chance(0.7) ? [rng.pick(PARTS), rng.pick(PARTS)].join("") : undefined;
        note({ identity, bucket, op, key, prefix });
        assert.equal(
          newDecision(identity, bucket, op, key, prefix),
          oldDecision(identity, bucket, op, key, prefix),
        );
      }
    },
  );
  assert.equal(iterations, 5000);
});

Deno.test("callerOf() names the caller as policies do", () => {
  assert.deepEqual(callerOf({ kind: "anonymous" }), { kind: "anonymous" });
  assert.deepEqual(
    callerOf({ kind: "access_key", accessKeyId: "AK", principal: "p", scopes: [] }),
    { kind: "user", accessKeyId: "AK" },
  );
});

Deno.test("bucketPolicyOf() joins bucket_policy and anonymous_access, compiled once per bucket", () => {
  const compiled = compilePolicy({
    Version: "2012-10-17",
    Statement: [{
      Effect: "Deny",
      Principal: "*",
      Action: "s3:GetObject",
      Resource: "arn:aws:s3:::data/secret/*",
    }],
  }, { name: "bucket:data", kind: "bucket" });
  assert.ok(compiled.ok);
  const bucket: BucketConfig = {
    name: "data",
    backend: { type: "memory" },
    anonymousAccess: true,
    backendPrefix: "",
    allowedRoles: [],
    bucketPolicy: compiled.value,
  };
  const policy = bucketPolicyOf(bucket)!;
  assert.equal(bucketPolicyOf(bucket), policy, "cached");
  assert.deepEqual(policy.statements.map((s) => [s.index, s.effect]), [[0, "Deny"], [1, "Allow"], [
    2,
    "Allow",
  ], [3, "Allow"]]);
  const anonymous = { kind: "anonymous" } as const;
  const keys = new Map();
  assert.equal(
    decide(anonymous, bucket, { operation: "GetObject", key: "public/x", keys }).allowed,
    true,
  );
  const denied = decide(anonymous, bucket, { operation: "GetObject", key: "secret/x", keys });
  assert.equal(denied.deciding?.policy, "bucket:data");
  assert.equal(denied.deciding?.index, 0);
  assert.equal(policySetOf(anonymous, bucket).identity.length, 0);
});

Deno.test("configuredPolicies() and a session policy join the scopes: both must allow a session", () => {
  const policy = (name: string, kind: "identity" | "session", action: string) => {
    const r = compilePolicy({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: action, Resource: "arn:aws:s3:::data/*" }],
    }, { name, kind });
    assert.ok(r.ok);
    return r.value;
  };
  const writes = policy("writes", "identity", "s3:PutObject");
  const reads = policy("reads", "identity", "s3:GetObject");
  const config = {
    credentials: [{
      accessKeyId: "AKIDALICE",
      secretAccessKey: "longenough",
      principalName: "alice",
      enabled: true,
      allowedScopes: [],
      policies: [writes],
    }],
    roles: [{
      roleId: "ci",
      name: "ci",
      trustedOidcIssuers: [],
      requiredAudiences: [],
      subjectConditions: [],
      maxSessionDurationSecs: 3600,
      allowedScopes: [],
      policies: [writes, reads],
    }],
  };
  const alice: Identity = {
    kind: "access_key",
    accessKeyId: "AKIDALICE",
    principal: "alice",
    scopes: [],
  };
  const ci: Identity = {
    kind: "session",
    accessKeyId: "ASIA",
    principal: "ci/s",
    roleId: "ci",
    scopes: [],
    expiresAt: 0,
  };
  assert.deepEqual(configuredPolicies(alice, config), [writes]);
  assert.deepEqual(configuredPolicies(ci, config), [writes, reads]);
  assert.deepEqual(configuredPolicies({ kind: "anonymous" }, config), []);
  const bucket: BucketConfig = {
    name: "data",
    backend: { type: "memory" },
    anonymousAccess: false,
    backendPrefix: "",
    allowedRoles: [],
  };
  const put = { operation: "PutObject" as const, key: "k", keys: new Map() };
  assert.equal(
    decide(alice, bucket, put, { identity: configuredPolicies(alice, config) }).allowed,
    true,
  );
  assert.equal(decide(alice, bucket, put).allowed, false, "scopes alone grant nothing");
  const session = policy("session", "session", "s3:GetObject");
  const attached = { identity: configuredPolicies(ci, config), session };
  assert.equal(
    decide(ci, bucket, put, attached).allowed,
    false,
    "the session policy does not allow writes",
  );
  assert.equal(decide(ci, bucket, { ...put, operation: "GetObject" }, attached).allowed, true);
  assert.equal(mayAccess(alice, bucket, { identity: [writes] }), true);
  assert.equal(mayAccess(alice, bucket), false);
});
