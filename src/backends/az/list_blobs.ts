/** List Blobs: one page of a container listing as entries, prefixes and the next marker. */
import type { ProxyError } from "../../errors.ts";
import { ok, type Result } from "../../result.ts";
import type { ListEntry } from "../backend.ts";
import type { AzContext } from "./context.ts";
import { s3Etag, splitMetadata } from "./metadata.ts";
import { listedName } from "./names.ts";
import { readXml } from "./response.ts";
import { str } from "./xml.ts";

/** A blob as List Blobs shows it, with bucketgate's internal metadata. */
export interface BlobEntry extends ListEntry {
  readonly internal: Readonly<Record<string, string>>;
}

/** What one List Blobs request asks for. */
export interface ListBlobsQuery {
  readonly prefix: string;
  readonly delimiter?: string;
  readonly marker?: string;
  readonly maxResults: number;
}

/** One page of List Blobs. */
export interface BlobsPage {
  readonly entries: BlobEntry[];
  readonly prefixes: string[];
  readonly nextMarker: string | undefined;
}

/** One listed blob; a name that cannot be decoded is an error. */
function blobEntry(b: Record<string, unknown>): Result<BlobEntry, ProxyError> {
  const name = listedName(b.Name);
  if (!name.ok) return name;
  const p = (b.Properties ?? {}) as Record<string, unknown>;
  const meta = (typeof b.Metadata === "object" && b.Metadata ? b.Metadata : {}) as Record<
    string,
    unknown
  >;
  const { internal } = splitMetadata(Object.entries(meta).map(([k, v]) => [k, str(v)]));
  return ok({
    key: name.value,
    size: Number(str(p["Content-Length"])),
    etag: s3Etag(internal.etag, str(p["Content-MD5"]) || undefined, str(p.Etag)),
    lastModified: new Date(str(p["Last-Modified"])),
    internal,
  });
}

/** The page an EnumerationResults document holds. */
export function blobsPage(doc: Record<string, unknown>): Result<BlobsPage, ProxyError> {
  const res = doc.EnumerationResults as Record<string, unknown> | undefined;
  const blobs = (res?.Blobs ?? {}) as Record<string, unknown>;
  const entries: BlobEntry[] = [];
  for (const b of (blobs.Blob ?? []) as Record<string, unknown>[]) {
    const e = blobEntry(b);
    if (!e.ok) return e;
    entries.push(e.value);
  }
  const prefixes: string[] = [];
  for (const p of (blobs.BlobPrefix ?? []) as Record<string, unknown>[]) {
    const name = listedName(p.Name);
    if (!name.ok) return name;
    prefixes.push(name.value);
  }
  return ok({ entries, prefixes, nextMarker: str(res?.NextMarker) || undefined });
}

/** One page of List Blobs, with metadata. */
export async function listBlobs(
  ctx: AzContext,
  q: ListBlobsQuery,
): Promise<Result<BlobsPage, ProxyError>> {
  const query: Record<string, string> = {
    restype: "container",
    comp: "list",
    include: "metadata",
    prefix: q.prefix,
    maxresults: String(q.maxResults),
  };
  if (q.delimiter) query.delimiter = q.delimiter;
  if (q.marker) query.marker = q.marker;
  const r = await ctx.client.expect("ListBlobs", [200], {
    method: "GET",
    path: ctx.client.containerPath,
    query,
  });
  if (!r.ok) return r;
  const doc = await readXml(r.value, "ListBlobs");
  return doc.ok ? blobsPage(doc.value) : doc;
}

/** Every blob under an internal prefix (upload state is small). */
export async function listAll(
  ctx: AzContext,
  prefix: string,
): Promise<Result<BlobEntry[], ProxyError>> {
  const out: BlobEntry[] = [];
  let marker: string | undefined;
  do {
    const page = await listBlobs(ctx, { prefix, maxResults: 5000, ...(marker ? { marker } : {}) });
    if (!page.ok) return page;
    out.push(...page.value.entries);
    marker = page.value.nextMarker;
  } while (marker);
  return ok(out);
}
