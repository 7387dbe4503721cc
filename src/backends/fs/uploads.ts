/**
 * Multipart uploads in progress: each in `.bucketgate/uploads/<id>/`, with
 * its record (`upload.json`: key, metadata, initiation time), each part's
 * bytes in their own file, and each part's record (`<n>.json`) naming them.
 */
import type { ProxyError } from "../../errors.ts";
import { err, ok, type Result } from "../../result.ts";
import type {
  BackendResult,
  HttpMeta,
  ListPartsOptions,
  ListUploadsOptions,
  PartsPage,
  PartUpload,
  UploadChecksum,
  UploadInfo,
  UploadRef,
  UploadsPage,
} from "../backend.ts";
import { partAlgorithm, tapPart } from "../multipart_checksums.ts";
import { quoteEtag } from "../etag.ts";
import { compareKeys } from "../keys.ts";
import { pageUploads } from "../listing.ts";
import { isUploadId, newUploadId, noSuchUpload, pageParts, type StoredPart } from "../multipart.ts";
import type { FsContext } from "./context.ts";
import { syncOf } from "./durable.ts";
import { internalIoError, ioError, isNotFound } from "./errors.ts";
import { fsKeyProblem } from "./paths.ts";
import { readJson, writeJsonAtomic, writeJsonTemp } from "./records.ts";
import { spool } from "./spool.ts";

/** An upload's record. */
export interface UploadFile {
  readonly key: string;
  readonly meta: HttpMeta;
  /** ISO 8601. */
  readonly initiated: string;
  readonly checksum?: UploadChecksum;
}

/** A stored part's record (`<n>.json`): the last one renamed in is the part. */
interface PartFile extends Omit<StoredPart, "lastModified"> {
  readonly lastModified: string;
  /** The bytes' file in the upload's directory; absent in records that predate it: `<n>`. */
  readonly file?: string;
}

/** A stored part and the name of its bytes' file in the upload's directory. */
export type LoadedPart = StoredPart & { readonly file: string };

const recordOf = (ctx: FsContext, id: string) => `${ctx.layout.upload(id)}/upload.json`;

/**
 * The record of upload `ref.uploadId` of `ref.key`: undefined when there is
 * none (or it is torn, or of another key); an unreadable record is an error.
 */
export async function loadUpload(
  ctx: FsContext,
  ref: UploadRef,
): Promise<Result<UploadFile | undefined, ProxyError>> {
  if (!isUploadId(ref.uploadId) || fsKeyProblem(ref.key)) return ok(undefined);
  const u = await readJson<UploadFile>(recordOf(ctx, ref.uploadId));
  if (!u.ok) return u;
  return ok(u.value && u.value.key === ref.key ? u.value : undefined);
}

/** `loadUpload`, with no upload as NoSuchUpload. */
async function requireUpload(
  ctx: FsContext,
  ref: UploadRef,
): Promise<Result<UploadFile, ProxyError>> {
  const u = await loadUpload(ctx, ref);
  if (!u.ok) return u;
  return u.value ? ok(u.value) : err(noSuchUpload());
}

/** The parts of upload `id` by number (none when it is gone); an unreadable part record is an error. */
export async function loadParts(
  ctx: FsContext,
  id: string,
): Promise<Result<Map<number, LoadedPart>, ProxyError>> {
  const dir = ctx.layout.upload(id);
  const parts = new Map<number, LoadedPart>();
  try {
    for await (const e of Deno.readDir(dir)) {
      if (!/^\d+\.json$/.test(e.name)) continue;
      const p = await readJson<PartFile>(`${dir}/${e.name}`);
      if (!p.ok) return p;
      if (!p.value) continue;
      const file = p.value.file ?? String(p.value.partNumber);
      parts.set(p.value.partNumber, {
        ...p.value,
        file,
        lastModified: new Date(p.value.lastModified),
      });
    }
  } catch (e) {
    if (!isNotFound(e)) return err(internalIoError(e));
  }
  return ok(parts);
}

/**
 * CreateMultipartUpload: a new directory with the upload's record; returns
 * its id. The record, its directory and the uploads' directory are flushed
 * to disk first (unless `fsync: false`), so an upload answered survives a
 * power cut.
 */
export async function createUpload(
  ctx: FsContext,
  key: string,
  meta: HttpMeta,
  checksum?: UploadChecksum,
): BackendResult<string> {
  const bad = fsKeyProblem(key);
  if (bad) return err(bad);
  try {
    await ctx.ensureDirs();
  } catch (e) {
    return err(ioError(e));
  }
  const id = newUploadId();
  try {
    await Deno.mkdir(ctx.layout.upload(id));
    const initiated = new Date(ctx.clock.now()).toISOString();
    const u: UploadFile = { key, meta, initiated, ...(checksum ? { checksum } : {}) };
    const sync = syncOf(ctx);
    await writeJsonAtomic(ctx.layout, recordOf(ctx, id), u, { sync });
    if (sync) await sync(ctx.layout.uploads);
    return ok(id);
  } catch (e) {
    await Deno.remove(ctx.layout.upload(id), { recursive: true }).catch(() => {});
    return err(ioError(e));
  }
}

