/**
 * S3 listing semantics over keys already sorted in UTF-8 order: prefix,
 * delimiter grouping into CommonPrefixes, an exclusive start, and paging.
 */
import type { ListEntry, ListOptions, ListPage, UploadInfo, UploadsPage } from "./backend.ts";
import { compareKeys } from "./keys.ts";

/** A page of a listing being filled, one sorted entry at a time (`pageListing`'s engine). */
export interface ListPager<T extends { readonly key: string }> {
  /** Takes the next entry in key order; false once the page is full (one more entry came). */
  add(entry: T): boolean;
  /**
   * The common prefix the last entry taken fell into, if it did: every key that
   * starts with it is skipped, so a walk may leave them out.
   */
  readonly group: string | undefined;
  /** The page so far. */
  page(): Omit<ListPage, "objects"> & { readonly objects: T[] };
}

/**
 * An empty page for `o`. A common prefix counts once toward `maxKeys`; a
 * `startAfter` inside (or equal to) a common prefix resumes after all of it.
 */
export function listPager<T extends { readonly key: string } = ListEntry>(
  o: ListOptions,
): ListPager<T> {
  const objects: T[] = [];
  const commonPrefixes: string[] = [];
  let last: string | undefined;
  let group: string | undefined;
  let count = 0;
  let full = false;
  const groupOf = (key: string) => {
    if (!o.delimiter) return undefined;
    const at = key.indexOf(o.delimiter, o.prefix.length);
    return at < 0 ? undefined : key.slice(0, at + o.delimiter.length);
  };
  return {
    add(entry) {
      const key = entry.key;
      if (!key.startsWith(o.prefix)) return true;
      if (o.startAfter !== undefined && compareKeys(key, o.startAfter) <= 0) return true;
      const g = groupOf(key);
      if (g !== undefined && (g === last || o.startAfter?.startsWith(g))) return true;
      if (count === o.maxKeys) {
        full = true;
        return false;
      }
      if (g !== undefined) commonPrefixes.push(g);
      else objects.push(entry);
      last = g ?? key;
      group = g;
      count++;
      return true;
    },
    get group() {
      return group;
    },
    page: () =>
      full
        ? { objects, commonPrefixes, isTruncated: true, nextStartAfter: last! }
        : { objects, commonPrefixes, isTruncated: false },
  };
}

/** Pages sorted entries (see `listPager`). */
export function pageListing<T extends { readonly key: string } = ListEntry>(
  sorted: Iterable<T>,
  o: ListOptions,
): Omit<ListPage, "objects"> & { readonly objects: T[] } {
  const pager = listPager<T>(o);
  for (const entry of sorted) if (!pager.add(entry)) break;
  return pager.page();
}

/** Options of `pageUploads`. */
export interface UploadPageOptions {
  readonly prefix: string;
  readonly delimiter?: string;
  readonly keyMarker?: string;
  readonly uploadIdMarker?: string;
  readonly maxUploads: number;
}

/** Pages uploads sorted by key then initiation, as ListMultipartUploads does. */
export function pageUploads(sorted: readonly UploadInfo[], o: UploadPageOptions): UploadsPage {
  const uploads: UploadInfo[] = [];
  const commonPrefixes: string[] = [];
  let lastGroup: string | undefined;
  let passedMarker = o.keyMarker === undefined;
  for (const u of sorted) {
    if (!u.key.startsWith(o.prefix)) continue;
    if (!passedMarker) {
      const c = compareKeys(u.key, o.keyMarker!);
      if (c < 0) continue;
      if (c === 0) {
        if (o.uploadIdMarker === undefined || u.uploadId <= o.uploadIdMarker) continue;
      }
      passedMarker = true;
    }
    let group: string | undefined;
    if (o.delimiter) {
      const at = u.key.indexOf(o.delimiter, o.prefix.length);
      if (at >= 0) group = u.key.slice(0, at + o.delimiter.length);
    }
    if (group !== undefined && group === lastGroup) continue;
    if (uploads.length + commonPrefixes.length === o.maxUploads) {
      const prev = uploads.at(-1);
      const lastIsGroup = lastGroup !== undefined &&
        (prev === undefined || compareKeys(lastGroup, prev.key) > 0);
      return {
        uploads,
        commonPrefixes,
        isTruncated: true,
        nextKeyMarker: lastIsGroup ? lastGroup! : prev!.key,
        ...(lastIsGroup ? {} : { nextUploadIdMarker: prev!.uploadId }),
      };
    }
    if (group !== undefined) {
      commonPrefixes.push(group);
      lastGroup = group;
    } else {
      uploads.push(u);
    }
  }
  return { uploads, commonPrefixes, isTruncated: false };
}
