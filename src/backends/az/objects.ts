/**
 * Objects as blobs: head, get (ranges, parts and conditions resolved against
 * the blob, pinned to its version), put (one Put Blob or blocks) and delete.
 * S3 write conditions are checked here and sent on as Azure conditions that
 * hold only while the blob stays the version checked.
 */
import type { ProxyError } from "../../errors.ts";
import { err, ok, type Result } from "../../result.ts";
import type {
  BackendResult,
  DeleteConditions,
  GetOptions,
  GetResult,
  ObjectMeta,
  PutOptions,
  RangeSpec,
  WriteConditions,
} from "../backend.ts";
import { tapPut } from "../multipart_checksums.ts";
import { checkReadConditions, checkWriteConditions } from "../conditions.ts";
import { hasDotSegment, reservedKeyWrite, unstorableKeyRead } from "../keys.ts";
import { isEmptyRange, readRange, resolveRange } from "../range.ts";
import { type HttpResponse, objectBody, release } from "../http/send.ts";
import { putInBlocks, putWhole, type Written } from "./blob_writes.ts";
import type { AzContext } from "./context.ts";
import { errorFrom } from "./errors.ts";
import { blobHeaders, metadataOf, metaFromHeaders, s3Etag } from "./metadata.ts";
import { INTERNAL_PREFIX, isAzInternal, partChecksumsPath } from "./names.ts";
import { readJson } from "./response.ts";

/** Get Blob Properties: the blob's response headers, or NoSuchKey / the mapped error. */
export async function properties(
  ctx: AzContext,
  path: string,
): Promise<Result<Headers, ProxyError>> {
  const r = await ctx.client.expect("GetBlobProperties", [200], { method: "HEAD", path });
  if (!r.ok) return r;
  await release(r.value);
  return ok(r.value.headers);
}

/** A key that cannot name a client's blob: the internal namespace, or dot segments. */
export function unreadable(ctx: AzContext, key: string): boolean {
  return isAzInternal(key) || hasDotSegment(ctx.client.pathOf(key));
}

/** The error of a write to the internal namespace, if `key` is in it. */
export function reserved(key: string): ProxyError | undefined {
  return isAzInternal(key) ? reservedKeyWrite("az", INTERNAL_PREFIX) : undefined;
}

/** Metadata of an object, or NoSuchKey. */
export async function head(ctx: AzContext, key: string): BackendResult<ObjectMeta> {
  if (unreadable(ctx, key)) return err(unstorableKeyRead());
  const r = await properties(ctx, ctx.client.pathOf(key));
  if (!r.ok) return r;
  const meta = metaFromHeaders(key, r.value);
  const ref = metadataOf(r.value).internal.partsums_ref;
  return ok(ref ? { ...meta, ...await partChecksumsRecord(ctx, ref) } : meta);
}

/** The part checksums kept in a record of their own (too many for metadata); none if unreadable. */
async function partChecksumsRecord(
  ctx: AzContext,
  uploadId: string,
): Promise<{ partChecksums?: string[] }> {
  const path = ctx.client.pathOf(partChecksumsPath(uploadId));
  const r = await ctx.client.call({ method: "GET", path });
  if (!r.ok) return {};
  if (r.value.status !== 200) {
    await release(r.value);
    return {};
  }
  const record = await readJson(r.value, "GetBlob part checksums");
  const sums = record.ok ? record.value : undefined;
  return Array.isArray(sums) && sums.every((s) => typeof s === "string")
    ? { partChecksums: sums }
    : {};
}

/**
 * S3 write conditions, checked against the current object, as Azure
 * conditions that hold only while it stays that version.
 */
export async function writeGuard(
  ctx: AzContext,
  key: string,
  c: WriteConditions | undefined,
): Promise<Result<Record<string, string>, ProxyError>> {
  if (!c || (!c.ifMatch && !c.ifNoneMatch)) return ok({});
  const current = await properties(ctx, ctx.client.pathOf(key));
  if (!current.ok && current.error.kind !== "NoSuchKey") return current;
  const meta = current.ok ? metaFromHeaders(key, current.value) : undefined;
  const failed = checkWriteConditions(meta, c);
  if (failed) return err(failed);
  const etag = current.ok ? current.value.get("etag") : null;
  return ok(etag ? { "if-match": etag } : { "if-none-match": "*" });
}

const EMPTY = new Uint8Array(0);

/** A byte range Azure can serve, and the Azure condition that pins the version it was resolved on. */
interface PinnedRange {
  readonly range: (RangeSpec & { readonly kind: "from" }) | undefined;
  readonly headers: Record<string, string>;
  /** An empty part of the blob: the answer, with no Get Blob to send. */
  readonly emptyPart?: GetResult;
}

/**
 * Azure has no suffix ranges and no parts: they are resolved against the
 * blob's size, with read conditions checked on the way, pinned to that version.
 */
async function pinRange(
  ctx: AzContext,
  key: string,
  opts: GetOptions,
): Promise<Result<PinnedRange, ProxyError>> {
  const range = opts.range;
  if (range?.kind !== "suffix" && !opts.partNumber) return ok({ range, headers: {} });
  const r = await properties(ctx, ctx.client.pathOf(key));
  if (!r.ok) return r;
  const meta = metaFromHeaders(key, r.value);
  const failed = opts.conditions ? checkReadConditions(meta, opts.conditions) : undefined;
  if (failed) return err(failed);
  const resolved = readRange(meta, opts);
  if (!resolved.ok) return resolved;
  const bytes = resolved.value;
  if (bytes && isEmptyRange(bytes)) {
    return ok({ range: undefined, headers: {}, emptyPart: { meta, range: bytes, body: EMPTY } });
  }
  const etag = r.value.get("etag");
  return ok({
    range: bytes && { kind: "from", start: bytes.start, end: bytes.end },
    headers: etag ? { "if-match": etag } : {},
  });
}

