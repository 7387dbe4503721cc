/**
 * Multipart uploads on the store: create, upload a part, complete, abort,
 * and the two listings (ListParts, ListMultipartUploads).
 */
import { uriEncode } from "../../sigv4/canonical.ts";
import { proxyError } from "../../errors.ts";
import { err, ok } from "../../result.ts";
import type {
  BackendResult,
  ClaimedChecksum,
  CompletedPart,
  CreateUploadOptions,
  ListPartsOptions,
  ListUploadsOptions,
  ObjectMeta,
  PartInfo,
  PartsPage,
  PartUpload,
  StoredPartAnswer,
  UploadRef,
  UploadsPage,
  WriteConditions,
} from "../backend.ts";
import { release } from "../http/send.ts";
import { queryString, type S3Client } from "./client.ts";
import { errorFrom, xmlAnswer } from "./errors.ts";
import { metaFrom, metaHeaders, writeConditionHeaders } from "./headers.ts";
import { uploadBody } from "./body.ts";
import { conditionalKeyProblem, headObject, isSuccess } from "./objects.ts";
import { decodeListed, prefixesOf, records, urlEncoded } from "./listing.ts";
import { str } from "./xml.ts";
import { checksumHeaderRecord } from "../../checksum/algorithm.ts";
import {
  checksumsFromXml,
  checksumTypeOf,
  claimedHeaders,
  uploadChecksumFromXml,
  uploadChecksumHeaders,
} from "./checksums.ts";

/** CreateMultipartUpload: the new upload's id. */
export async function createUpload(
  c: S3Client,
  key: string,
  opts: CreateUploadOptions,
): BackendResult<string> {
  const headers = {
    ...metaHeaders(opts.meta),
    ...uploadChecksumHeaders(opts.checksum),
    ...opts.forward,
  };
  const r = await c.call({ method: "POST", path: c.pathOf(key), query: "uploads=", headers });
  if (!r.ok) return r;
  if (r.value.status !== 200) return err(await errorFrom(r.value, "CreateMultipartUpload"));
  const doc = await xmlAnswer(r.value, "CreateMultipartUpload");
  if (!doc.ok) return doc;
  const id = str(
    (doc.value.InitiateMultipartUploadResult as Record<string, unknown> | undefined)?.UploadId,
  );
  return id ? ok(id) : err(
    proxyError("BackendError", "The backend failed", "CreateMultipartUpload: no UploadId"),
  );
}

/** UploadPart: one part's body, length-framed. */
export async function uploadPart(
  c: S3Client,
  u: UploadRef,
  part: PartUpload,
): BackendResult<StoredPartAnswer> {
  const { body: stream, contentLength, signal } = part;
  const body = await uploadBody({ stream, contentLength, signal }, c.uploadBuffer);
  if (!body.ok) return body;
  const query = `partNumber=${part.partNumber}&uploadId=${uriEncode(u.uploadId)}`;
  const path = c.pathOf(u.key);
  const { body: payload, dispose } = body.value;
  const headers = checksumHeaderRecord(part.checksums);
  const r = await c.call({ method: "PUT", path, query, headers, body: payload, signal })
    .finally(dispose);
  if (!r.ok) return r;
  if (!isSuccess(r.value.status)) return err(await errorFrom(r.value, "UploadPart"));
  await release(r.value);
  const checksums = metaFrom(u.key, r.value.headers).checksums;
  return ok({ etag: r.value.headers.get("etag") ?? '""', ...(checksums ? { checksums } : {}) });
}

/** CompleteMultipartUpload: the parts in ascending order, the conditions sent to the store. */
export async function completeUpload(
  c: S3Client,
  u: UploadRef,
  done: {
    readonly parts: readonly CompletedPart[];
    readonly conditions?: WriteConditions;
    readonly claimed?: ClaimedChecksum;
  },
): BackendResult<ObjectMeta> {
  const { parts, conditions } = done;
  // S3's rule, checked here because not every S3-compatible store enforces it.
  if (parts.some((p, i) => i > 0 && p.partNumber <= parts[i - 1]!.partNumber)) {
    return err(
      proxyError(
        "InvalidPartOrder",
        "The list of parts was not in ascending order. The parts list must be specified in order by part number.",
      ),
    );
  }
  const failed = conditionalKeyProblem(c, u.key, conditions);
  if (failed) return err(failed);
  const r = await c.call({
    method: "POST",
    path: c.pathOf(u.key),
    query: `uploadId=${uriEncode(u.uploadId)}`,
    headers: { ...writeConditionHeaders(conditions), ...claimedHeaders(done.claimed) },
    body: { kind: "bytes", bytes: new TextEncoder().encode(completeXml(parts)) },
  });
  if (!r.ok) return r;
  if (r.value.status !== 200) return err(await errorFrom(r.value, "CompleteMultipartUpload"));
  const doc = await xmlAnswer(r.value, "CompleteMultipartUpload");
  if (!doc.ok) return doc;
  const head = await headObject(c, u.key);
  const res = doc.value.CompleteMultipartUploadResult as Record<string, unknown> | undefined;
  const checksums = checksumsFromXml(res);
  const checksumType = checksumTypeOf(res?.ChecksumType);
  return head.ok && checksums
    ? ok({ ...head.value, checksums, ...(checksumType ? { checksumType } : {}) })
    : head;
}

