/**
 * A bounded cache for presigned URLs used again (issue 30): by the raw query
 * string, what the query alone gives — its parsed claims and its canonical
 * query — so a URL fetched again skips parsing and canonicalising. Both are
 * pure functions of the raw query, so an entry can never be wrong; nothing in
 * it is a verdict: the secret is looked up, the signature computed and
 * compared, and the time checked against the clock on every request. Only a
 * query whose signature verified is kept (a flood of junk URLs fills nothing),
 * and one cache lives per S3 path, so a config reload starts an empty one.
 */
import type { CanonicalPrefix } from "../sigv4/canonical.ts";
import type { PresignedParams } from "./sigv4_claims.ts";

/** What a presigned URL's raw query gives on its own. */
export interface PresignedEntry {
  readonly params: PresignedParams;
  /** The canonical query, X-Amz-Signature left out. */
  readonly canonicalQuery: string;
  /**
   * The canonical request's first lines (method, URI, that query) hashed,
   * which a request of the same method and URI continues from.
   */
  readonly prefix?: CanonicalPrefix | undefined;
}

/** The cache: entries by raw query. */
export interface PresignedCache {
  get(rawQuery: string): PresignedEntry | undefined;
  /** Keeps an entry, evicting the oldest past either bound. */
  set(rawQuery: string, entry: PresignedEntry): void;
  /** Entries and their estimated bytes, for tests and metrics. */
  readonly size: { readonly entries: number; readonly bytes: number };
}

/** The bounds of a `PresignedCache`. */
export interface PresignedCacheLimits {
  readonly maxEntries: number;
  readonly maxBytes: number;
}

/** 1,024 entries, 2 MiB: a presigned URL is about 600 bytes, its entry about 2 KB. */
export const PRESIGNED_CACHE_LIMITS: PresignedCacheLimits = {
  maxEntries: 1024,
  maxBytes: 2 * 1024 * 1024,
};

/** An entry's estimated heap bytes: the key, the canonical query, the claims' strings, the hash state. */
function bytesOf(rawQuery: string, e: PresignedEntry): number {
  return 2 * (2 * rawQuery.length + e.canonicalQuery.length) + 768;
}

/** Creates a cache bounded in entries and bytes; the oldest entries go first. */
export function createPresignedCache(
  limits: PresignedCacheLimits = PRESIGNED_CACHE_LIMITS,
): PresignedCache {
  const entries = new Map<string, { entry: PresignedEntry; bytes: number }>();
  let bytes = 0;
  return {
    get: (rawQuery) => entries.get(rawQuery)?.entry,
    set(rawQuery, entry) {
      const size = bytesOf(rawQuery, entry);
      if (size > limits.maxBytes || entries.has(rawQuery)) return;
      for (const [oldest, old] of entries) {
        if (entries.size < limits.maxEntries && bytes + size <= limits.maxBytes) break;
        entries.delete(oldest);
        bytes -= old.bytes;
      }
      entries.set(rawQuery, { entry, bytes: size });
      bytes += size;
    },
    get size() {
      return { entries: entries.size, bytes };
    },
  };
}
