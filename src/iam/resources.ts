/**
 * A statement's `Resource`/`NotResource`: S3 ARNs (`arn:aws:s3:::bucket`,
 * `arn:aws:s3:::bucket/key-pattern`, `*`) compiled to patterns over the
 * request's `bucket` or `bucket/key`, and the scopes' own literal form (a
 * bucket and key prefixes, where `*` is a character like any other).
 */
import type { Truth } from "./conditions.ts";
import { UNRESOLVED } from "./keys.ts";
import type { ContextKeys } from "./keys.ts";
import { itemPath, listOf, type Problems } from "./problems.ts";
import { matchPattern, parsePattern, type Pattern, STAR } from "./wildcard.ts";

/** What a request addresses. */
export interface RequestResource {
  /** The bucket (`""` for ListBuckets). */
  readonly bucket: string;
  /** The object key; absent for a bucket operation. */
  readonly key?: string;
  /** What ARNs are matched against: `bucket`, `bucket/key`, or `*` for the service. */
  readonly arn: string;
}

/** The resource of a request on a bucket, an object, or the service (`bucket` empty). */
export function requestResource(bucket: string, key?: string): RequestResource {
  if (bucket === "") return { bucket, arn: "*" };
  return key === undefined ? { bucket, arn: bucket } : { bucket, key, arn: `${bucket}/${key}` };
}

/** One compiled resource. */
export type ResourceMatcher =
  /** An ARN's pattern over `RequestResource.arn`. */
  | { readonly kind: "arn"; readonly pattern: Pattern }
  /**
   * A scope's: a bucket (undefined: any) and, when `keys` is set, objects
   * whose key matches one of its patterns (then the bucket itself does not match).
   */
  | {
    readonly kind: "scope";
    readonly bucket: string | undefined;
    readonly keys: readonly Pattern[] | undefined;
  };

/** A statement's resources: any matcher matches (none, for NotResource). */
export interface CompiledResources {
  readonly matchers: readonly ResourceMatcher[];
  readonly negated: boolean;
}

const ARN_PREFIX = "arn:aws:s3:::";
const BUCKET_LITERAL = /^[^*?$]+$/;

/** Options of `compileResources`. */
export interface ResourceOptions {
  /** The configured buckets: a literal bucket outside them is a problem. Absent: not checked. */
  readonly bucketNames?: ReadonlySet<string>;
}

/** Compiles the items of `Resource` or `NotResource`, reporting each bad one at its path. */
export function compileResources(
  raw: unknown,
  path: string,
  negated: boolean,
  problems: Problems,
  options: ResourceOptions = {},
): CompiledResources {
  const matchers: ResourceMatcher[] = [];
  const items = listOf(raw);
  if (items.length === 0) problems.add(path, "must name at least one resource");
  items.forEach((item, i) => {
    const at = itemPath(path, raw, i);
    const m = typeof item === "string"
      ? compileArn(item, options)
      : { problem: "must be a string" };
    if ("problem" in m) problems.add(at, m.problem);
    else matchers.push(m);
  });
  return { matchers, negated };
}

function compileArn(
  arn: string,
  options: ResourceOptions,
): ResourceMatcher | { readonly problem: string } {
  if (arn === "*") {
    return { kind: "arn", pattern: { source: "*", tokens: [STAR], hasVariables: false } };
  }
  const rest = arn.startsWith(ARN_PREFIX) ? arn.slice(ARN_PREFIX.length) : "";
  if (rest === "" || rest.startsWith("/")) {
    return {
      problem:
        `malformed S3 resource ARN '${arn}': write arn:aws:s3:::bucket or arn:aws:s3:::bucket/key-pattern`,
    };
  }
  const parsed = parsePattern(rest, { wildcards: true, variables: true });
  if ("problem" in parsed) return parsed;
  const bucket = rest.split("/")[0]!;
  const names = options.bucketNames;
  if (names && BUCKET_LITERAL.test(bucket) && !names.has(bucket)) {
    return { problem: `'${arn}' names '${bucket}', which is not a configured bucket` };
  }
  return { kind: "arn", pattern: { ...parsed.pattern, source: arn } };
}

function matcherMatches(m: ResourceMatcher, r: RequestResource, keys: ContextKeys): Truth {
  if (m.kind === "arn") return matchPattern(m.pattern, r.arn, keys);
  if (m.bucket !== undefined && m.bucket !== r.bucket) return false;
  if (r.bucket === "") return false;
  if (m.keys === undefined) return true;
  const key = r.key;
  if (key === undefined) return false;
  return m.keys.some((p) => matchPattern(p, key, keys) === true);
}

/** Whether a request's resource is one of the statement's (three-valued, for variables). */
export function resourceMatches(
  c: CompiledResources,
  r: RequestResource,
  keys: ContextKeys,
): Truth {
  let result: Truth = false;
  for (const m of c.matchers) {
    const t = matcherMatches(m, r, keys);
    if (t === true) {
      result = true;
      break;
    }
    if (t === UNRESOLVED) result = UNRESOLVED;
  }
  if (!c.negated || result === UNRESOLVED) return result;
  return !result;
}
