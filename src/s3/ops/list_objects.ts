/** ListObjects (V1) and ListObjectsV2. */
import type { ListPage } from "../../backends/backend.ts";
import { type ProxyError, proxyError } from "../../errors.ts";
import { err, ok, type Result } from "../../result.ts";
import type { QueryParams } from "../../http/target.ts";
import type { S3Context } from "../context.ts";
import { encodingType, intParam, isoTime, urlEncodeKey } from "../params.ts";
import { el, S3_XMLNS, XML_DECLARATION } from "../../xml.ts";
import { xmlResponse } from "../response.ts";

/** Encodes an opaque continuation token from the last key returned. */
export function encodeToken(startAfter: string): string {
  const bytes = new TextEncoder().encode(startAfter);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Decodes a continuation token; undefined when it is not one of ours. */
export function decodeToken(token: string): string | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(token)) return undefined;
  try {
    const bin = atob(token.replace(/-/g, "+").replace(/_/g, "/"));
    const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function ownerXml(ctx: S3Context): string {
  return `<Owner>${el("ID", ctx.config.ownerId)}${
    el("DisplayName", ctx.config.ownerDisplayName)
  }</Owner>`;
}

function contentsXml(
  page: ListPage,
  enc: (s: string) => string,
  owner: string,
): string {
  let out = "";
  for (const o of page.objects) {
    out += `<Contents>${el("Key", enc(o.key))}${el("LastModified", isoTime(o.lastModified))}${
      el("ETag", o.etag)
    }${el("Size", o.size)}${owner}<StorageClass>STANDARD</StorageClass></Contents>`;
  }
  for (const p of page.commonPrefixes) {
    out += `<CommonPrefixes>${el("Prefix", enc(p))}</CommonPrefixes>`;
  }
  return out;
}

interface ListRequest {
  readonly prefix: string;
  readonly delimiter?: string;
  readonly maxKeys: number;
  readonly url: boolean;
}

function readListRequest(query: QueryParams): Result<ListRequest, ProxyError> {
  const maxKeys = intParam(query, "max-keys", { fallback: 1000, min: 0, cap: 1000 });
  if (!maxKeys.ok) return maxKeys;
  const url = encodingType(query);
  if (!url.ok) return url;
  const delimiter = query.get("delimiter");
  return ok({
    prefix: query.get("prefix") ?? "",
    ...(delimiter ? { delimiter } : {}),
    maxKeys: maxKeys.value,
    url: url.value,
  });
}

const EMPTY_PAGE: ListPage = { objects: [], commonPrefixes: [], isTruncated: false };

async function fetchPage(
  ctx: S3Context,
  r: ListRequest,
  startAfter: string | undefined,
): Promise<Result<ListPage, ProxyError>> {
  if (r.maxKeys === 0) return ok(EMPTY_PAGE);
  return await ctx.bucket.backend.list({
    prefix: r.prefix,
    ...(r.delimiter ? { delimiter: r.delimiter } : {}),
    ...(startAfter ? { startAfter } : {}),
    maxKeys: r.maxKeys,
  });
}

/** ListObjectsV2: continuation tokens, start-after, fetch-owner, KeyCount. */
export async function listObjectsV2(ctx: S3Context): Promise<Result<Response, ProxyError>> {
  const { query } = ctx.req;
  const r = readListRequest(query);
  if (!r.ok) return r;
  // An empty continuation-token is no token at all, as S3 takes it, but echoed as given.
  const given = query.get("continuation-token");
  const token = given || null;
  const startAfterParam = query.get("start-after") ?? "";
  let startAfter = startAfterParam;
  if (token !== null) {
    const decoded = decodeToken(token);
    if (decoded === undefined) {
      return err(proxyError("InvalidArgument", "The continuation token provided is incorrect"));
    }
    startAfter = decoded;
  }
  const page = await fetchPage(ctx, r.value, startAfter || undefined);
  if (!page.ok) return page;
  const enc = r.value.url ? urlEncodeKey : (s: string) => s;
  const owner = query.get("fetch-owner") === "true" ? ownerXml(ctx) : "";
  const p = page.value;
  const body = XML_DECLARATION + `<ListBucketResult xmlns="${S3_XMLNS}">` +
    el("Name", ctx.req.bucket) + el("Prefix", enc(r.value.prefix)) +
    (r.value.delimiter ? el("Delimiter", enc(r.value.delimiter)) : "") +
    el("MaxKeys", r.value.maxKeys) +
    (r.value.url ? el("EncodingType", "url") : "") +
    el("KeyCount", p.objects.length + p.commonPrefixes.length) +
    (given !== null ? el("ContinuationToken", given) : "") +
    (startAfterParam ? el("StartAfter", enc(startAfterParam)) : "") +
    el("IsTruncated", p.isTruncated) +
    (p.isTruncated && p.nextStartAfter !== undefined
      ? el("NextContinuationToken", encodeToken(p.nextStartAfter))
      : "") +
    contentsXml(p, enc, owner) + `</ListBucketResult>`;
  return ok(xmlResponse(body));
}

/** ListObjects (V1): marker, and NextMarker when a delimiter is given (as S3). */
export async function listObjectsV1(ctx: S3Context): Promise<Result<Response, ProxyError>> {
  const { query } = ctx.req;
  const r = readListRequest(query);
  if (!r.ok) return r;
  const marker = query.get("marker") ?? "";
  const page = await fetchPage(ctx, r.value, marker || undefined);
  if (!page.ok) return page;
  const enc = r.value.url ? urlEncodeKey : (s: string) => s;
  const p = page.value;
  const body = XML_DECLARATION + `<ListBucketResult xmlns="${S3_XMLNS}">` +
    el("Name", ctx.req.bucket) + el("Prefix", enc(r.value.prefix)) +
    el("Marker", enc(marker)) +
    (p.isTruncated && r.value.delimiter && p.nextStartAfter !== undefined
      ? el("NextMarker", enc(p.nextStartAfter))
      : "") +
    el("MaxKeys", r.value.maxKeys) +
    (r.value.delimiter ? el("Delimiter", enc(r.value.delimiter)) : "") +
    (r.value.url ? el("EncodingType", "url") : "") +
    el("IsTruncated", p.isTruncated) +
    contentsXml(p, enc, ownerXml(ctx)) + `</ListBucketResult>`;
  return ok(xmlResponse(body));
}
