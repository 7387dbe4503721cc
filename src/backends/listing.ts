/**
 * S3 listing semantics over keys already sorted in UTF-8 order: prefix,
 * delimiter grouping into CommonPrefixes, an exclusive start, and paging.
 */
import type { ListEntry, ListOptions, ListPage, UploadInfo, UploadsPage } from "./backend.ts";
import { compareKeys } from "./keys.ts";

/**
 * Pages sorted entries. A common prefix counts once toward `maxKeys`; a
 * `startAfter` inside (or equal to) a common prefix resumes after all of it.
 */
export function pageListing<T extends { readonly key: string } = ListEntry>(
  sorted: Iterable<T>,
  o: ListOptions,
): Omit<ListPage, "objects"> & { readonly objects: T[] } {
  const objects: T[] = [];
  const commonPrefixes: string[] = [];
  let last: string | undefined;
  let count = 0;
  for (const entry of sorted) {
    const key = entry.key;
    if (!key.startsWith(o.prefix)) continue;
    if (o.startAfter !== undefined && compareKeys(key, o.startAfter) <= 0) continue;
    let group: string | undefined;
    if (o.delimiter) {
      const at = key.indexOf(o.delimiter, o.prefix.length);
      if (at >= 0) group = key.slice(0, at + o.delimiter.length);
    }
    if (group !== undefined) {
      if (group === last) continue;
      if (o.startAfter !== undefined && o.startAfter.startsWith(group)) continue;
      if (count === o.maxKeys) {
        return { objects, commonPrefixes, isTruncated: true, nextStartAfter: last! };
      }
      commonPrefixes.push(group);
      last = group;
    } else {
      if (count === o.maxKeys) {
        return { objects, commonPrefixes, isTruncated: true, nextStartAfter: last! };
      }
      objects.push(entry);
      last = key;
    }
    count++;
  }
  return { objects, commonPrefixes, isTruncated: false };
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
