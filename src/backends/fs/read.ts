/** HeadObject and GetObject on the fs backend. */
import type { ProxyError } from "../../errors.ts";
import { err, ok, type Result } from "../../result.ts";
import type {
  BackendResult,
  ByteRange,
  GetOptions,
  GetResult,
  ObjectMeta,
  WriteConditions,
} from "../backend.ts";
import { checkReadConditions, checkWriteConditions } from "../conditions.ts";
import { readRange } from "../range.ts";
import type { FsContext } from "./context.ts";
import { ioError, isMissing, noSuchKey } from "./errors.ts";
import { fileStream } from "./file_stream.ts";
import { toMeta } from "./meta_file.ts";
import { fsKeyProblem } from "./paths.ts";
import { findObject, type Found } from "./places.ts";
import { SMALL_READ } from "./small_files.ts";

/**
 * The file of `key` (places.ts) with its stat; NoSuchKey when there is none,
 * and for a key the fs backend cannot hold (but for one too long).
 */
export async function statFile(
  ctx: FsContext,
  key: string,
): Promise<Result<Found, ProxyError>> {
  const bad = fsKeyProblem(key);
  if (bad) return err(bad.kind === "InvalidArgument" ? noSuchKey() : bad);
  try {
    const found = await findObject(ctx, key);
    return found ? ok(found) : err(noSuchKey());
  } catch (e) {
    return err(ioError(e));
  }
}

/** Metadata of the file `f` now at `key`, from its sidecar. */
export async function metaFor(
  ctx: FsContext,
  key: string,
  f: Found,
): Promise<Result<ObjectMeta, ProxyError>> {
  const m = await ctx.sidecars.of(key, f.st, f.path);
  return m.ok ? ok(toMeta(key, m.value, f.st)) : m;
}

/** The metadata of `key`'s object and the path of its file. */
export async function sourceObject(
  ctx: FsContext,
  key: string,
): Promise<Result<{ meta: ObjectMeta; path: string }, ProxyError>> {
  const f = await statFile(ctx, key);
  if (!f.ok) return f;
  const meta = await metaFor(ctx, key, f.value);
  return meta.ok ? ok({ meta: meta.value, path: f.value.path }) : meta;
}

/** HeadObject. A key the fs backend cannot hold (but for one too long) does not exist. */
export async function headObject(ctx: FsContext, key: string): BackendResult<ObjectMeta> {
  const f = await statFile(ctx, key);
  return f.ok ? await metaFor(ctx, key, f.value) : f;
}

/**
 * The write condition that fails against the object now at `key`, if one does;
 * an object that cannot be read (an I/O error, not its absence) fails the write
 * with that error rather than being taken for absent.
 */
export async function writeConditionFailure(
  ctx: FsContext,
  key: string,
  conditions: WriteConditions | undefined,
): Promise<ProxyError | undefined> {
  if (!conditions || (!conditions.ifMatch && !conditions.ifNoneMatch)) return undefined;
  const h = await headObject(ctx, key);
  if (!h.ok && h.error.kind !== "NoSuchKey") return h.error;
  return checkWriteConditions(h.ok ? h.value : undefined, conditions);
}

/** What a read of the file whose stat is `st` serves: its metadata and range, once conditions hold. */
async function readPlan(
  ctx: FsContext,
  key: string,
  o: GetOptions & { readonly st: Deno.FileInfo; readonly path: string },
): Promise<Result<{ meta: ObjectMeta; range?: ByteRange }, ProxyError>> {
  const meta = await metaFor(ctx, key, o);
  if (!meta.ok) return meta;
  const failed = o.conditions ? checkReadConditions(meta.value, o.conditions) : undefined;
  if (failed) return err(failed);
  // Resolved against the file as it is (a file replaced by hand may differ from its sidecar).
  const r = readRange({ size: o.st.size, partSizes: meta.value.partSizes }, o);
  if (!r.ok) return r;
  return ok(r.value ? { meta: meta.value, range: r.value } : { meta: meta.value });
}

/** GetObject of a large object (or one replaced mid-read): the open file, streamed. */
async function getStreamed(
  ctx: FsContext,
  key: string,
  o: GetOptions & { readonly path: string },
): BackendResult<GetResult> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(o.path);
  } catch (e) {
    return err(isMissing(e) ? noSuchKey() : ioError(e));
  }
  try {
    const st = await file.stat();
    const plan = st.isFile
      ? await readPlan(ctx, key, { ...o, st, path: o.path })
      : err(noSuchKey());
    if (!plan.ok) {
      file.close();
      return plan;
    }
    const { meta, range } = plan.value;
    if (range) await file.seek(range.start, Deno.SeekMode.Start);
    const length = range ? range.end - range.start + 1 : st.size;
    return ok({ meta, ...(range ? { range } : {}), body: fileStream(file, length, o.signal) });
  } catch (e) {
    try {
      file.close();
    } catch { /* closed */ }
    return err(ioError(e));
  }
}

/** GetObject: a small object from memory (or read whole), a large one streamed. */
export async function getObject(
  ctx: FsContext,
  key: string,
  o: GetOptions = {},
): BackendResult<GetResult> {
  const f = await statFile(ctx, key);
  if (!f.ok) return f;
  const { st, path } = f.value;
  if (st.size > SMALL_READ) return await getStreamed(ctx, key, { ...o, path });
  try {
    const plan = await readPlan(ctx, key, { ...o, st, path });
    if (!plan.ok) return plan;
    const { meta, range } = plan.value;
    const whole = ctx.small.bytes(key, path, st);
    // Replaced since the stat: serve it the careful way.
    if (!whole) return await getStreamed(ctx, key, { ...o, path });
    const body = range ? whole.subarray(range.start, range.end + 1) : whole;
    return ok({ meta, ...(range ? { range } : {}), body });
  } catch (e) {
    return err(ioError(e));
  }
}
