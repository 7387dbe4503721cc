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
import { type MetaFile, toMeta } from "./meta_file.ts";
import { fsKeyProblem } from "./paths.ts";
import { findObject, type Found, plainObjectNow } from "./places.ts";
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
): Promise<Result<Plan, ProxyError>> {
  const m = await ctx.sidecars.of(key, o.st, o.path);
  return m.ok ? planOf(key, m.value, o.st, o) : m;
}

/** What a read serves of `key`'s file (stat `st`) as its sidecar `m` describes it. */
type Plan = { meta: ObjectMeta; range?: ByteRange };

function planOf(
  key: string,
  m: MetaFile,
  st: Deno.FileInfo,
  o: GetOptions,
): Result<Plan, ProxyError> {
  const meta = toMeta(key, m, st);
  const failed = o.conditions ? checkReadConditions(meta, o.conditions) : undefined;
  if (failed) return err(failed);
  // Resolved against the file as it is (a file replaced by hand may differ from its sidecar).
  const r = readRange({ size: st.size, partSizes: meta.partSizes }, o);
  if (!r.ok) return r;
  return ok(r.value ? { meta, range: r.value } : { meta });
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
export function getObject(
  ctx: FsContext,
  key: string,
  o: GetOptions = {},
): BackendResult<GetResult> {
  let hot: Result<GetResult, ProxyError> | undefined;
  try {
    hot = hotGet(ctx, key, o);
  } catch (e) {
    hot = err(ioError(e));
  }
  return hot ? Promise.resolve(hot) : getObjectAsync(ctx, key, o);
}

/**
 * A small object's GET answered without a turn of promises (issue 30) when
 * its file, sidecar and bytes are all at hand; undefined when one is not,
 * and the full way answers.
 */
function hotGet(
  ctx: FsContext,
  key: string,
  o: GetOptions,
): Result<GetResult, ProxyError> | undefined {
  if (fsKeyProblem(key)) return undefined;
  const f = plainObjectNow(ctx, key);
  if (!f || f.st.size > SMALL_READ) return undefined;
  const m = ctx.sidecars.cached(key, f.st);
  if (!m) return undefined;
  const plan = planOf(key, m, f.st, o);
  if (!plan.ok) return plan;
  const whole = ctx.small.bytes(key, f.path, f.st);
  return whole ? served(plan.value, whole) : undefined;
}

/** The GetResult of a small object's plan and its bytes. */
function served(
  { meta, range }: Plan,
  whole: Uint8Array<ArrayBuffer>,
): Result<GetResult, ProxyError> {
  const body = range ? whole.subarray(range.start, range.end + 1) : whole;
  return ok({ meta, ...(range ? { range } : {}), body });
}

async function getObjectAsync(
  ctx: FsContext,
  key: string,
  o: GetOptions,
): BackendResult<GetResult> {
  const f = await statFile(ctx, key);
  if (!f.ok) return f;
  const { st, path } = f.value;
  if (st.size > SMALL_READ) return await getStreamed(ctx, key, { ...o, path });
  try {
    const plan = await readPlan(ctx, key, { ...o, st, path });
    if (!plan.ok) return plan;
    const whole = ctx.small.bytes(key, path, st);
    // Replaced since the stat: serve it the careful way.
    if (!whole) return await getStreamed(ctx, key, { ...o, path });
    return served(plan.value, whole);
  } catch (e) {
    return err(ioError(e));
  }
}