/**
 * UploadPart: the body is spooled, then moved into the upload's directory with
 * its record (both, and the directory, flushed to disk unless `fsync: false`).
 */
export async function uploadPart(
  ctx: FsContext,
  ref: UploadRef,
  o: PartUpload,
): BackendResult<{ etag: string }> {
  const u = await requireUpload(ctx, ref);
  const alg = u.ok ? partAlgorithm(u.value.checksum, o.checksums, o.trailing) : u;
  if (!alg.ok) {
    await o.body.cancel().catch(() => {});
    return alg;
  }
  const tapped = tapPart(o.body, alg.value, o.checksums);
  const spooled = await spool(ctx, tapped.body, { expected: o.contentLength, signal: o.signal });
  if (!spooled.ok) return spooled;
  const checksums = tapped.checksums();
  const dir = ctx.layout.upload(ref.uploadId);
  const n = o.partNumber;
  const etag = quoteEtag(spooled.value.md5);
  // Each upload of a part has its own file, named by its record: two
  // uploads of one part number at once never pair one's record with the
  // other's bytes, and the record renamed in last is the part (S3's rule).
  const file = `${n}.${crypto.randomUUID()}`;
  const { size, md5 } = spooled.value;
  const lastModified = new Date(ctx.clock.now()).toISOString();
  const part: PartFile = {
    partNumber: n,
    etag,
    size,
    md5,
    lastModified,
    file,
    ...(checksums ? { checksums } : {}),
  };
  let record: string | undefined;
  try {
    // The record is written before the part moves in, so a full disk
    // leaves an earlier upload of this part number as it was.
    const sync = syncOf(ctx);
    record = await writeJsonTemp(ctx.layout, part, { sync });
    if (sync) await sync(spooled.value.path);
    await Deno.rename(spooled.value.path, `${dir}/${file}`);
    await Deno.rename(record, `${dir}/${n}.json`);
    if (sync) await sync(dir);
    return ok({ etag, ...(checksums ? { checksums } : {}) });
  } catch (e) {
    await Deno.remove(spooled.value.path).catch(() => {});
    await Deno.remove(`${dir}/${file}`).catch(() => {});
    if (record) await Deno.remove(record).catch(() => {});
    return err(isNotFound(e) ? noSuchUpload() : ioError(e));
  }
}

/** AbortMultipartUpload: the upload's directory goes, within its turn (Complete takes it too). */
export async function abortUpload(ctx: FsContext, ref: UploadRef): BackendResult<void> {
  // An upload id or key no upload can have has nothing to wait for.
  if (!isUploadId(ref.uploadId) || fsKeyProblem(ref.key)) return err(noSuchUpload());
  return await ctx.locks.hold({ upload: ref.uploadId }, () => removeUpload(ctx, ref));
}

async function removeUpload(ctx: FsContext, ref: UploadRef): BackendResult<void> {
  const u = await requireUpload(ctx, ref);
  if (!u.ok) return u;
  try {
    await Deno.remove(ctx.layout.upload(ref.uploadId), { recursive: true });
    // An abort answered stays done: no upload comes back after a power cut.
    const sync = syncOf(ctx);
    if (sync) await sync(ctx.layout.uploads);
    return ok(undefined);
  } catch (e) {
    return err(isNotFound(e) ? noSuchUpload() : ioError(e));
  }
}

/** ListParts: one page of the upload's parts, by number. */
export async function listUploadParts(
  ctx: FsContext,
  ref: UploadRef,
  o: ListPartsOptions,
): BackendResult<PartsPage> {
  const u = await requireUpload(ctx, ref);
  if (!u.ok) return u;
  const parts = await loadParts(ctx, ref.uploadId);
  if (!parts.ok) return parts;
  const sorted = [...parts.value.values()].sort((a, b) => a.partNumber - b.partNumber);
  const page = pageParts(sorted, o);
  return ok(u.value.checksum ? { ...page, checksum: u.value.checksum } : page);
}

/** ListMultipartUploads: every upload's record read, sorted by key then id, one page. */
export async function listUploads(
  ctx: FsContext,
  o: ListUploadsOptions,
): BackendResult<UploadsPage> {
  const all: UploadInfo[] = [];
  try {
    for await (const e of Deno.readDir(ctx.layout.uploads)) {
      if (!isUploadId(e.name)) continue;
      const u = await readJson<UploadFile>(recordOf(ctx, e.name));
      if (!u.ok) return u;
      // Being created or removed meanwhile (or torn): not listed.
      if (u.value) {
        all.push({ key: u.value.key, uploadId: e.name, initiated: new Date(u.value.initiated) });
      }
    }
  } catch (e) {
    if (!isNotFound(e)) return err(internalIoError(e));
  }
  all.sort((a, b) => compareKeys(a.key, b.key) || (a.uploadId < b.uploadId ? -1 : 1));
  return ok(pageUploads(all, o));
}
