/** Multipart uploads: Create, UploadPart, Complete, Abort, ListParts, ListMultipartUploads. */
import type { CompletedPart } from "../../backends/backend.ts";
import { type ProxyError, proxyError } from "../../errors.ts";
import { readSmallBody } from "../../streams/limits.ts";
import { err, ok, type Result } from "../../result.ts";
import type { S3Context } from "../context.ts";
import { forwardedHeaders, metaFromHeaders, writeConditions } from "../headers.ts";
import {
  encodingType,
  intParam,
  isoTime,
  partParams,
  uploadParam,
  urlEncodeKey,
} from "../params.ts";
import { emptyResponse, xmlResponse } from "../response.ts";
import { uploadBody } from "../upload_body.ts";
import { el, parseXml, S3_XMLNS, XML_DECLARATION, xmlText } from "../../xml.ts";
import { checksumHeaders } from "../checksum_headers.ts";
import {
  checksumXml,
  claimedChecksumOf,
  partChecksumsOf,
  uploadChecksumOf,
} from "../upload_checksum.ts";

/** The largest CompleteMultipartUpload body accepted (10,000 parts with room). */
export const MAX_COMPLETE_BODY = 4 * 1024 * 1024;

function ownerXml(ctx: S3Context, tag: string): string {
  return `<${tag}>${el("ID", ctx.config.ownerId)}${
    el("DisplayName", ctx.config.ownerDisplayName)
  }</${tag}>`;
}

/** CreateMultipartUpload. */
export async function createMultipartUpload(ctx: S3Context): Promise<Result<Response, ProxyError>> {
  await ctx.body?.cancel();
  const checksum = uploadChecksumOf(ctx.req.headers);
  if (!checksum.ok) return checksum;
  const forward = forwardedHeaders(ctx.req.headers);
  const created = await ctx.bucket.backend.createMultipartUpload(ctx.req.key, {
    meta: metaFromHeaders(ctx.req.headers),
    ...(checksum.value ? { checksum: checksum.value } : {}),
    ...(forward ? { forward } : {}),
  });
  if (!created.ok) return created;
  const headers = new Headers();
  if (checksum.value) {
    headers.set("x-amz-checksum-algorithm", checksum.value.algorithm);
    headers.set("x-amz-checksum-type", checksum.value.type);
  }
  return ok(xmlResponse(
    XML_DECLARATION + `<InitiateMultipartUploadResult xmlns="${S3_XMLNS}">` +
      el("Bucket", ctx.req.bucket) + el("Key", ctx.req.key) + el("UploadId", created.value) +
      `</InitiateMultipartUploadResult>`,
    headers,
  ));
}

