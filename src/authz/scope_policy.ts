/**
 * `allowed_scopes` and `anonymous_access: true`, compiled into the policy
 * evaluator of iam/ with their meaning unchanged: a scope becomes Allow
 * statements over the operations its actions name (s3/operations.ts's
 * requirements), its prefixes literal key patterns (a `*` in a prefix is a
 * character, as it always was) and, for listings, an `s3:prefix` condition.
 */
import type { Action, Scope } from "../config/types.ts";
import type { OperationName } from "../iam/actions.ts";
import type { CompiledCondition } from "../iam/conditions.ts";
import type { CompiledPolicy, CompiledStatement } from "../iam/document.ts";
import { canonicalKey, type ContextKeys } from "../iam/keys.ts";
import { parseOperator } from "../iam/operators.ts";
import type { ResourceMatcher } from "../iam/resources.ts";
import { matchPattern, type Pattern, patternOf, STAR } from "../iam/wildcard.ts";

/** The operations each scope action allows: the rows of s3/operations.ts that require it. */
export const SCOPE_ACTION_OPERATIONS: Readonly<Record<Action, readonly OperationName[]>> = {
  get_object: ["GetObject", "GetObjectTagging", "GetObjectAttributes"],
  get_object_version: [],
  head_object: ["HeadObject"],
  put_object: ["PutObject", "CopyObject", "CreateBucket"],
  delete_object: ["DeleteObject", "DeleteBucket"],
  list_bucket: ["ListObjects", "ListObjectsV2"],
  create_multipart_upload: ["CreateMultipartUpload"],
  upload_part: ["UploadPart", "UploadPartCopy"],
  complete_multipart_upload: ["CompleteMultipartUpload"],
  abort_multipart_upload: ["AbortMultipartUpload"],
  list_multipart_upload_parts: ["ListParts"],
  list_bucket_multipart_uploads: ["ListMultipartUploads"],
};

/** What any right on a bucket allows (s3/operations.ts's `{ kind: "any" }` rows). */
export const ANY_ACCESS_OPERATIONS: readonly OperationName[] = [
  "HeadBucket",
  "GetBucketLocation",
  "GetBucketVersioning",
];

/** The operations whose scope prefixes bound the listing's `prefix` rather than a key. */
const LISTINGS: ReadonlySet<OperationName> = new Set([
  "ListObjects",
  "ListObjectsV2",
  "ListMultipartUploads",
]);

/** The actions an `anonymous_access: true` bucket grants to everyone. */
const ANONYMOUS: readonly Action[] = ["get_object", "head_object", "list_bucket"];

const STRING_LIKE = parseOperator("StringLike");
const S3_PREFIX = canonicalKey("s3:prefix");
const NO_KEYS: ContextKeys = new Map();

/** The keys a scope prefix covers: below `p/` (or `p` itself when it ends in `/` or is empty), and `p`. */
function keyPatterns(prefix: string): Pattern[] {
  if (prefix === "" || prefix.endsWith("/")) return [patternOf(`${prefix}*`, [prefix, STAR])];
  return [patternOf(prefix, [prefix]), patternOf(`${prefix}/*`, [`${prefix}/`, STAR])];
}

/** A listing's `prefix` must lie under the scope prefix's directory. */
function listingCondition(prefixes: readonly string[]): CompiledCondition[] {
  if (prefixes.length === 0 || prefixes.includes("") || "problem" in STRING_LIKE) return [];
  const tests = prefixes.map((p) => {
    const dir = p.endsWith("/") ? p : `${p}/`;
    const pattern = patternOf(`${dir}*`, [dir, STAR]);
    return (value: string) => matchPattern(pattern, value, NO_KEYS) === true;
  });
  return [{ operator: STRING_LIKE, key: S3_PREFIX, tests, mustBeAbsent: false }];
}

type Draft = Omit<CompiledStatement, "policy" | "index">;

function scopeStatements(scope: Scope, i: number): Draft[] {
  const bucket = scope.bucket === "*" ? undefined : scope.bucket;
  const ops = scope.actions.flatMap((a) => SCOPE_ACTION_OPERATIONS[a]);
  const keys = scope.prefixes.length === 0 ? undefined : scope.prefixes.flatMap(keyPatterns);
  const on = (m: ResourceMatcher) => ({ matchers: [m], negated: false });
  const draft = (
    operations: readonly OperationName[],
    resources: ResourceMatcher,
    conditions: CompiledCondition[],
  ) => ({
    sid: `allowed_scopes[${i}]`,
    effect: "Allow" as const,
    operations: new Set(operations),
    resources: on(resources),
    conditions,
  });
  return [
    draft(ANY_ACCESS_OPERATIONS, { kind: "scope", bucket, keys: undefined }, []),
    draft(ops.filter((op) => !LISTINGS.has(op)), { kind: "scope", bucket, keys }, []),
    draft(
      ops.filter((op) => LISTINGS.has(op)),
      { kind: "scope", bucket, keys: undefined },
      listingCondition(scope.prefixes),
    ),
  ].filter((s) => s.operations.size > 0);
}

function policyOf(name: string, kind: CompiledPolicy["kind"], drafts: Draft[]): CompiledPolicy {
  return {
    name,
    kind,
    statements: drafts.map((d, index) => ({ ...d, policy: name, index })),
  };
}

/** A caller's `allowed_scopes` as an identity policy named `name`. */
export function scopePolicy(scopes: readonly Scope[], name: string): CompiledPolicy {
  return policyOf(name, "identity", scopes.flatMap(scopeStatements));
}

/**
 * `anonymous_access: true` as a bucket policy for everyone (`Principal: "*"`):
 * reads, listings and any-access operations on the whole bucket.
 */
export function anonymousAccessPolicy(bucket: string): CompiledPolicy {
  const everyone = {
    everyone: true,
    accessKeys: new Set<string>(),
    roles: new Set<string>(),
    negated: false,
  };
  const drafts = scopeStatements({ bucket, prefixes: [], actions: ANONYMOUS }, 0).map((d) => ({
    ...d,
    sid: "anonymous_access",
    principals: everyone,
  }));
  return policyOf(`bucket:${bucket}`, "bucket", drafts);
}
