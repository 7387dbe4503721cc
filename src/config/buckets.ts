/** `buckets:`: the virtual buckets, each with its backend and typed backend_options. */
import { type Fields, type Item, joinPath, type Reader } from "./_reader.ts";
import { bucketNameProblem, normalizeBackendPrefix } from "./_rules.ts";
import { check, claimUnique, sections } from "./_sections.ts";
import { didYouMean } from "./_suggest.ts";
import { parseBackendOptions } from "./backend_options/mod.ts";
import { readCors } from "./cors.ts";
import {
  BACKEND_TYPES,
  type BackendOptions,
  type BackendType,
  type BucketConfig,
} from "./types.ts";

/** The keys each item of `buckets:` may hold. */
export const BUCKET_KEYS = [
  "name",
  "backend_type",
  "anonymous_access",
  "backend_prefix",
  "allowed_roles",
  "backend_options",
  "cors",
  "bucket_policy",
] as const;

/** What `readBuckets` found. */
export interface BucketsRead {
  readonly buckets: BucketConfig[];
  /** Every bucket name read, also of buckets with problems (so scopes naming them are not reported). */
  readonly bucketNames: Set<string>;
  /** Every bucket name read, with its path and node (path_mapping.ts checks their shape). */
  readonly names: Item<string>[];
  /** Every `allowed_roles` entry, to check once the roles are read. */
  readonly roleRefs: Item<string>[];
  /** Each bucket's `bucket_policy:` node, to compile once roles and keys are read. */
  readonly policyNodes: Map<BucketConfig, Item<unknown>>;
}

/** The buckets; names are unique S3 bucket names. */
export function readBuckets(r: Reader, top: Fields): BucketsRead {
  const buckets: BucketConfig[] = [];
  const roleRefs: Item<string>[] = [];
  const policyNodes = new Map<BucketConfig, Item<unknown>>();
  const firstByName = new Map<string, string>();
  const names: Item<string>[] = [];
  const items = sections(r, top, "buckets", {
    keys: BUCKET_KEYS,
    required: "required: a list of buckets",
  });
  for (const b of items) {
    const name = r.string(b, "name", { required: true });
    if (name) {
      check(r, name, bucketNameProblem(name.value));
      claimUnique(r, firstByName, name, "bucket name");
      names.push(name);
    }
    const bucket = readBucket(r, b, roleRefs);
    if (name && bucket) {
      const config = { name: name.value, ...bucket };
      buckets.push(config);
      const policy = b.get("bucket_policy");
      if (policy !== undefined) {
        policyNodes.set(config, { value: policy, path: b.at("bucket_policy"), node: policy });
      }
    }
  }
  return { buckets, bucketNames: new Set(firstByName.keys()), names, roleRefs, policyNodes };
}

/** One bucket but its name; undefined when a required part has problems. */
function readBucket(
  r: Reader,
  b: Fields,
  roleRefs: Item<string>[],
): Omit<BucketConfig, "name"> | undefined {
  const type = readBackendType(r, b);
  const anonymousAccess = r.boolean(b, "anonymous_access");
  let backendPrefix = "";
  const prefix = r.string(b, "backend_prefix", { allowEmpty: true });
  if (prefix) {
    const normalized = normalizeBackendPrefix(prefix.value);
    if ("problem" in normalized) r.problem(prefix.path, normalized.problem, prefix.node);
    else backendPrefix = normalized.prefix;
  }
  const allowedRoles = (r.strings(b, "allowed_roles") ?? []).map((item) => {
    roleRefs.push(item);
    return item.value;
  });
  const backend = readBackend(r, b, type);
  const cors = readCors(r, b);
  if (backend === undefined || anonymousAccess === undefined) return undefined;
  return {
    backend,
    anonymousAccess,
    backendPrefix,
    allowedRoles,
    ...(cors ? { cors } : {}),
  };
}

/** `backend_type`: required, one of BACKEND_TYPES (with a suggestion). */
function readBackendType(r: Reader, b: Fields): BackendType | undefined {
  const item = r.string(b, "backend_type", { required: true });
  if (!item) return undefined;
  const type = BACKEND_TYPES.find((t) => t === item.value);
  if (type === undefined) {
    r.problem(
      item.path,
      `'${item.value}' is not a backend type: use one of ${BACKEND_TYPES.join(", ")}${
        didYouMean(item.value, BACKEND_TYPES)
      }`,
      item.node,
    );
  }
  return type;
}

/**
 * `backend_options` (absent = none) parsed by the parser of `type`; its
 * problems are reported under `buckets[i].backend_options.`, at the node at
 * fault. Undefined when the type or the options have problems.
 */
function readBackend(
  r: Reader,
  b: Fields,
  type: BackendType | undefined,
): BackendOptions | undefined {
  const path = b.at("backend_options");
  const node = b.get("backend_options");
  let value: Record<string, unknown> = Object.create(null);
  const before = r.problems.length;
  if (node !== undefined) {
    const plain = r.plain(node, path);
    if (plain === null || typeof plain !== "object" || Array.isArray(plain)) {
      r.problem(path, "must be a mapping of backend-specific options", node);
      return undefined;
    }
    value = plain as Record<string, unknown>;
  }
  if (type === undefined) return undefined;
  const parsed = parseBackendOptions(type, value);
  if (parsed.ok) return parsed.value;
  // A value already reported (an unset variable, say) is not reported again.
  const reported = new Set(r.problems.slice(before).map((p) => p.path));
  for (const p of parsed.error) {
    const at = joinPath(path, p.path);
    if (reported.has(at)) continue;
    r.problem(at, p.message, r.locate(b.site("backend_options"), p.path));
  }
  return undefined;
}