/** UploadPart: the verified payload becomes part N; 200 with its ETag. */
export async function uploadPart(ctx: S3Context): Promise<Result<Response, ProxyError>> {
  const part = partParams(ctx.req);
  if (!part.ok) {
    await ctx.body?.cancel();
    return part;
  }
  const upload = uploadBody(ctx);
  if (!upload.ok) {
    await ctx.body?.cancel();
    return upload;
  }
  const { stream, contentLength, checksums, trailing } = upload.value;
  const up = await ctx.bucket.backend.uploadPart(part.value.upload, {
    partNumber: part.value.partNumber,
    body: stream,
    ...(contentLength !== undefined ? { contentLength } : {}),
    ...(Object.keys(checksums).length > 0 ? { checksums } : {}),
    ...(trailing ? { trailing } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  if (!up.ok) return up;
  const headers = checksumHeaders({ ...checksums, ...up.value.checksums });
  headers.set("etag", up.value.etag);
  return ok(emptyResponse(200, headers));
}

/** Parses a CompleteMultipartUpload body into its parts, in the order given. */
export function parseCompleteBody(text: string): Result<CompletedPart[], ProxyError> {
  const doc = parseXml(text) as { CompleteMultipartUpload?: { Part?: unknown } } | undefined;
  const root = doc?.CompleteMultipartUpload;
  const bad = proxyError(
    "MalformedXml",
    "The XML you provided was not well-formed or did not validate against our published schema",
  );
  if (root === undefined || root === null || typeof root !== "object") return err(bad);
  const parts = Array.isArray(root.Part) ? root.Part : [];
  if (parts.length === 0) {
    return err(proxyError("MalformedXml", "The CompleteMultipartUpload request names no Part"));
  }
  const out: CompletedPart[] = [];
  for (const p of parts) {
    const part = (p ?? {}) as Record<string, unknown>;
    const { PartNumber, ETag } = part;
    const n = typeof PartNumber === "string" && /^\s*\d{1,5}\s*$/.test(PartNumber)
      ? Number(PartNumber)
      : NaN;
    const etag = typeof ETag === "string" ? xmlText(ETag.trim()) : undefined;
    if (!(n >= 1 && n <= 10000) || etag === undefined || etag === "") return err(bad);
    const checksums = partChecksumsOf(part);
    if (!checksums.ok) return checksums;
    out.push({ partNumber: n, etag, ...(checksums.value ? { checksums: checksums.value } : {}) });
  }
  return ok(out);
}

/** CompleteMultipartUpload: validates and assembles the parts. */
export async function completeMultipartUpload(
  ctx: S3Context,
): Promise<Result<Response, ProxyError>> {
  const upload = uploadParam(ctx.req);
  if (!upload.ok) {
    await ctx.body?.cancel();
    return upload;
  }
  const claimed = claimedChecksumOf(ctx.req.headers);
  if (!claimed.ok) {
    await ctx.body?.cancel();
    return claimed;
  }
  const text = await readSmallBody(
    ctx.body,
    MAX_COMPLETE_BODY,
    proxyError(
      "MalformedXml",
      `The CompleteMultipartUpload body is larger than ${MAX_COMPLETE_BODY} bytes`,
    ),
  );
  if (!text.ok) return text;
  const parts = parseCompleteBody(text.value);
  if (!parts.ok) return parts;
  const done = await ctx.bucket.backend.completeMultipartUpload(
    upload.value,
    parts.value,
    writeConditions(ctx.req.headers),
    claimed.value,
  );
  if (!done.ok) return done;
  const location = `${bucketUrl(ctx)}/${urlEncodeKey(ctx.req.key)}`;
  return ok(xmlResponse(
    XML_DECLARATION + `<CompleteMultipartUploadResult xmlns="${S3_XMLNS}">` +
      el("Location", location) + el("Bucket", ctx.req.bucket) + el("Key", ctx.req.key) +
      el("ETag", done.value.etag) + checksumXml(done.value.checksums, done.value.checksumType) +
      `</CompleteMultipartUploadResult>`,
  ));
}

/**
 * The bucket's URL as the client addressed it, as S3 gives it in Location:
 * `https://s3.example.com/photos`, or `https://photos.s3.example.com` in
 * virtual-hosted style; `/photos` when the request named no host.
 */
function bucketUrl(ctx: S3Context): string {
  const path = "/" + encodeURIComponent(ctx.req.bucket);
  const client = ctx.client;
  if (!client?.host) return path;
  return `${client.scheme}://${client.host}${ctx.req.virtualHosted ? "" : path}`;
}

/** AbortMultipartUpload: 204; NoSuchUpload when unknown. */
export async function abortMultipartUpload(ctx: S3Context): Promise<Result<Response, ProxyError>> {
  await ctx.body?.cancel();
  const upload = uploadParam(ctx.req);
  if (!upload.ok) return upload;
  const aborted = await ctx.bucket.backend.abortMultipartUpload(upload.value);
  if (!aborted.ok) return aborted;
  return ok(emptyResponse(204));
}

/** ListParts. */
export async function listParts(ctx: S3Context): Promise<Result<Response, ProxyError>> {
  const upload = uploadParam(ctx.req);
  if (!upload.ok) return upload;
  const maxParts = intParam(ctx.req.query, "max-parts", { fallback: 1000, min: 0, cap: 1000 });
  if (!maxParts.ok) return maxParts;
  const marker = intParam(ctx.req.query, "part-number-marker", { fallback: 0, min: 0, cap: 10000 });
  if (!marker.ok) return marker;
  const page = await ctx.bucket.backend.listParts(upload.value, {
    ...(marker.value > 0 ? { partNumberMarker: marker.value } : {}),
    maxParts: maxParts.value,
  });
  if (!page.ok) return page;
  const p = page.value;
  let parts = "";
  for (const part of p.parts) {
    parts += `<Part>${el("PartNumber", part.partNumber)}${
      el("LastModified", isoTime(part.lastModified))
    }${el("ETag", part.etag)}${el("Size", part.size)}${checksumXml(part.checksums)}</Part>`;
  }
  const checksum = p.checksum
    ? el("ChecksumAlgorithm", p.checksum.algorithm) + el("ChecksumType", p.checksum.type)
    : "";
  return ok(xmlResponse(
    XML_DECLARATION + `<ListPartsResult xmlns="${S3_XMLNS}">` +
      el("Bucket", ctx.req.bucket) + el("Key", ctx.req.key) +
      el("UploadId", upload.value.uploadId) +
      ownerXml(ctx, "Initiator") + ownerXml(ctx, "Owner") +
      `<StorageClass>STANDARD</StorageClass>` +
      el("PartNumberMarker", marker.value) +
      (p.nextPartNumberMarker !== undefined
        ? el("NextPartNumberMarker", p.nextPartNumberMarker)
        : "") +
      el("MaxParts", maxParts.value) + el("IsTruncated", p.isTruncated) + checksum + parts +
      `</ListPartsResult>`,
  ));
}

/** ListMultipartUploads. */
export async function listMultipartUploads(ctx: S3Context): Promise<Result<Response, ProxyError>> {
  const { query } = ctx.req;
  const maxUploads = intParam(query, "max-uploads", { fallback: 1000, min: 0, cap: 1000 });
  if (!maxUploads.ok) return maxUploads;
  const url = encodingType(query);
  if (!url.ok) return url;
  const enc = url.value ? urlEncodeKey : (s: string) => s;
  const prefix = query.get("prefix") ?? "";
  const delimiter = query.get("delimiter") ?? "";
  const keyMarker = query.get("key-marker") ?? "";
  const uploadIdMarker = query.get("upload-id-marker") ?? "";
  const page = await ctx.bucket.backend.listMultipartUploads({
    prefix,
    ...(delimiter ? { delimiter } : {}),
    ...(keyMarker ? { keyMarker } : {}),
    ...(uploadIdMarker ? { uploadIdMarker } : {}),
    maxUploads: maxUploads.value === 0 ? 1 : maxUploads.value,
  });
  if (!page.ok) return page;
  const p = maxUploads.value === 0
    ? { uploads: [], commonPrefixes: [], isTruncated: false }
    : page.value;
  let uploads = "";
  for (const u of p.uploads) {
    uploads += `<Upload>${el("Key", enc(u.key))}${el("UploadId", u.uploadId)}${
      ownerXml(ctx, "Initiator")
    }${ownerXml(ctx, "Owner")}<StorageClass>STANDARD</StorageClass>${
      el("Initiated", isoTime(u.initiated))
    }</Upload>`;
  }
  for (const cp of p.commonPrefixes) {
    uploads += `<CommonPrefixes>${el("Prefix", enc(cp))}</CommonPrefixes>`;
  }
  const next = "nextKeyMarker" in p && p.nextKeyMarker !== undefined
    ? el("NextKeyMarker", enc(p.nextKeyMarker)) +
      el("NextUploadIdMarker", p.nextUploadIdMarker ?? "")
    : "";
  return ok(xmlResponse(
    XML_DECLARATION + `<ListMultipartUploadsResult xmlns="${S3_XMLNS}">` +
      el("Bucket", ctx.req.bucket) + el("KeyMarker", enc(keyMarker)) +
      el("UploadIdMarker", uploadIdMarker) + next +
      (delimiter ? el("Delimiter", enc(delimiter)) : "") + el("Prefix", enc(prefix)) +
      el("MaxUploads", maxUploads.value) + (url.value ? el("EncodingType", "url") : "") +
      el("IsTruncated", p.isTruncated) + uploads + `</ListMultipartUploadsResult>`,
  ));
}