/** The body of a CompleteMultipartUpload. */
function completeXml(parts: readonly CompletedPart[]): string {
  const listed = parts.map((p) =>
    `<Part><PartNumber>${p.partNumber}</PartNumber><ETag>"${p.etag.replace(/"/g, "")}"</ETag>${
      Object.entries(p.checksums ?? {}).map(([alg, v]) => `<Checksum${alg}>${v}</Checksum${alg}>`)
        .join("")
    }</Part>`
  );
  return `<CompleteMultipartUpload>${listed.join("")}</CompleteMultipartUpload>`;
}

/** AbortMultipartUpload. */
export async function abortUpload(c: S3Client, u: UploadRef): BackendResult<void> {
  const query = `uploadId=${uriEncode(u.uploadId)}`;
  const r = await c.call({ method: "DELETE", path: c.pathOf(u.key), query });
  if (!r.ok) return r;
  if (!isSuccess(r.value.status)) return err(await errorFrom(r.value, "AbortMultipartUpload"));
  await release(r.value);
  return ok(undefined);
}

/** ListParts: one page of an upload's parts. */
export async function listParts(
  c: S3Client,
  u: UploadRef,
  opts: ListPartsOptions,
): BackendResult<PartsPage> {
  const q = new URLSearchParams({ uploadId: u.uploadId, "max-parts": String(opts.maxParts) });
  if (opts.partNumberMarker) q.set("part-number-marker", String(opts.partNumberMarker));
  const r = await c.call({ method: "GET", path: c.pathOf(u.key), query: queryString(q) });
  if (!r.ok) return r;
  if (r.value.status !== 200) return err(await errorFrom(r.value, "ListParts"));
  const doc = await xmlAnswer(r.value, "ListParts");
  if (!doc.ok) return doc;
  return ok(partsPage(doc.value));
}

/** A page from a parsed ListParts answer. */
export function partsPage(doc: Record<string, unknown>): PartsPage {
  // moto names the root ListPartsResponse; S3 names it ListPartsResult.
  const res = (doc.ListPartsResult ?? doc.ListPartsResponse) as
    | Record<string, unknown>
    | undefined;
  const parts: PartInfo[] = records(res?.Part).map((p) => {
    const checksums = checksumsFromXml(p);
    return {
      partNumber: Number(p.PartNumber),
      etag: str(p.ETag),
      size: Number(p.Size),
      lastModified: new Date(str(p.LastModified)),
      ...(checksums ? { checksums } : {}),
    };
  });
  const isTruncated = str(res?.IsTruncated) === "true";
  const next = Number(str(res?.NextPartNumberMarker));
  const checksum = uploadChecksumFromXml(res);
  return {
    ...(checksum ? { checksum } : {}),
    parts,
    isTruncated,
    ...(isTruncated && next > 0 ? { nextPartNumberMarker: next } : {}),
  };
}

/** ListMultipartUploads: one page of the uploads in progress, asked for URL-encoded keys. */
export async function listUploads(
  c: S3Client,
  opts: ListUploadsOptions,
): BackendResult<UploadsPage> {
  const q = new URLSearchParams({
    uploads: "",
    prefix: opts.prefix,
    "max-uploads": String(opts.maxUploads),
    "encoding-type": "url",
  });
  if (opts.delimiter) q.set("delimiter", opts.delimiter);
  if (opts.keyMarker) q.set("key-marker", opts.keyMarker);
  if (opts.uploadIdMarker) q.set("upload-id-marker", opts.uploadIdMarker);
  const r = await c.call({ method: "GET", path: c.bucketRoot, query: queryString(q) });
  if (!r.ok) return r;
  if (r.value.status !== 200) return err(await errorFrom(r.value, "ListMultipartUploads"));
  const doc = await xmlAnswer(r.value, "ListMultipartUploads");
  if (!doc.ok) return doc;
  return ok(uploadsPage(doc.value));
}

/** A page from a parsed ListMultipartUploads answer. */
export function uploadsPage(doc: Record<string, unknown>): UploadsPage {
  const res = doc.ListMultipartUploadsResult as Record<string, unknown> | undefined;
  const encoded = urlEncoded(res);
  const uploads = records(res?.Upload).map((u) => ({
    key: decodeListed(u.Key, encoded),
    uploadId: str(u.UploadId),
    initiated: new Date(str(u.Initiated)),
  }));
  const isTruncated = str(res?.IsTruncated) === "true";
  return {
    uploads,
    commonPrefixes: prefixesOf(res),
    isTruncated,
    ...(isTruncated && res?.NextKeyMarker
      ? { nextKeyMarker: decodeListed(res.NextKeyMarker, encoded) }
      : {}),
    ...(isTruncated && res?.NextUploadIdMarker
      ? { nextUploadIdMarker: str(res.NextUploadIdMarker) }
      : {}),
  };
}
