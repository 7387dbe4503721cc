/** PutObject, CopyObject and DeleteObject on the fs backend. */
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
import { parentOf, syncPath } from "./durable.ts";
import { ioError, isDirectoryInTheWay, isMissing, isNotFound, noSuchKey } from "./errors.ts";
import { fsKeyProblem } from "./paths.ts";
import { headObject } from "./read.ts";
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
  const spooled = await spool(ctx, o.body, { expected: o.contentLength, signal: o.signal });
  if (!spooled.ok) return spooled;
  const checksums = o.checksums && Object.keys(o.checksums).length > 0
    ? { checksums: o.checksums, checksumType: "FULL_OBJECT" as const }
    : {};
  return await commitIf(ctx, o.conditions, {
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
  const source = await headObject(ctx, keys.src);
  if (!source.ok) return source;
  const failed = await refusal(ctx, keys.dst, o.conditions);
  if (failed) return err(failed);
  const tmp = ctx.layout.tmp();
  try {
    await ctx.ensureDirs();
    await Deno.copyFile(ctx.layout.data(keys.src), tmp);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    return err(isNotFound(e) ? noSuchKey() : ioError(e));
  }
  const { key: _k, size: _s, etag, lastModified: _l, checksums, checksumType, ...rest } =
    source.value;
  return await commitIf(ctx, o.conditions, {
    key: keys.dst,
    tmp,
    meta: o.meta ?? rest,
    etag,
    extra: { ...(checksums ? { checksums } : {}), ...(checksumType ? { checksumType } : {}) },
  });
}

/** Removes the directories above `key` that are left empty, deepest first. */
async function removeEmptyParents(ctx: FsContext, key: string): Promise<void> {
  const parts = key.split("/");
  for (let i = parts.length - 1; i > 0; i--) {
    try {
      await Deno.remove(`${ctx.layout.base}/${parts.slice(0, i).join("/")}`);
    } catch {
      return;
    }
  }
}

/**
 * DeleteObject: an absent key, or one that is a prefix of others (a
 * directory), is deleted already; with If-Match, only the object it names
 * goes, within the key's turn (conditional.ts).
 */
export async function deleteObject(
  ctx: FsContext,
  key: string,
  conditions?: DeleteConditions,
): BackendResult<void> {
  const refused = await refusal(ctx, key, conditions);
  if (refused) return err(refused);
  if (fsKeyProblem(key)) return ok(undefined);
  if (!conditions?.ifMatch) return await removeObject(ctx, key);
  return await whenHolds(ctx, key, conditions, () => removeObject(ctx, key));
}

/** Removes the object at `key`, its sidecar and the directories it leaves empty. */
async function removeObject(ctx: FsContext, key: string): BackendResult<void> {
  try {
    await Deno.remove(ctx.layout.data(key));
  } catch (e) {
    if (isDirectoryInTheWay(e)) return ok(undefined);
    if (!isMissing(e)) return err(ioError(e));
  }
  ctx.sidecars.forget(key);
  await Deno.remove(ctx.layout.meta(key)).catch(() => {});
  await removeEmptyParents(ctx, key);
  // A delete answered is a delete kept: the directory that lost the entry is flushed.
  if (ctx.fsync) await syncPath(parentOf(ctx.layout.data(key))).catch(() => {});
  return ok(undefined);
}
