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
import { SMALL_READ } from "./small_files.ts";

/** The stat of the file at `key`; NoSuchKey when there is none (or a directory is there). */
export async function statFile(
  ctx: FsContext,
  key: string,
): Promise<Result<Deno.FileInfo, ProxyError>> {
  try {
    const st = await Deno.stat(ctx.layout.data(key));
    return st.isFile ? ok(st) : err(noSuchKey());
  } catch (e) {
    return err(isMissing(e) ? noSuchKey() : ioError(e));
  }
}

/** Metadata of the file now at `key` (stat `st`), from its sidecar. */
export async function metaFor(
  ctx: FsContext,
  key: string,
  st: Deno.FileInfo,
): Promise<Result<ObjectMeta, ProxyError>> {
  const m = await ctx.sidecars.of(key, st);
  return m.ok ? ok(toMeta(key, m.value, st)) : m;
}

/** HeadObject. A key the fs backend cannot hold (but for one too long) does not exist. */
export async function headObject(ctx: FsContext, key: string): BackendResult<ObjectMeta> {
  const bad = fsKeyProblem(key);
  if (bad) return err(bad.kind === "InvalidArgument" ? noSuchKey() : bad);
  const st = await statFile(ctx, key);
  return st.ok ? await metaFor(ctx, key, st.value) : st;
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
  o: GetOptions & { readonly st: Deno.FileInfo },
): Promise<Result<{ meta: ObjectMeta; range?: ByteRange }, ProxyError>> {
  const meta = await metaFor(ctx, key, o.st);
  if (!meta.ok) return meta;
  const failed = o.conditions ? checkReadConditions(meta.value, o.conditions) : undefined;
  if (failed) return err(failed);
  // Resolved against the file as it is (a file replaced by hand may differ from its sidecar).
  const r = readRange({ size: o.st.size, partSizes: meta.value.partSizes }, o);
  if (!r.ok) return r;
  return ok(r.value ? { meta: meta.value, range: r.value } : { meta: meta.value });
}

/** GetObject of a large object (or one replaced mid-read): the open file, streamed. */
async function getStreamed(ctx: FsContext, key: string, o: GetOptions): BackendResult<GetResult> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(ctx.layout.data(key));
  } catch (e) {
    return err(isMissing(e) ? noSuchKey() : ioError(e));
  }
  try {
    const st = await file.stat();
    const plan = st.isFile ? await readPlan(ctx, key, { ...o, st }) : err(noSuchKey());
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
  const bad = fsKeyProblem(key);
  if (bad) return err(bad.kind === "InvalidArgument" ? noSuchKey() : bad);
  let st: Deno.FileInfo;
  try {
    st = Deno.statSync(ctx.layout.data(key));
  } catch (e) {
    return err(isMissing(e) ? noSuchKey() : ioError(e));
  }
  if (!st.isFile) return err(noSuchKey());
  if (st.size > SMALL_READ) return await getStreamed(ctx, key, o);
  try {
    const plan = await readPlan(ctx, key, { ...o, st });
    if (!plan.ok) return plan;
    const { meta, range } = plan.value;
    const whole = ctx.small.bytes(key, ctx.layout.data(key), st);
    // Replaced since the stat: serve it the careful way.
    if (!whole) return await getStreamed(ctx, key, o);
    const body = range ? whole.subarray(range.start, range.end + 1) : whole;
    return ok({ meta, ...(range ? { range } : {}), body });
  } catch (e) {
    return err(ioError(e));
  }
}
