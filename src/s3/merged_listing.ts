/**
 * The account level of a path-mapped namespace as one listing: each mapped
 * bucket's keys shown under its prefix (`data/…`), the buckets in the key
 * order of their prefixes, so one page (and its continuation) may span them.
 * A bucket whose whole prefix falls in one common prefix (`/acme?delimiter=/`)
 * is that common prefix, without asking its backend.
 */
import type { Backend, ListEntry, ListOptions, ListPage } from "../backends/backend.ts";
import { compareKeys } from "../backends/keys.ts";
import { type ProxyError, proxyError } from "../errors.ts";
import { err, ok, type Result } from "../result.ts";

/** How a listing reaches one mapped bucket shown under `prefix`. */
export type Reach =
  /** The bucket as one common prefix. */
  | { readonly kind: "group"; readonly group: string }
  /** A listing of the bucket: these options, in its own key space. */
  | { readonly kind: "list"; readonly inner: Omit<ListOptions, "maxKeys"> };

/** A mapped bucket as a source of the merged listing. */
export interface ListSource {
  /** The key prefix that shows it (`data/`). */
  readonly prefix: string;
  readonly backend: Pick<Backend, "list">;
}

/** How a listing (in display keys) reaches the bucket shown under `prefix`; undefined when not at all. */
export function reach(prefix: string, o: Omit<ListOptions, "maxKeys">): Reach | undefined {
  const p = o.prefix;
  if (!p.startsWith(prefix) && !prefix.startsWith(p)) return undefined;
  const s = o.startAfter;
  if (s !== undefined && !s.startsWith(prefix) && compareKeys(s, prefix) > 0) return undefined;
  const innerStart = s !== undefined && s.startsWith(prefix) ? s.slice(prefix.length) : "";
  const inner = {
    prefix: p.startsWith(prefix) ? p.slice(prefix.length) : "",
    ...(innerStart !== "" ? { startAfter: innerStart } : {}),
  };
  const d = o.delimiter;
  if (!d || p.startsWith(prefix)) {
    return { kind: "list", inner: d ? { ...inner, delimiter: d } : inner };
  }
  const at = prefix.indexOf(d, p.length);
  if (at >= 0) return { kind: "group", group: prefix.slice(0, at + d.length) };
  // A delimiter that would straddle the prefix and the key: grouped here, not by the backend.
  for (let i = p.length; i < prefix.length; i++) {
    if (d.startsWith(prefix.slice(i))) return { kind: "list", inner };
  }
  return { kind: "list", inner: { ...inner, delimiter: d } };
}

/** One item of a merged listing: an entry (an object, an upload), or a common prefix (no entry). */
export interface Item<E> {
  readonly key: string;
  readonly entry?: E;
}

/** What a collector gathers: the listing's prefix, delimiter, page size and marker. */
export interface CollectOptions<E> {
  readonly prefix: string;
  readonly delimiter?: string;
  readonly max: number;
  /** Items up to it are skipped (S3's start-after or key-marker), and a group it falls in. */
  readonly marker?: string;
  /** Whether an entry whose key is the marker itself still comes after it (an upload past the upload-id-marker). */
  readonly pastMarker?: (entry: E) => boolean;
}

/** Collects items in key order up to one past the page, grouping and skipping as S3 does. */
export class Collector<E> {
  readonly items: Item<E>[] = [];
  readonly #o: CollectOptions<E>;

  constructor(o: CollectOptions<E>) {
    this.#o = o;
  }

  get full(): boolean {
    return this.items.length > this.#o.max;
  }

