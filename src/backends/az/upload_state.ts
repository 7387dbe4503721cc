/**
 * Multipart upload state, kept as small blobs under `.bucketgate/uploads/<id>/`:
 * the upload's record (`upload`, its key and metadata), one record per part
 * (`part-NNNNN`, its MD5, size and block) and, once completed, what the
 * completion answered (`completed`), for a Complete sent again.
 */
import type { ProxyError } from "../../errors.ts";
import { err, ok, type Result } from "../../result.ts";
import type { HttpMeta, UploadChecksum } from "../backend.ts";
import { checksumsOf } from "./metadata.ts";
import { type CompletionRecord, isUploadId, noSuchUpload, type StoredPart } from "../multipart.ts";
import { release } from "../http/send.ts";
import { putSmall } from "./blob_writes.ts";
import { blockId } from "./blocks.ts";
import type { AzContext } from "./context.ts";
import { errorFrom } from "./errors.ts";
import { listAll } from "./list_blobs.ts";
import { deleteBlob } from "./objects.ts";
import { completionPath, isAzInternal, uploadPath, UPLOADS } from "./names.ts";
import { readJson } from "./response.ts";

/** The upload marker's body: what CreateMultipartUpload was given. */
export interface UploadRecord {
  readonly key: string;
  readonly meta: HttpMeta;
  readonly checksum?: UploadChecksum;
}

/** A part as its record describes it, with the block that holds its bytes. */
export type StoredBlockPart = StoredPart & { readonly block: string };

/** Whether a parsed record is an upload record. */
function isUploadRecord(v: unknown): v is UploadRecord {
  return typeof v === "object" && v !== null && typeof (v as UploadRecord).key === "string";
}

/**
 * The upload's record, or NoSuchUpload (also for a record of another key, or
 * one that is not a record). A record that cannot be read is a BackendError.
 */
export async function uploadRecord(
  ctx: AzContext,
  req: { readonly key: string; readonly uploadId: string },
): Promise<Result<UploadRecord, ProxyError>> {
  if (!isUploadId(req.uploadId) || isAzInternal(req.key)) return err(noSuchUpload());
  const r = await ctx.client.call({
    method: "GET",
    path: ctx.client.pathOf(uploadPath(req.uploadId)),
  });
  if (!r.ok) return r;
  if (r.value.status === 404) {
    await release(r.value);
    return err(noSuchUpload());
  }
  if (r.value.status !== 200) return err(await errorFrom(r.value, "GetBlob"));
  const record = await readJson(r.value, "GetBlob upload record");
  if (!record.ok) return record;
  return isUploadRecord(record.value) && record.value.key === req.key
    ? ok(record.value)
    : err(noSuchUpload());
}

/** The parts an upload has stored, by part number. */
export async function storedParts(
  ctx: AzContext,
  uploadId: string,
): Promise<Result<Map<number, StoredBlockPart>, ProxyError>> {
  const all = await listAll(ctx, `${UPLOADS}${uploadId}/part-`);
  if (!all.ok) return all;
  const parts = new Map<number, StoredBlockPart>();
  for (const b of all.value) {
    const n = Number(b.key.slice(-5));
    const checksums = checksumsOf(b.internal);
    parts.set(n, {
      ...(checksums ? { checksums } : {}),
      block: b.internal.block ?? blockId(uploadId, n),
      partNumber: n,
      etag: `"${b.internal.md5}"`,
      md5: b.internal.md5 ?? "",
      size: Number(b.internal.size),
      lastModified: b.lastModified,
    });
  }
  return ok(parts);
}

/**
 * Keeps what a completed upload answered, for a Complete sent again (SDKs retry one
 * whose answer was lost). Best effort: the object is in place either way.
 */
export async function keepCompletion(
  ctx: AzContext,
  uploadId: string,
  record: CompletionRecord,
): Promise<void> {
  const bytes = new TextEncoder().encode(JSON.stringify(record));
  await putSmall(ctx, { path: completionPath(uploadId), bytes, metadata: {} });
}

/** What a completed upload answered, if it was kept and can be read. */
export async function completionOf(
  ctx: AzContext,
  uploadId: string,
): Promise<CompletionRecord | undefined> {
  const r = await ctx.client.call({
    method: "GET",
    path: ctx.client.pathOf(completionPath(uploadId)),
  });
  if (!r.ok) return undefined;
  if (r.value.status !== 200) {
    await release(r.value);
    return undefined;
  }
  const record = await readJson(r.value, "GetBlob completion record");
  return record.ok && typeof record.value === "object" && record.value !== null
    ? record.value as CompletionRecord
    : undefined;
}

/** Deletes every blob of an upload's state. */
export async function removeUpload(
  ctx: AzContext,
  uploadId: string,
): Promise<Result<void, ProxyError>> {
  const all = await listAll(ctx, `${UPLOADS}${uploadId}/`);
  if (!all.ok) return all;
  for (const b of all.value) {
    const r = await deleteBlob(ctx, b.key);
    if (!r.ok) return r;
  }
  return ok(undefined);
}
