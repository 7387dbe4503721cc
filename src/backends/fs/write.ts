/** PutObject, CopyObject and DeleteObject on the fs backend. */
import { tapPut } from "../multipart_checksums.ts";
import { err, ok } from "../../result.ts";
import type {
  BackendResult,
  CopyOptions,
  DeleteConditions,
  ObjectMeta,
  PutOptions,
} from "../backend.ts";
import { quoteEtag } from "../etag.ts";
import { commitIf, refusal, whenHolds } from "./conditional.ts";
import type { FsContext } from "./context.ts";
import { syncOf, syncRemoved } from "./durable.ts";
import { ioError, isNotFound, noSuchKey } from "./errors.ts";
import { fsKeyProblem } from "./paths.ts";
import { removeObject } from "./places.ts";
import { sourceObject } from "./read.ts";
import { spool } from "./spool.ts";

/**
 * PutObject: the body is spooled to a temp file and renamed into place. The
 * conditions are checked before (so a refused body is not read) and again,
 * within the key's turn, when the body is in (conditional.ts).
 */
export async function putObject(
  ctx: FsContext,
  key: string,
  o: PutOptions & { readonly body: ReadableStream<Uint8Array> },
): BackendResult<ObjectMeta> {
  const refused = fsKeyProblem(key) ?? await refusal(ctx, key, o.conditions);
  if (refused) {
    await o.body.cancel().catch(() => {});
    return err(refused);
  }
  const tapped = tapPut(o.body, o);
  const spooled = await spool(ctx, tapped.body, { expected: o.contentLength, signal: o.signal });
  if (!spooled.ok) return spooled;
  return await commitIf(ctx, o.conditions, {
    key,
    tmp: spooled.value.path,
    meta: o.meta,
    etag: quoteEtag(spooled.value.md5),
    extra: tapped.stored(),
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
  const failed = await refusal(ctx, keys.dst, o.conditions);
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
  return await commitIf(ctx, o.conditions, {
    key: keys.dst,
    tmp,
    meta: o.meta ?? rest,
    etag,
    extra: { ...(checksums ? { checksums } : {}), ...(checksumType ? { checksumType } : {}) },
  });
}

/**
 * DeleteObject: an absent key, or one that is a prefix of others (a
 * directory), is deleted already. It is removed within the key's turn, so no
 * write lands between its file and its sidecar going; with If-Match, only
 * the object it names goes (conditional.ts).
 */
export async function deleteObject(
  ctx: FsContext,
  key: string,
  conditions?: DeleteConditions,
): BackendResult<void> {
  const refused = await refusal(ctx, key, conditions);
  if (refused) return err(refused);
  if (fsKeyProblem(key)) return ok(undefined);
  return await whenHolds(ctx, key, conditions, () => removeNow(ctx, key));
}

/** Removes the object of `key` from its places (places.ts), its sidecar, and flushes that. */
async function removeNow(ctx: FsContext, key: string): BackendResult<void> {
  let removed: string[];
  try {
    removed = await removeObject(ctx, key);
  } catch (e) {
    return err(ioError(e));
  }
  ctx.sidecars.forget(key);
  await Deno.remove(ctx.layout.meta(key)).catch(() => {});
  // A delete answered is a delete kept: the directories that lost the entries are flushed.
  const sync = syncOf(ctx);
  if (sync) { for (const path of removed) await syncRemoved(path, ctx.layout.base, sync); }
  return ok(undefined);
}