  /** Adds an entry or common prefix (display key), grouped under the delimiter. */
  add(key: string, entry?: E): void {
    const { prefix, delimiter, marker } = this.#o;
    let group: string | undefined;
    if (delimiter) {
      const at = key.indexOf(delimiter, prefix.length);
      if (at >= 0) group = key.slice(0, at + delimiter.length);
    }
    const shown = group ?? key;
    if (marker !== undefined) {
      const c = compareKeys(shown, marker);
      const past = c > 0 ||
        (c === 0 && group === undefined && entry !== undefined && !!this.#o.pastMarker?.(entry));
      if (!past || (group !== undefined && marker.startsWith(group))) return;
    }
    if (group !== undefined && this.items.at(-1)?.key === group) return;
    this.items.push(group !== undefined ? { key: group } : { key, ...(entry ? { entry } : {}) });
  }

  /** The page's items, and whether more followed them. */
  take(): { readonly items: readonly Item<E>[]; readonly truncated: boolean } {
    return { items: this.items.slice(0, this.#o.max), truncated: this.items.length > this.#o.max };
  }
}

/**
 * Adds one backend page (entries and common prefixes, each in key order) to
 * `out` in key order, every key under `prefix`.
 */
export function addPage<E extends { readonly key: string }>(
  out: Collector<E>,
  prefix: string,
  entries: readonly E[],
  commonPrefixes: readonly string[],
): void {
  let i = 0;
  let j = 0;
  while (i < entries.length || j < commonPrefixes.length) {
    const e = entries[i];
    const p = commonPrefixes[j];
    if (e !== undefined && (p === undefined || compareKeys(e.key, p) < 0)) {
      out.add(prefix + e.key, { ...e, key: prefix + e.key });
      i++;
    } else {
      out.add(prefix + p!);
      j++;
    }
  }
}

/** A listing's page of the collected items. */
function listPage(out: Collector<ListEntry>): ListPage {
  const { items, truncated } = out.take();
  return {
    objects: items.flatMap((i) => (i.entry ? [i.entry] : [])),
    commonPrefixes: items.flatMap((i) => (i.entry ? [] : [i.key])),
    isTruncated: truncated,
    ...(truncated ? { nextStartAfter: items.at(-1)!.key } : {}),
  };
}

/** The listing `o` (display keys) over the sources, sorted by prefix. */
export async function mergedList(
  sources: readonly ListSource[],
  o: ListOptions,
): Promise<Result<ListPage, ProxyError>> {
  const out = new Collector<ListEntry>({
    prefix: o.prefix,
    ...(o.delimiter ? { delimiter: o.delimiter } : {}),
    max: o.maxKeys,
    ...(o.startAfter !== undefined ? { marker: o.startAfter } : {}),
  });
  for (const source of sources) {
    if (out.full) break;
    const how = reach(source.prefix, o);
    if (how === undefined) continue;
    if (how.kind === "group") {
      out.add(how.group);
      continue;
    }
    const failed = await drain(source, how.inner, out, o.maxKeys);
    if (failed) return err(failed);
  }
  return ok(listPage(out));
}

/** Pages through one source until it ends or the collector is full. */
async function drain(
  source: ListSource,
  inner: Omit<ListOptions, "maxKeys">,
  out: Collector<ListEntry>,
  maxKeys: number,
): Promise<ProxyError | undefined> {
  let startAfter = inner.startAfter;
  while (!out.full) {
    const want = Math.min(1000, Math.max(1, maxKeys + 1 - out.items.length));
    const r = await source.backend.list({
      ...inner,
      ...(startAfter !== undefined ? { startAfter } : {}),
      maxKeys: want,
    });
    if (!r.ok) return r.error;
    const page = r.value;
    addPage(out, source.prefix, page.objects, page.commonPrefixes);
    if (!page.isTruncated || page.nextStartAfter === undefined) return undefined;
    startAfter = page.nextStartAfter;
  }
  return undefined;
}

/**
 * A backend that only lists (objects through `list`, uploads through
 * `listMultipartUploads`); every other operation is refused as not implemented.
 */
export function listingBackend(
  lists: Partial<Pick<Backend, "list" | "listMultipartUploads">>,
): Backend {
  const refused = () =>
    Promise.resolve(err(proxyError(
      "NotImplemented",
      "This operation is not implemented on the account level of a path-mapped namespace",
    )));
  return {
    list: lists.list ?? refused,
    head: refused,
    get: refused,
    put: refused,
    copy: refused,
    delete: refused,
    createMultipartUpload: refused,
    uploadPart: refused,
    completeMultipartUpload: refused,
    abortMultipartUpload: refused,
    listParts: refused,
    listMultipartUploads: lists.listMultipartUploads ?? refused,
  };
}
