/**
 * S3 multipart uploads on blocks: each part is a block of the target blob
 * (staged, not yet visible), its record an internal blob; Complete commits
 * the parts' blocks as the blob in one Put Block List.
 */
import { Buffer } from "node:buffer";
import { type ProxyError, proxyError, toProxyError } from "../../errors.ts";
import { err, ok, type Result } from "../../result.ts";
import type {
  BackendResult,
  HttpMeta,
  ListPartsOptions,
  ListUploadsOptions,
  ObjectMeta,
  PartInfo,
  PartsPage,
  PartUpload,
  StoredPartAnswer,
  UploadChecksum,
  UploadInfo,
  UploadRef,
  UploadsPage,
} from "../backend.ts";
import { multipartEtag } from "../etag.ts";
import { compareKeys } from "../keys.ts";
import { pageUploads } from "../listing.ts";
import {
  type Completion,
  completionRecord,
  isUploadId,
  newUploadId,
  pageParts,
  replayCompletion,
  validateCompletion,
} from "../multipart.ts";
import {
  completedChecksum,
  type ObjectChecksum,
  partAlgorithm,
  tapPart,
} from "../multipart_checksums.ts";
import { collect } from "../../streams/limits.ts";
import { watchedStream } from "../../streams/idle.ts";
import type { HttpBody } from "../http/send.ts";
import { commitBlocks, putBlock, putSmall } from "./blob_writes.ts";
import { partBlockId } from "./blocks.ts";
import type { AzContext } from "./context.ts";
import { md5Tap } from "./md5_tap.ts";
import { blobHeaders, type StoredExtras } from "./metadata.ts";
import { partChecksumsPath, partPath, uploadPath, UPLOADS } from "./names.ts";
import { head, reserved, writeGuard } from "./objects.ts";
import { MAX_BUFFERED_PART, PART_CHECKSUMS_INLINE } from "./sizes.ts";
import { listAll } from "./list_blobs.ts";
import {
  completionOf,
  keepCompletion,
  removeUpload,
  storedParts,
  type UploadRecord,
  uploadRecord,
} from "./upload_state.ts";

/** Starts an upload: its record holds the key and the metadata the object will get. */
export async function createMultipartUpload(
  ctx: AzContext,
  key: string,
  meta: HttpMeta,
  checksum?: UploadChecksum,
): BackendResult<string> {
  const refused = reserved(key);
  if (refused) return err(refused);
  const uploadId = newUploadId();
  const record: UploadRecord = { key, meta, ...(checksum ? { checksum } : {}) };
  const r = await putSmall(ctx, {
    path: uploadPath(uploadId),
    bytes: new TextEncoder().encode(JSON.stringify(record)),
    metadata: {
      key: Buffer.from(key).toString("base64url"),
      initiated: String(ctx.clock.now()),
    },
  });
  return r.ok ? ok(uploadId) : r;
}

/** A part's body as Azure takes it: streamed with its length, or gathered when it has none. */
async function partBody(
  stream: ReadableStream<Uint8Array>,
  contentLength: number | undefined,
): Promise<Result<HttpBody, ProxyError>> {
  if (contentLength !== undefined) return ok({ kind: "stream", stream, length: contentLength });
  try {
    const bytes = await collect(stream, MAX_BUFFERED_PART);
    if (bytes) return ok({ kind: "bytes", bytes });
    return err(proxyError(
      "MissingContentLength",
      `Parts of unknown length are limited to ${MAX_BUFFERED_PART} bytes on this backend; send Content-Length`,
    ));
  } catch (e) {
    return err(toProxyError(e, "IncompleteBody"));
  }
}

/** Stores one part as a block of the target blob, then its record; returns its ETag. */
export async function uploadPart(
  ctx: AzContext,
  ref: UploadRef,
  p: PartUpload,
): BackendResult<StoredPartAnswer> {
  const u = await uploadRecord(ctx, ref);
  const alg = u.ok ? partAlgorithm(u.value.checksum, p.checksums, p.trailing) : u;
  if (!alg.ok) {
    await p.body.cancel().catch(() => {});
    return alg;
  }
  const summed = tapPart(p.body, alg.value, p.checksums);
  // As in putInBlocks: a part of unknown length is gathered here, so watched here.
  const tapped = md5Tap(
    p.contentLength !== undefined ? summed.body : watchedStream(summed.body, p.signal),
  );
  const body = await partBody(tapped.stream, p.contentLength);
  if (!body.ok) return body;
  const size = body.value.kind === "bytes" ? body.value.bytes.byteLength : body.value.length;
  // Each upload of a part has its own block, named by its record: two uploads of one part
  // at once never pair one's record with the other's block; the record written last wins.
  const block = partBlockId(ref.uploadId, p.partNumber);
  const r = await putBlock(ctx, { key: ref.key, id: block, body: body.value, signal: p.signal });
  if (!r.ok) return r;
  const md5 = tapped.hash.digest("hex");
  const checksums = summed.checksums();
  const sums: Record<string, string> = {};
  for (const [a, v] of Object.entries(checksums ?? {})) sums[`checksum_${a.toLowerCase()}`] = v;
  const rec = await putSmall(ctx, {
    path: partPath(ref.uploadId, p.partNumber),
    bytes: new Uint8Array(),
    metadata: { md5, size: String(size), block, ...sums },
  });
  return rec.ok ? ok({ etag: `"${md5}"`, ...(checksums ? { checksums } : {}) }) : rec;
}

