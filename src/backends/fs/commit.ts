/**
 * Putting a spooled file in place at a key, in two steps. `stage` (no turn
 * held) describes the file in a new sidecar temp file and, unless the bucket
 * says `fsync: false`, flushes both to disk. `publish` (within the key's
 * turn, conditional.ts) renames the bytes into the key's place (places.ts:
 * its plain path or the key tree), then the sidecar over its own, and flushes
 * the directories above the final path, so a 200 means the object survives a
 * power cut. A reader sees the old object or the new one, never a mix: a
 * sidecar is trusted only for the inode it names.
 */
import type { BackendResult, HttpMeta, ObjectMeta } from "../backend.ts";
import { err, ok } from "../../result.ts";
import type { ProxyError } from "../../errors.ts";
import type { Result } from "../../result.ts";
import type { FsContext } from "./context.ts";
import { parentOf, syncOf, syncParents } from "./durable.ts";
import { ioError } from "./errors.ts";
import { type BytesInfo, type MetaFile, metaFileOf, toMeta } from "./meta_file.ts";
import { placeObject } from "./places.ts";
import { writeJsonTemp } from "./records.ts";

/** What `commit` puts in place. */
export interface CommitOptions {
  readonly key: string;
  /** The spooled file (removed if the commit fails). */
  readonly tmp: string;
  readonly meta: HttpMeta;
  /** The object's quoted ETag. */
  readonly etag: string;
  readonly extra?: BytesInfo;
}

/** A file ready to be published: its sidecar written beside it, both on disk. */
export interface Staged {
  readonly key: string;
  readonly tmp: string;
  readonly sidecar: string;
  readonly m: MetaFile;
  readonly st: Deno.FileInfo;
}

/** Removes a staged file and its sidecar (a publish refused or failed). */
export async function discard(s: { readonly tmp: string; readonly sidecar?: string }) {
  await Deno.remove(s.tmp).catch(() => {});
  if (s.sidecar) await Deno.remove(s.sidecar).catch(() => {});
}

/** Writes the sidecar of `o.tmp` to a temp file, both flushed to disk unless `fsync: false`. */
export async function stage(ctx: FsContext, o: CommitOptions): Promise<Result<Staged, ProxyError>> {
  let sidecar: string | undefined;
  try {
    // Stat before the rename (which keeps inode and mtime): after it, the
    // path may already hold a concurrent writer's file, and the sidecar must
    // describe these bytes, so a mismatch is detected and recomputed.
    // (On this thread: the inode was just written, so the call is quick and
    // skips a trip to the I/O pool.)
    const st = Deno.statSync(o.tmp);
    const m = metaFileOf(o.key, st, o);
    // The sidecar is written before the object moves, so a disk that fills
    // up fails the upload while the old object is still in place.
    const sync = syncOf(ctx);
    sidecar = await writeJsonTemp(ctx.layout, m, { sync });
    if (sync) await sync(o.tmp);
    return ok({ key: o.key, tmp: o.tmp, sidecar, m, st });
  } catch (e) {
    await discard({ tmp: o.tmp, ...(sidecar ? { sidecar } : {}) });
    return err(ioError(e));
  }
}

/**
 * Renames a staged file into its key's place (places.ts), then its sidecar;
 * flushes the directories the two renames changed.
 */
export async function publish(ctx: FsContext, s: Staged): BackendResult<ObjectMeta> {
  const { layout, sidecars } = ctx;
  let moved = false;
  try {
    const path = await placeObject(ctx, s.key, s.tmp);
    moved = true;
    await Deno.rename(s.sidecar, layout.meta(s.key));
    sidecars.remember(s.m);
    const sync = syncOf(ctx);
    if (sync) {
      await syncParents(path, layout.base, sync);
      await sync(parentOf(layout.meta(s.key)));
    }
    return ok(toMeta(s.key, s.m, s.st));
  } catch (e) {
    await discard(s);
    // The bytes moved but their sidecar did not: drop the old one, so the
    // object's metadata is recomputed rather than taken from the old object.
    if (moved) {
      sidecars.forget(s.key);
      await Deno.remove(layout.meta(s.key)).catch(() => {});
    }
    return err(ioError(e));
  }
}

/** Stages a spooled file and publishes it at its key. */
export async function commit(ctx: FsContext, o: CommitOptions): BackendResult<ObjectMeta> {
  const staged = await stage(ctx, o);
  return staged.ok ? await publish(ctx, staged.value) : staged;
}
