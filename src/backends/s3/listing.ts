/** ListObjectsV2: the query, and the page parsed from the store's answer. */
import { err, ok } from "../../result.ts";
import type { BackendResult, ListEntry, ListOptions, ListPage } from "../backend.ts";
import { queryString, type S3Client } from "./client.ts";
import { errorFrom, xmlAnswer } from "./errors.ts";
import { str } from "./xml.ts";

/** ListObjectsV2, asked for URL-encoded keys. */
export async function listObjects(c: S3Client, opts: ListOptions): BackendResult<ListPage> {
  const r = await c.call({ method: "GET", path: c.bucketRoot, query: listQuery(opts) });
  if (!r.ok) return r;
  if (r.value.status !== 200) return err(await errorFrom(r.value, "ListObjectsV2"));
  const doc = await xmlAnswer(r.value, "ListObjectsV2");
  if (!doc.ok) return doc;
  return ok(listPage(doc.value));
}

/** The query of a ListObjectsV2 page. */
function listQuery(opts: ListOptions): string {
  let startAfter = opts.startAfter;
  // A common prefix as the start: resume after every key under it.
  if (startAfter !== undefined && opts.delimiter && startAfter.endsWith(opts.delimiter)) {
    startAfter += "\u{10FFFF}";
  }
  const q = new URLSearchParams({
    "list-type": "2",
    "encoding-type": "url",
    "max-keys": String(opts.maxKeys),
    prefix: opts.prefix,
  });
  if (opts.delimiter) q.set("delimiter", opts.delimiter);
  if (startAfter !== undefined) q.set("start-after", startAfter);
  return queryString(q);
}

/** A page from a parsed ListObjectsV2 answer. */
export function listPage(doc: Record<string, unknown>): ListPage {
  const res = doc.ListBucketResult as Record<string, unknown> | undefined;
  const encoded = urlEncoded(res);
  const objects: ListEntry[] = records(res?.Contents).map((o) => ({
    key: decodeListed(o.Key, encoded),
    size: Number(o.Size),
    etag: str(o.ETag),
    lastModified: new Date(str(o.LastModified)),
  }));
  const commonPrefixes = prefixesOf(res);
  const isTruncated = str(res?.IsTruncated) === "true";
  const last = [...objects.map((x) => x.key), ...commonPrefixes]
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .at(-1);
  return {
    objects,
    commonPrefixes,
    isTruncated,
    ...(isTruncated && last !== undefined ? { nextStartAfter: last } : {}),
  };
}

/** A listing's repeated elements (the parser makes them arrays). */
export function records(v: unknown): Record<string, unknown>[] {
  return (v as Record<string, unknown>[] | undefined) ?? [];
}

/** A listing's common prefixes, decoded. */
export function prefixesOf(res: Record<string, unknown> | undefined): string[] {
  const encoded = urlEncoded(res);
  return records(res?.CommonPrefixes).map((p) => decodeListed(p.Prefix, encoded));
}

/**
 * A key or prefix from a listing asked for with `encoding-type=url`. It is
 * decoded (`+` may stand for a space there) only when the answer says it was
 * encoded (`<EncodingType>url</EncodingType>`), as S3 does and the SDKs check:
 * a store that ignores the parameter (s3rver) sends raw keys, and decoding
 * those would turn `c+d` into `c d` and throw on `c%d`.
 */
export function decodeListed(s: unknown, encoded: boolean): string {
  if (!encoded) return str(s);
  try {
    return decodeURIComponent(str(s).replace(/\+/g, " "));
  } catch {
    return str(s); // a malformed escape: no conforming store sends one
  }
}

/** Whether a listing's keys are URL-encoded. */
export function urlEncoded(res: Record<string, unknown> | undefined): boolean {
  return str(res?.EncodingType).toLowerCase() === "url";
}