/**
 * What the object's metadata keeps of its checksum: the part checksums inline
 * when they fit, else in a record of their own, named in the metadata.
 */
async function checksumExtras(
  ctx: AzContext,
  uploadId: string,
  sum: ObjectChecksum,
): Promise<Result<StoredExtras, ProxyError>> {
  const { partChecksums, ...rest } = sum;
  const inline = ctx.sizes.partChecksumsInline ?? PART_CHECKSUMS_INLINE;
  if (!partChecksums || partChecksums.join(",").length <= inline) return ok(sum);
  const bytes = new TextEncoder().encode(JSON.stringify(partChecksums));
  const r = await putSmall(ctx, { path: partChecksumsPath(uploadId), bytes, metadata: {} });
  return r.ok ? ok({ ...rest, partChecksumsRef: uploadId }) : r;
}

/** Commits the parts' blocks as the object; a Complete sent again gets the same answer. */
export async function completeMultipartUpload(
  ctx: AzContext,
  ref: UploadRef,
  c: Completion,
): BackendResult<ObjectMeta> {
  const u = await uploadRecord(ctx, ref);
  if (!u.ok) {
    return u.error.kind === "NoSuchUpload" && isUploadId(ref.uploadId)
      ? replayCompletion(await completionOf(ctx, ref.uploadId), ref.key, c.parts)
      : u;
  }
  const stored = await storedParts(ctx, ref.uploadId);
  if (!stored.ok) return stored;
  const valid = validateCompletion(c.parts, stored.value);
  if (!valid.ok) return valid;
  const guard = await writeGuard(ctx, ref.key, c.conditions);
  if (!guard.ok) return guard;
  const sum = completedChecksum(u.value.checksum, c.parts, valid.value, c.claimed);
  if (!sum.ok) return sum;
  const extras = await checksumExtras(ctx, ref.uploadId, sum.value);
  if (!extras.ok) return extras;
  const etag = multipartEtag(valid.value.map((p) => p.md5)).replace(/"/g, "");
  const r = await commitBlocks(ctx, {
    key: ref.key,
    ids: valid.value.map((p) => stored.value.get(p.partNumber)!.block),
    headers: {
      ...blobHeaders(u.value.meta, {
        etag,
        partSizes: valid.value.map((p) => p.size),
        ...extras.value,
      }),
      ...guard.value,
    },
  });
  if (!r.ok) return r;
  const removed = await removeUpload(ctx, ref.uploadId);
  if (!removed.ok) return removed;
  const done = await head(ctx, ref.key);
  if (done.ok) await keepCompletion(ctx, ref.uploadId, completionRecord(c.parts, done.value));
  return done;
}

/** Drops an upload's state; NoSuchUpload when unknown. */
export async function abortMultipartUpload(ctx: AzContext, u: UploadRef): BackendResult<void> {
  const r = await uploadRecord(ctx, u);
  if (!r.ok) return r;
  // Uncommitted blocks cannot be deleted; Azure drops them after a week.
  return await removeUpload(ctx, u.uploadId);
}

/** The parts of an upload after `partNumberMarker`. */
export async function listParts(
  ctx: AzContext,
  u: UploadRef,
  opts: ListPartsOptions,
): BackendResult<PartsPage> {
  const r = await uploadRecord(ctx, u);
  if (!r.ok) return r;
  const stored = await storedParts(ctx, u.uploadId);
  if (!stored.ok) return stored;
  const sorted: PartInfo[] = [...stored.value.values()].sort((a, b) => a.partNumber - b.partNumber);
  const page = pageParts(sorted, opts);
  return ok(r.value.checksum ? { ...page, checksum: r.value.checksum } : page);
}

/** Uploads in progress, by key, then initiation, then upload id. */
export async function listMultipartUploads(
  ctx: AzContext,
  opts: ListUploadsOptions,
): BackendResult<UploadsPage> {
  const all = await listAll(ctx, UPLOADS);
  if (!all.ok) return all;
  const uploads: UploadInfo[] = all.value
    .filter((b) => b.key.endsWith("/upload") && b.internal.key !== undefined)
    .map((b) => ({
      key: Buffer.from(b.internal.key!, "base64url").toString("utf8"),
      uploadId: b.key.slice(UPLOADS.length, -"/upload".length),
      initiated: new Date(Number(b.internal.initiated)),
    }))
    .sort((a, b) =>
      compareKeys(a.key, b.key) || a.initiated.getTime() - b.initiated.getTime() ||
      (a.uploadId < b.uploadId ? -1 : 1)
    );
  return ok(pageUploads(uploads, opts));
}
