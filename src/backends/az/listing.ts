/**
 * S3 listings over List Blobs: the internal namespace never shows, start-after
 * continues from a remembered Azure marker (or by scanning from the prefix),
 * and a page holds at most maxKeys entries and prefixes together.
 */
import type { ProxyError } from "../../errors.ts";
import { ok, type Result } from "../../result.ts";
import type { BackendResult, ListEntry, ListOptions, ListPage } from "../backend.ts";
import { compareKeys } from "../keys.ts";
import type { AzContext } from "./context.ts";
import { type BlobsPage, listBlobs } from "./list_blobs.ts";
import { allInternal, INTERNAL_PREFIX, isAzInternal } from "./names.ts";

/** Last listing pages' continuation: `prefix\0delimiter\0lastKey` → Azure marker. */
export type MarkerCache = Map<string, string>;

const MAX_MARKERS = 1000;

/**
 * Whether a listing's common prefix holds a blob a client may see: never one
 * under the internal namespace; one that the internal namespace merely starts
 * with (`.bucket` with delimiter `e`) only when something else is under it.
 */
export async function visibleGroup(
  ctx: AzContext,
  group: string,
): Promise<Result<boolean, ProxyError>> {
  if (allInternal(group)) return ok(false);
  if (!INTERNAL_PREFIX.startsWith(group)) return ok(true);
  let marker: string | undefined;
  do {
    // With delimiter `/` all of `.bucketgate/` is one entry: a handful of results settle it.
    const page = await listBlobs(ctx, {
      prefix: group,
      delimiter: "/",
      maxResults: 10,
      ...(marker ? { marker } : {}),
    });
    if (!page.ok) return page;
    if (page.value.entries.some((e) => !isAzInternal(e.key))) return ok(true);
    if (page.value.prefixes.some((p) => !allInternal(p))) return ok(true);
    marker = page.value.nextMarker;
  } while (marker);
  return ok(false);
}

/** Whether a listed name comes after `startAfter` (when there was no marker to start from). */
function afterFilter(opts: ListOptions, skipping: boolean): (k: string) => boolean {
  const after = opts.startAfter;
  if (!skipping || after === undefined) return () => true;
  return (k) =>
    compareKeys(k, after) > 0 &&
    !(opts.delimiter && after.endsWith(opts.delimiter) && k.startsWith(after));
}

/** A listing page being gathered from one or more List Blobs pages. */
interface Gathered {
  readonly objects: ListEntry[];
  readonly commonPrefixes: string[];
}

/** Adds what a client may see of one List Blobs page. */
async function gather(
  ctx: AzContext,
  page: BlobsPage,
  into: Gathered & { readonly isAfter: (k: string) => boolean },
): Promise<Result<void, ProxyError>> {
  for (const e of page.entries) {
    if (!isAzInternal(e.key) && into.isAfter(e.key)) {
      into.objects.push({ key: e.key, size: e.size, etag: e.etag, lastModified: e.lastModified });
    }
  }
  for (const p of page.prefixes) {
    if (!into.isAfter(p)) continue;
    const visible = await visibleGroup(ctx, p);
    if (!visible.ok) return visible;
    if (visible.value) into.commonPrefixes.push(p);
  }
  return ok(undefined);
}

/** One page of an S3 listing; `markers` carries continuation between pages. */
export async function list(
  ctx: AzContext,
  opts: ListOptions,
  markers: MarkerCache,
): BackendResult<ListPage> {
  if (allInternal(opts.prefix)) return ok({ objects: [], commonPrefixes: [], isTruncated: false });
  const cacheKey = (last: string) => `${opts.prefix}\0${opts.delimiter ?? ""}\0${last}`;
  const after = opts.startAfter;
  let marker = after !== undefined ? markers.get(cacheKey(after)) : undefined;
  // Without a remembered marker, scan from the prefix and skip what is not after startAfter.
  const isAfter = afterFilter(opts, after !== undefined && marker === undefined);
  const g: Gathered = { objects: [], commonPrefixes: [] };
  let more: string | undefined;
  for (;;) {
    const page = await listBlobs(ctx, {
      prefix: opts.prefix,
      ...(opts.delimiter ? { delimiter: opts.delimiter } : {}),
      ...(marker ? { marker } : {}),
      maxResults: opts.maxKeys - g.objects.length - g.commonPrefixes.length,
    });
    if (!page.ok) return page;
    const added = await gather(ctx, page.value, { ...g, isAfter });
    if (!added.ok) return added;
    marker = page.value.nextMarker;
    if (!marker) break;
    if (g.objects.length + g.commonPrefixes.length >= opts.maxKeys) {
      more = marker;
      break;
    }
  }
  return ok(finishPage(g, { more, markers, cacheKey }));
}

/** Sorts a gathered page and remembers the marker that continues it. */
function finishPage(
  g: Gathered,
  c: {
    readonly more: string | undefined;
    readonly markers: MarkerCache;
    readonly cacheKey: (last: string) => string;
  },
): ListPage {
  const last = [...g.objects.map((x) => x.key), ...g.commonPrefixes].sort(compareKeys).at(-1);
  if (c.more && last !== undefined) {
    if (c.markers.size >= MAX_MARKERS) c.markers.delete(c.markers.keys().next().value!);
    c.markers.set(c.cacheKey(last), c.more);
  }
  return {
    objects: g.objects.sort((a, b) => compareKeys(a.key, b.key)),
    commonPrefixes: g.commonPrefixes.sort(compareKeys),
    isTruncated: c.more !== undefined,
    ...(c.more !== undefined && last !== undefined ? { nextStartAfter: last } : {}),
  };
}
