/**
 * ListMultipartUploads at the account level of a path-mapped namespace: each
 * mapped bucket's uploads shown under its prefix (`data/…`), the buckets in
 * the key order of their prefixes, so one page (and its key and upload-id
 * markers) may span them, as s3/merged_listing.ts does for objects. A bucket
 * whose whole prefix falls in one common prefix (`?uploads&delimiter=/`) is
 * that common prefix when it has an upload there.
 */
import type { Backend, ListUploadsOptions, UploadInfo, UploadsPage } from "../backends/backend.ts";
import type { ProxyError } from "../errors.ts";
import { err, ok, type Result } from "../result.ts";
import { addPage, Collector, reach } from "./merged_listing.ts";

/** A mapped bucket as a source of the merged upload listing. */
export interface UploadSource {
  /** The key prefix that shows it (`data/`). */
  readonly prefix: string;
  readonly backend: Pick<Backend, "listMultipartUploads">;
}

/** What one source is asked: the upload listing in its own key space, without the page size. */
type Inner = Omit<ListUploadsOptions, "maxUploads">;

/** The uploads `o` (display keys) over the sources, sorted by prefix. */
export async function mergedUploads(
  sources: readonly UploadSource[],
  o: ListUploadsOptions,
): Promise<Result<UploadsPage, ProxyError>> {
  // A backend applied the upload-id marker to the key it names; the merge trusts it.
  const out = new Collector<UploadInfo>({
    prefix: o.prefix,
    ...(o.delimiter ? { delimiter: o.delimiter } : {}),
    max: o.maxUploads,
    ...(o.keyMarker !== undefined ? { marker: o.keyMarker } : {}),
    pastMarker: () => o.uploadIdMarker !== undefined,
  });
  for (const source of sources) {
    if (out.full) break;
    const how = reach(source.prefix, {
      prefix: o.prefix,
      ...(o.delimiter ? { delimiter: o.delimiter } : {}),
      ...(o.keyMarker !== undefined ? { startAfter: o.keyMarker } : {}),
    });
    if (how === undefined) continue;
    const marker = innerMarker(source.prefix, o);
    if (how.kind === "group") {
      const any = await source.backend.listMultipartUploads({
        prefix: "",
        ...marker,
        maxUploads: 1,
      });
      if (!any.ok) return any;
      if (any.value.uploads.length > 0) out.add(how.group);
      continue;
    }
    const { startAfter: _, ...inner } = how.inner;
    const failed = await drain(source, { ...inner, ...marker }, out, o.maxUploads);
    if (failed) return err(failed);
  }
  const { items, truncated } = out.take();
  const last = items.at(-1);
  return ok({
    uploads: items.flatMap((i) => (i.entry ? [i.entry] : [])),
    commonPrefixes: items.flatMap((i) => (i.entry ? [] : [i.key])),
    isTruncated: truncated,
    ...(truncated && last
      ? {
        nextKeyMarker: last.key,
        ...(last.entry ? { nextUploadIdMarker: last.entry.uploadId } : {}),
      }
      : {}),
  });
}

/** The markers in the source's own key space: only when the key marker lies inside it. */
function innerMarker(
  prefix: string,
  o: ListUploadsOptions,
): Pick<ListUploadsOptions, "keyMarker" | "uploadIdMarker"> {
  const k = o.keyMarker;
  if (k === undefined || !k.startsWith(prefix) || k === prefix) return {};
  return {
    keyMarker: k.slice(prefix.length),
    ...(o.uploadIdMarker !== undefined ? { uploadIdMarker: o.uploadIdMarker } : {}),
  };
}

/** Pages through one source's uploads until it ends or the collector is full. */
async function drain(
  source: UploadSource,
  inner: Inner,
  out: Collector<UploadInfo>,
  maxUploads: number,
): Promise<ProxyError | undefined> {
  let at: Inner = inner;
  while (!out.full) {
    const want = Math.min(1000, Math.max(1, maxUploads + 1 - out.items.length));
    const r = await source.backend.listMultipartUploads({ ...at, maxUploads: want });
    if (!r.ok) return r.error;
    const page = r.value;
    addPage(out, source.prefix, page.uploads, page.commonPrefixes);
    if (!page.isTruncated || page.nextKeyMarker === undefined) return undefined;
    const { keyMarker: _k, uploadIdMarker: _u, ...rest } = at;
    at = {
      ...rest,
      keyMarker: page.nextKeyMarker,
      ...(page.nextUploadIdMarker !== undefined ? { uploadIdMarker: page.nextUploadIdMarker } : {}),
    };
  }
  return undefined;
}
