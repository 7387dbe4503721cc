/**
 * S3 object metadata on Azure blobs. Azure metadata names must be C#
 * identifiers, so S3 names that are not (`two-words`) are stored hex-encoded
 * under `bgx_`; what Azure has no property for (Expires, checksums, a
 * multipart ETag) is stored under `bgi_`. S3 ETags are MD5-based: the blob's
 * Content-MD5 in hex, or the stored multipart ETag.
 */
import { Buffer } from "node:buffer";
import {
  CHECKSUM_ALGORITHMS,
  type ChecksumAlgorithm,
  type ChecksumType,
} from "../../checksum/algorithm.ts";
import type { HttpMeta, ObjectMeta } from "../backend.ts";

const PLAIN_NAME = /^[a-z][a-z0-9_]*$/;
const ENCODED = "bgx_";
const INTERNAL = "bgi_";

/** The Azure metadata name of an S3 user-metadata name. */
export function azureMetaName(name: string): string {
  return PLAIN_NAME.test(name) && !name.startsWith("bg")
    ? name
    : ENCODED + Buffer.from(name, "utf8").toString("hex");
}

/** The S3 name of a user-metadata name as Azure returns it; undefined for internal ones. */
export function s3MetaName(azureName: string): string | undefined {
  const n = azureName.toLowerCase();
  if (n.startsWith(INTERNAL)) return undefined;
  if (n.startsWith(ENCODED)) return Buffer.from(n.slice(ENCODED.length), "hex").toString("utf8");
  return n;
}

/** What is stored with a blob besides its bytes. */
export interface StoredExtras {
  /** S3 ETag without quotes, for blobs whose Content-MD5 is not it (multipart). */
  readonly etag?: string;
  readonly checksums?: Readonly<Partial<Record<ChecksumAlgorithm, string>>>;
  /** A multipart object's part sizes (kept run-length encoded: Azure metadata is small). */
  readonly partSizes?: readonly number[];
  readonly checksumType?: ChecksumType;
  /** A multipart object's part checksums, when they fit (`AzSizes.partChecksumsInline`). */
  readonly partChecksums?: readonly string[];
  /** Else the upload id whose record (`partChecksumsPath`) holds them. */
  readonly partChecksumsRef?: string;
}

/** Part sizes as runs, `size*count` joined by `,` (`8388608*9,1234`): 10,000 parts fit. */
export function encodePartSizes(sizes: readonly number[]): string {
  const runs: string[] = [];
  for (let i = 0; i < sizes.length;) {
    let j = i;
    while (j < sizes.length && sizes[j] === sizes[i]) j++;
    runs.push(`${sizes[i]}*${j - i}`);
    i = j;
  }
  return runs.join(",");
}

/** The part sizes of `encodePartSizes`, or undefined for a value that is not one. */
export function decodePartSizes(text: string): number[] | undefined {
  const out: number[] = [];
  for (const run of text.split(",")) {
    const m = /^(\d{1,15})\*(\d{1,5})$/.exec(run);
    if (!m || out.length + Number(m[2]) > 10000) return undefined;
    for (let i = 0; i < Number(m[2]); i++) out.push(Number(m[1]));
  }
  return out.length ? out : undefined;
}

/**
 * The headers that set a blob's properties and metadata on Put Blob, Put Block
 * List and Set Blob Properties. Every property is sent (an absent one clears
 * it, as S3's REPLACE does).
 */
export function blobHeaders(meta: HttpMeta, extras: StoredExtras = {}): Record<string, string> {
  const h: Record<string, string> = {};
  const set = (name: string, v: string | undefined) => {
    if (v !== undefined && v !== "") h[name] = v;
  };
  set("x-ms-blob-content-type", meta.contentType);
  set("x-ms-blob-content-encoding", meta.contentEncoding);
  set("x-ms-blob-content-disposition", meta.contentDisposition);
  set("x-ms-blob-content-language", meta.contentLanguage);
  set("x-ms-blob-cache-control", meta.cacheControl);
  for (const [k, v] of Object.entries(meta.userMetadata)) h[`x-ms-meta-${azureMetaName(k)}`] = v;
  set(`x-ms-meta-${INTERNAL}expires`, meta.expires);
  set(`x-ms-meta-${INTERNAL}etag`, extras.etag);
  if (extras.partSizes) set(`x-ms-meta-${INTERNAL}parts`, encodePartSizes(extras.partSizes));
  for (const [alg, v] of Object.entries(extras.checksums ?? {})) {
    set(`x-ms-meta-${INTERNAL}checksum_${alg.toLowerCase()}`, v);
  }
  set(`x-ms-meta-${INTERNAL}checksum_type`, extras.checksumType);
  set(`x-ms-meta-${INTERNAL}partsums`, extras.partChecksums?.join(","));
  set(`x-ms-meta-${INTERNAL}partsums_ref`, extras.partChecksumsRef);
  return h;
}

