/**
 * `path_mapping:`: a hierarchical namespace over the buckets
 * (`{ bucket_segments: 2, separator: "--", display_bucket_segments: 1 }`).
 * Once set, every bucket name must be exactly `bucket_segments` non-empty
 * parts joined by the separator; a config that mixes in others is refused.
 */
import type { Fields, Item, Reader } from "./_reader.ts";
import type { PathMappingConfig } from "./types.ts";

/** The keys `path_mapping:` may hold. */
export const PATH_MAPPING_KEYS = [
  "bucket_segments",
  "separator",
  "display_bucket_segments",
] as const;

/** The most parts a mapped bucket name may have. */
export const MAX_BUCKET_SEGMENTS = 8;

/** Characters a separator may hold: those of bucket names. */
const SEPARATOR = /^[a-z0-9.-]{1,16}$/;

/** Reads `path_mapping:` and checks every bucket name against it; undefined when absent or bad. */
export function readPathMapping(
  r: Reader,
  top: Fields,
  names: readonly Item<string>[],
): PathMappingConfig | undefined {
  const node = top.get("path_mapping");
  if (node === undefined) return undefined;
  const f = r.mapping(node, top.at("path_mapping"), PATH_MAPPING_KEYS);
  if (!f) return undefined;
  const before = r.problems.length;
  const bucketSegments = r.integer(f, "bucket_segments", {
    fallback: 2,
    min: 2,
    max: MAX_BUCKET_SEGMENTS,
  });
  const display = r.integer(f, "display_bucket_segments", {
    fallback: 1,
    min: 1,
    max: MAX_BUCKET_SEGMENTS,
  });
  if (display >= bucketSegments) {
    r.problem(
      f.at("display_bucket_segments"),
      `must be less than bucket_segments (${bucketSegments}), not ${display}`,
      f.site("display_bucket_segments"),
    );
  }
  const sep = r.string(f, "separator");
  if (sep && !SEPARATOR.test(sep.value)) {
    r.problem(
      sep.path,
      `'${sep.value}' is not a separator: use 1 to 16 of a-z, 0-9, '.' and '-' (such as --)`,
      sep.node,
    );
  }
  if (r.problems.length > before) return undefined;
  const mapping = { bucketSegments, separator: sep?.value ?? "--", displayBucketSegments: display };
  for (const name of names) {
    const problem = mappedNameProblem(name.value, mapping);
    if (problem) r.problem(name.path, problem, name.node);
  }
  return mapping;
}

/** Why a bucket name does not fit the mapping (exactly N non-empty parts), if it does not. */
export function mappedNameProblem(name: string, m: PathMappingConfig): string | undefined {
  const parts = name.split(m.separator);
  if (parts.length === m.bucketSegments && parts.every((p) => p !== "")) return undefined;
  return `'${name}' does not fit path_mapping: a bucket name must be ${m.bucketSegments} ` +
    `non-empty parts joined by '${m.separator}' (such as ${
      Array.from({ length: m.bucketSegments }, (_, i) => `part${i + 1}`).join(m.separator)
    })`;
}
