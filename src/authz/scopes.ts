/**
 * Authorization: does an identity's scope list grant an action on a bucket and
 * key? Pure functions over the config; no I/O.
 */
import type { Identity } from "../auth/identity.ts";
import type { Action, BucketConfig, Scope } from "../config/types.ts";

/** Actions an `anonymous_access: true` bucket grants to everyone. */
export const ANONYMOUS_ACTIONS: ReadonlySet<Action> = new Set([
  "get_object",
  "head_object",
  "list_bucket",
]);

/**
 * Whether a scope prefix covers an object key: a prefix ending in `/` (or
 * empty) covers keys starting with it; any other prefix covers the key itself
 * and keys below `prefix/` (so `data` does not cover `data-private/x`).
 */
export function prefixCoversKey(prefix: string, key: string): boolean {
  if (prefix === "" || prefix.endsWith("/")) return key.startsWith(prefix);
  return key === prefix || key.startsWith(prefix + "/");
}

/**
 * Whether a scope prefix covers a listing's `prefix` parameter: everything the
 * listing could return must lie under the scope prefix, so `data` covers
 * listings of `data/` and `data/x` but not of `data` (which would show `data-private/`).
 */
export function prefixCoversListing(prefix: string, listPrefix: string): boolean {
  if (prefix === "") return true;
  const dir = prefix.endsWith("/") ? prefix : prefix + "/";
  return listPrefix.startsWith(dir);
}

/** What an action is checked against: an object key, a listing prefix, or the bucket as a whole. */
export type Target =
  | { readonly kind: "key"; readonly key: string }
  | { readonly kind: "listing"; readonly prefix: string }
  | { readonly kind: "bucket" };

function scopeGrants(scope: Scope, bucket: string, action: Action, target: Target): boolean {
  if (scope.bucket !== "*" && scope.bucket !== bucket) return false;
  if (!scope.actions.includes(action)) return false;
  if (scope.prefixes.length === 0) return true;
  switch (target.kind) {
    case "key":
      return scope.prefixes.some((p) => prefixCoversKey(p, target.key));
    case "listing":
      return scope.prefixes.some((p) => prefixCoversListing(p, target.prefix));
    case "bucket":
      return false;
    default: {
      const never: never = target;
      return never;
    }
  }
}

function identityScopes(identity: Identity, bucket: BucketConfig): readonly Scope[] {
  switch (identity.kind) {
    case "anonymous":
      return [];
    case "access_key":
      return identity.scopes;
    case "session":
      if (bucket.allowedRoles.length > 0 && !bucket.allowedRoles.includes(identity.roleId)) {
        return [];
      }
      return identity.scopes;
    default: {
      const never: never = identity;
      return never;
    }
  }
}

/**
 * Whether `identity` may perform `action` on `bucket` for `target`. Every
 * caller keeps the anonymous rights of an `anonymous_access` bucket.
 */
export function isAllowed(
  identity: Identity,
  bucket: BucketConfig,
  action: Action,
  target: Target,
): boolean {
  if (bucket.anonymousAccess && ANONYMOUS_ACTIONS.has(action)) return true;
  return identityScopes(identity, bucket).some((s) => scopeGrants(s, bucket.name, action, target));
}

/**
 * Whether `identity` has any right at all on `bucket` (HeadBucket,
 * GetBucketLocation, and which buckets ListBuckets shows).
 */
export function hasAnyAccess(identity: Identity, bucket: BucketConfig): boolean {
  if (bucket.anonymousAccess) return true;
  return identityScopes(identity, bucket).some((s) => s.bucket === "*" || s.bucket === bucket.name);
}
