/**
 * The policies that decide a caller's request on a bucket, as iam/ evaluates
 * them: the caller's scopes (compiled once per scope list), the bucket's
 * `bucket_policy` and `anonymous_access: true` (a grant to everyone). A
 * bucket's `allowed_roles` stays a gate before all of this: a session of
 * another role brings no identity policy to that bucket.
 */
import type { Identity } from "../auth/identity.ts";
import type { BucketConfig, Config, Scope } from "../config/types.ts";
import type { OperationName } from "../iam/actions.ts";
import type { CompiledPolicy } from "../iam/document.ts";
import { type Decision, evaluate, type PolicySet } from "../iam/evaluate.ts";
import type { ContextKeys } from "../iam/keys.ts";
import type { Caller } from "../iam/principals.ts";
import { requestResource } from "../iam/resources.ts";
import { mayAccessBucket } from "../iam/visibility.ts";
import { anonymousAccessPolicy, scopePolicy } from "./scope_policy.ts";

const scopeCache = new WeakMap<readonly Scope[], CompiledPolicy>();
const bucketCache = new WeakMap<BucketConfig, CompiledPolicy | null>();

/** The caller as policies name it. */
export function callerOf(identity: Identity): Caller {
  switch (identity.kind) {
    case "anonymous":
      return identity;
    case "access_key":
      return { kind: "user", accessKeyId: identity.accessKeyId };
    case "session":
      return { kind: "session", roleId: identity.roleId };
    default: {
      const never: never = identity;
      return never;
    }
  }
}

function scopesOf(scopes: readonly Scope[]): CompiledPolicy {
  let policy = scopeCache.get(scopes);
  if (!policy) {
    policy = scopePolicy(scopes, "allowed_scopes");
    scopeCache.set(scopes, policy);
  }
  return policy;
}

/** A bucket's policy with its `anonymous_access` grant, compiled once per bucket config. */
export function bucketPolicyOf(bucket: BucketConfig): CompiledPolicy | undefined {
  const cached = bucketCache.get(bucket);
  if (cached !== undefined) return cached ?? undefined;
  const own = bucket.bucketPolicy;
  const anonymous = bucket.anonymousAccess ? anonymousAccessPolicy(bucket.name) : undefined;
  const merged = own && anonymous
    ? {
      ...own,
      statements: [
        ...own.statements,
        ...anonymous.statements.map((s, i) => ({ ...s, index: own.statements.length + i })),
      ],
    }
    : own ?? anonymous;
  bucketCache.set(bucket, merged ?? null);
  return merged;
}

/** What `policies:` and STS attach to a caller beside its scopes. */
export interface AttachedPolicies {
  /** The documents `policies:` names on the caller's key or role (from the current config). */
  readonly identity?: readonly CompiledPolicy[] | undefined;
  /** A session's policy, sealed in its token. */
  readonly session?: CompiledPolicy | undefined;
}

/**
 * The documents the config attaches to a caller: its credential's or its
 * role's `policies:`, read from the config at hand (so a reload that narrows a
 * role narrows its live sessions).
 */
export function configuredPolicies(
  identity: Identity,
  config: Pick<Config, "credentials" | "roles">,
): readonly CompiledPolicy[] {
  switch (identity.kind) {
    case "anonymous":
      return [];
    case "access_key":
      return config.credentials.find((c) => c.accessKeyId === identity.accessKeyId)?.policies ?? [];
    case "session":
      return config.roles.find((r) => r.roleId === identity.roleId)?.policies ?? [];
    default: {
      const never: never = identity;
      return never;
    }
  }
}

/** The identity policies a caller brings to a bucket (none past its `allowed_roles` gate). */
function identityPolicies(
  identity: Identity,
  bucket: BucketConfig,
  attached: AttachedPolicies,
): CompiledPolicy[] {
  if (identity.kind === "anonymous") return [];
  if (
    identity.kind === "session" && bucket.allowedRoles.length > 0 &&
    !bucket.allowedRoles.includes(identity.roleId)
  ) return [];
  const scoped = scopesOf(identity.scopes);
  return attached.identity ? [scoped, ...attached.identity] : [scoped];
}

/** The policies deciding `identity`'s requests on `bucket`. */
export function policySetOf(
  identity: Identity,
  bucket: BucketConfig,
  attached: AttachedPolicies = {},
): PolicySet {
  // One shape, no spreads: built per request.
  return {
    identity: identityPolicies(identity, bucket, attached),
    session: attached.session,
    bucket: bucketPolicyOf(bucket),
  };
}

/** One request to decide: the operation, the key (object operations) and the condition keys. */
export interface OperationRequest {
  readonly operation: OperationName;
  readonly key?: string | undefined;
  readonly keys: ContextKeys;
}

/** Decides `identity`'s request on `bucket`. */
export function decide(
  identity: Identity,
  bucket: BucketConfig,
  r: OperationRequest,
  attached: AttachedPolicies = {},
): Decision {
  return evaluate(policySetOf(identity, bucket, attached), {
    operation: r.operation,
    resource: requestResource(bucket.name, r.key),
    caller: callerOf(identity),
    keys: r.keys,
  });
}

/** Whether ListBuckets shows `bucket` to `identity`: some statement may allow it something there. */
export function mayAccess(
  identity: Identity,
  bucket: BucketConfig,
  attached: AttachedPolicies = {},
): boolean {
  const set = policySetOf(identity, bucket, attached);
  return mayAccessBucket([...set.identity, set.bucket], callerOf(identity), bucket.name);
}
