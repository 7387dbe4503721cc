/**
 * A sidecar's contents: an object's HTTP metadata and what describes its
 * bytes (ETag, checksums, part sizes), with the inode, size and mtime of the
 * file it was written for, so a file changed behind bucketgate's back is noticed.
 */
import type { HttpMeta, ObjectMeta } from "../backend.ts";
import { guessType } from "./content_types.ts";

/** What a sidecar holds. */
export interface MetaFile extends HttpMeta {
  readonly key: string;
  readonly etag: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number | null;
  readonly checksums?: ObjectMeta["checksums"];
  readonly checksumType?: ObjectMeta["checksumType"];
  /** A multipart object's part sizes, in order (reads by part number). */
  readonly partSizes?: readonly number[];
  /** A multipart object's part checksums, in order (GetObjectAttributes). */
  readonly partChecksums?: readonly string[];
}

/** What describes an object's bytes beyond its ETag. */
export type BytesInfo = Pick<
  MetaFile,
  "checksums" | "checksumType" | "partSizes" | "partChecksums"
>;

/** The sidecar of `key` for the file whose stat is `st`. */
export function metaFileOf(
  key: string,
  st: Deno.FileInfo,
  o: { readonly meta: HttpMeta; readonly etag: string; readonly extra?: BytesInfo },
): MetaFile {
  const extra = o.extra ?? {};
  return {
    ...o.meta,
    ...(extra.checksums ? { checksums: extra.checksums } : {}),
    ...(extra.checksumType ? { checksumType: extra.checksumType } : {}),
    ...(extra.partSizes ? { partSizes: extra.partSizes } : {}),
    ...(extra.partChecksums ? { partChecksums: extra.partChecksums } : {}),
    key,
    etag: o.etag,
    size: st.size,
    mtimeMs: st.mtime?.getTime() ?? 0,
    ino: st.ino ?? null,
  };
}

/** Whether a sidecar describes the file now at `key` (same inode, size and mtime). */
export function describes(m: MetaFile, key: string, st: Deno.FileInfo): boolean {
  return m.key === key && m.size === st.size && m.mtimeMs === st.mtime?.getTime() &&
    m.ino === (st.ino ?? null);
}

/** The HTTP metadata of a sidecar, without what describes its bytes. */
export function httpPart(m: MetaFile): HttpMeta {
  const { checksums: _c, checksumType: _t, partSizes: _p, partChecksums: _s, ...rest } = m;
  return rest;
}

/** An object's Last-Modified: the file's mtime, to the second (as HTTP dates carry it). */
export function lastModifiedOf(st: Deno.FileInfo): Date {
  return new Date(Math.floor((st.mtime?.getTime() ?? 0) / 1000) * 1000);
}

/** The object's metadata: its sidecar's (with a guessed Content-Type if none) and the file's size and mtime. */
export function toMeta(key: string, m: MetaFile, st: Deno.FileInfo): ObjectMeta {
  // Field by field: a spread per optional field made two objects each (issue 30).
  const meta: { -readonly [K in keyof ObjectMeta]: ObjectMeta[K] } = {
    key,
    size: st.size,
    etag: m.etag,
    lastModified: lastModifiedOf(st),
    userMetadata: m.userMetadata ?? {},
  };
  const contentType = m.contentType ?? guessType(key);
  if (contentType) meta.contentType = contentType;
  for (const field of STORED_HTTP_FIELDS) {
    const v = m[field];
    if (v) meta[field] = v;
  }
  if (m.checksums) meta.checksums = m.checksums;
  if (m.checksumType) meta.checksumType = m.checksumType;
  if (m.partSizes) {
    meta.partsCount = m.partSizes.length;
    meta.partSizes = m.partSizes;
  }
  if (m.partChecksums) meta.partChecksums = m.partChecksums;
  return meta;
}

/** The HTTP metadata fields a sidecar stores besides Content-Type, copied when set. */
const STORED_HTTP_FIELDS = [
  "contentEncoding",
  "contentDisposition",
  "contentLanguage",
  "cacheControl",
  "expires",
] as const;