/** The S3 ETag (quoted) from the stored multipart ETag, the blob's MD5 (base64), or Azure's ETag. */
export function s3Etag(
  internalEtag: string | undefined,
  contentMd5: string | undefined,
  azureEtag: string,
): string {
  if (internalEtag) return `"${internalEtag}"`;
  if (contentMd5) return `"${Buffer.from(contentMd5, "base64").toString("hex")}"`;
  return azureEtag.startsWith('"') ? azureEtag : `"${azureEtag}"`;
}

/** Splits Azure metadata (names without `x-ms-meta-`) into S3 user metadata and internal fields. */
export function splitMetadata(azure: Iterable<[string, string]>): {
  userMetadata: Record<string, string>;
  internal: Record<string, string>;
} {
  const userMetadata: Record<string, string> = {};
  const internal: Record<string, string> = {};
  for (const [name, value] of azure) {
    const s3 = s3MetaName(name);
    if (s3 !== undefined) userMetadata[s3] = value;
    else internal[name.toLowerCase().slice(INTERNAL.length)] = value;
  }
  return { userMetadata, internal };
}

/** The `x-ms-meta-*` headers of a response, split as `splitMetadata` does. */
export function metadataOf(h: Headers): ReturnType<typeof splitMetadata> {
  const named: [string, string][] = [];
  h.forEach((v, k) => {
    if (k.startsWith("x-ms-meta-")) named.push([k.slice(10), v]);
  });
  return splitMetadata(named);
}

/** Object metadata from a Get Blob / Get Blob Properties response. */
export function metaFromHeaders(key: string, h: Headers): ObjectMeta {
  const { userMetadata, internal } = metadataOf(h);
  const range = /\/(\d+)$/.exec(h.get("content-range") ?? "");
  // A ranged read's Content-MD5 is the range's; the blob's is in x-ms-blob-content-md5.
  const md5 = h.get("x-ms-blob-content-md5") ?? (range ? null : h.get("content-md5"));
  const meta: Record<string, unknown> = {
    key,
    size: range ? Number(range[1]) : Number(h.get("content-length") ?? 0),
    etag: s3Etag(internal.etag, md5 ?? undefined, h.get("etag") ?? ""),
    lastModified: new Date(h.get("last-modified") ?? 0),
    userMetadata,
  };
  const fields: [keyof HttpMeta, string | undefined][] = [
    ["contentType", h.get("content-type") ?? undefined],
    ["contentEncoding", h.get("content-encoding") ?? undefined],
    ["contentDisposition", h.get("content-disposition") ?? undefined],
    ["contentLanguage", h.get("content-language") ?? undefined],
    ["cacheControl", h.get("cache-control") ?? undefined],
    ["expires", internal.expires],
  ];
  for (const [field, v] of fields) if (v) meta[field] = v;
  const checksums = checksumsOf(internal);
  if (checksums) meta.checksums = checksums;
  const type = internal.checksum_type;
  // A single PUT's checksums are of the whole object.
  if (checksums) meta.checksumType = type === "COMPOSITE" ? "COMPOSITE" : "FULL_OBJECT";
  if (internal.partsums) meta.partChecksums = internal.partsums.split(",");
  const parts = internal.parts ? decodePartSizes(internal.parts) : undefined;
  if (parts) {
    meta.partSizes = parts;
    meta.partsCount = parts.length;
  }
  return meta as unknown as ObjectMeta;
}

/** The checksums among internal metadata, if any. */
export function checksumsOf(
  internal: Readonly<Record<string, string>>,
): Partial<Record<ChecksumAlgorithm, string>> | undefined {
  const out: Partial<Record<ChecksumAlgorithm, string>> = {};
  for (const alg of CHECKSUM_ALGORITHMS) {
    const v = internal[`checksum_${alg.toLowerCase()}`];
    if (v) out[alg] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