/** What a Get Blob answer fails of the request: its conditions, or a range past the end. */
function readFailure(
  meta: ObjectMeta,
  range: PinnedRange["range"],
  opts: GetOptions,
): ProxyError | undefined {
  // Not every Azure answers 416 for a range starting at the end: S3 does.
  const unsatisfiable = range ? resolveRange(range, meta.size) : undefined;
  return (opts.conditions ? checkReadConditions(meta, opts.conditions) : undefined) ??
    (unsatisfiable && !unsatisfiable.ok ? unsatisfiable.error : undefined);
}

/** The range a Get Blob answer served: its Content-Range, or all of it for a range Azure ignored. */
function servedRange(res: HttpResponse, range: PinnedRange["range"], size: number) {
  const cr = /bytes (\d+)-(\d+)\//.exec(res.headers.get("content-range") ?? "");
  if (res.status === 206 && cr) return { start: Number(cr[1]), end: Number(cr[2]) };
  return range ? { start: 0, end: Math.max(0, size - 1) } : undefined;
}

/** Reads an object: conditions and ranges as S3 evaluates them. */
export async function get(
  ctx: AzContext,
  key: string,
  opts: GetOptions = {},
): BackendResult<GetResult> {
  if (unreadable(ctx, key)) return err(unstorableKeyRead());
  const pinned = await pinRange(ctx, key, opts);
  if (!pinned.ok) return pinned;
  if (pinned.value.emptyPart) return ok(pinned.value.emptyPart);
  const { range } = pinned.value;
  const h = { ...pinned.value.headers };
  if (range) h["x-ms-range"] = `bytes=${range.start}-${range.end ?? ""}`;
  const r = await ctx.client.call({
    method: "GET",
    path: ctx.client.pathOf(key),
    headers: h,
    ...(opts.signal ? { signal: opts.signal } : {}),
    streamBody: true,
  });
  if (!r.ok) return r;
  const res = r.value;
  if (res.status !== 200 && res.status !== 206) return err(await errorFrom(res, "GetBlob"));
  const meta = metaFromHeaders(key, res.headers);
  const failed = readFailure(meta, range, opts);
  if (failed) {
    await release(res);
    return err(failed);
  }
  const served = servedRange(res, range, meta.size);
  return ok({
    meta,
    ...(served ? { range: served } : {}),
    body: objectBody(res),
  });
}

/** A write of an object. */
export interface PutRequest extends PutOptions {
  readonly key: string;
  readonly body: ReadableStream<Uint8Array>;
}

/** Writes an object atomically: one Put Blob up to `maxSinglePut`, blocks beyond or unknown. */
export async function put(ctx: AzContext, req: PutRequest): BackendResult<ObjectMeta> {
  const { key, body: stream } = req;
  const refused = reserved(key);
  const guard = refused ? err(refused) : await writeGuard(ctx, key, req.conditions);
  if (!guard.ok) {
    await stream.cancel().catch(() => {});
    return guard;
  }
  const tapped = tapPut(stream, req);
  // A checksum computed over the body is known only at its end: blocks commit then.
  const late = tapped.body !== stream;
  const headers = {
    ...blobHeaders(req.meta, { ...(req.checksums ? { checksums: req.checksums } : {}) }),
    ...guard.value,
  };
  const length = req.contentLength;
  const write = { key, stream: tapped.body, length, headers, signal: req.signal };
  const lateHeaders = () => blobHeaders(req.meta, tapped.stored());
  const r: Result<Written, ProxyError> =
    !late && length !== undefined && length <= ctx.sizes.maxSinglePut
      ? await putWhole(ctx, { ...write, length })
      : await putInBlocks(ctx, { ...write, ...(late ? { lateHeaders } : {}) });
  if (!r.ok) return r;
  const written = r.value;
  return ok({
    ...req.meta,
    key,
    size: written.size,
    etag: s3Etag(undefined, written.md5, written.headers.get("etag") ?? ""),
    lastModified: new Date(written.headers.get("last-modified") ?? ctx.clock.now()),
    ...tapped.stored(),
  });
}

/**
 * Delete Blob (with its snapshots); a missing blob is deleted already, unless
 * `guard` (Azure conditions) was given: then it is NoSuchKey.
 */
export async function deleteBlob(
  ctx: AzContext,
  key: string,
  guard: Record<string, string> = {},
): Promise<Result<void, ProxyError>> {
  const r = await ctx.client.call({
    method: "DELETE",
    path: ctx.client.pathOf(key),
    headers: { "x-ms-delete-snapshots": "include", ...guard },
  });
  if (!r.ok) return r;
  const guarded = Object.keys(guard).length > 0;
  if (r.value.status === 202 || (r.value.status === 404 && !guarded)) {
    await release(r.value);
    return ok(undefined);
  }
  return err(await errorFrom(r.value, "DeleteBlob"));
}

/**
 * Deletes an object; a key no client can have stored deletes nothing, as a
 * missing one. With If-Match, the S3 condition is checked against the blob
 * and sent on as Azure's If-Match on its version (writeGuard).
 */
export async function deleteObject(
  ctx: AzContext,
  key: string,
  conditions?: DeleteConditions,
): BackendResult<void> {
  const conditional = conditions?.ifMatch !== undefined;
  if (unreadable(ctx, key)) return conditional ? err(unstorableKeyRead()) : ok(undefined);
  const guard = await writeGuard(ctx, key, conditions);
  return guard.ok ? await deleteBlob(ctx, key, guard.value) : guard;
}
