/** PutObject, CopyObject and DeleteObject on the fs backend. */
import { err, ok } from "../../result.ts";
import type { BackendResult, CopyOptions, ObjectMeta, PutOptions } from "../backend.ts";
import { quoteEtag } from "../etag.ts";
import { commit } from "./commit.ts";
import type { FsContext } from "./context.ts";
import { ioError, isNotFound, noSuchKey } from "./errors.ts";
import { fsKeyProblem } from "./paths.ts";
import { removeObject } from "./places.ts";
import { sourceObject, writeConditionFailure } from "./read.ts";
import { spool } from "./spool.ts";

/** A write condition that fails against the object now at `key`, if one does. */
function conditionFailure(ctx: FsContext, key: string, o: PutOptions) {
  return writeConditionFailure(ctx, key, o.conditions);
}

/**
 * PutObject: the body is spooled to a temp file and renamed into place. The
 * conditions are checked before (so a refused body is not read) and again
 * after the body arrived (another writer may have been faster).
 */
export async function putObject(
  ctx: FsContext,
  key: string,
  o: PutOptions & { readonly body: ReadableStream<Uint8Array> },
): BackendResult<ObjectMeta> {
  const refused = fsKeyProblem(key) ?? await conditionFailure(ctx, key, o);
  if (refused) {
    await o.body.cancel().catch(() => {});
    return err(refused);
  }
  const spooled = await spool(ctx, o.body, { expected: o.contentLength, signal: o.signal });
  if (!spooled.ok) return spooled;
  const failed = await conditionFailure(ctx, key, o);
  if (failed) {
    await Deno.remove(spooled.value.path).catch(() => {});
    return err(failed);
  }
  const checksums = o.checksums && Object.keys(o.checksums).length > 0
    ? { checksums: o.checksums, checksumType: "FULL_OBJECT" as const }
    : {};
  return await commit(ctx, {
    key,
    tmp: spooled.value.path,
    meta: o.meta,
    etag: quoteEtag(spooled.value.md5),
    extra: checksums,
  });
}

/** CopyObject within the bucket: the source's file is copied to a temp file, then committed. */
export async function copyObject(
  ctx: FsContext,
  keys: { readonly src: string; readonly dst: string },
  o: CopyOptions,
): BackendResult<ObjectMeta> {
  const bad = fsKeyProblem(keys.dst);
  if (bad) return err(bad);
  // A source the fs backend cannot hold (the internal directory included) does not exist.
  const source = await sourceObject(ctx, keys.src);
  if (!source.ok) return source;
  const failed = await writeConditionFailure(ctx, keys.dst, o.conditions);
  if (failed) return err(failed);
  const tmp = ctx.layout.tmp();
  try {
    await ctx.ensureDirs();
    await Deno.copyFile(source.value.path, tmp);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    return err(isNotFound(e) ? noSuchKey() : ioError(e));
  }
  const { key: _k, size: _s, etag, lastModified: _l, checksums, checksumType, ...rest } =
    source.value.meta;
  return await commit(ctx, {
    key: keys.dst,
    tmp,
    meta: o.meta ?? rest,
    etag,
    extra: { ...(checksums ? { checksums } : {}), ...(checksumType ? { checksumType } : {}) },
  });
}

/** DeleteObject: an absent key, or one that is a prefix of others (a directory), is deleted already. */
export async function deleteObject(ctx: FsContext, key: string): BackendResult<void> {
  if (fsKeyProblem(key)) return ok(undefined);
  try {
    await removeObject(ctx, key);
  } catch (e) {
    return err(ioError(e));
  }
  ctx.sidecars.forget(key);
  await Deno.remove(ctx.layout.meta(key)).catch(() => {});
  return ok(undefined);
}
