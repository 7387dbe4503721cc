/**
 * Putting a spooled file in place at a key: its sidecar is written first,
 * then the bytes are renamed over the key's path, then the sidecar over its
 * own, so a reader sees the old object or the new one, never a mix.
 */
import type { BackendResult, HttpMeta, ObjectMeta } from "../backend.ts";
import { err, ok } from "../../result.ts";
import type { FsContext } from "./context.ts";
import { ioError } from "./errors.ts";
import { type BytesInfo, metaFileOf, toMeta } from "./meta_file.ts";
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

/** Renames a spooled file into place at `key` and records its metadata. */
export async function commit(ctx: FsContext, o: CommitOptions): BackendResult<ObjectMeta> {
  const { layout, sidecars } = ctx;
  let sidecar: string | undefined;
  let moved = false;
  try {
    // Stat before the rename (which keeps inode and mtime): after it, the
    // path may already hold a concurrent writer's file, and the sidecar must
    // describe these bytes, so a mismatch is detected and recomputed.
    const st = await Deno.stat(o.tmp);
    const m = metaFileOf(o.key, st, o);
    // The sidecar is written before the object moves, so a disk that fills
    // up fails the upload while the old object is still in place.
    sidecar = await writeJsonTemp(layout, m);
    await placeObject(ctx, o.key, o.tmp);
    moved = true;
    await Deno.rename(sidecar, layout.meta(o.key));
    sidecars.remember(m);
    return ok(toMeta(o.key, m, st));
  } catch (e) {
    await Deno.remove(o.tmp).catch(() => {});
    if (sidecar) await Deno.remove(sidecar).catch(() => {});
    // The bytes moved but their sidecar did not: drop the old one, so the
    // object's metadata is recomputed rather than taken from the old object.
    if (moved) {
      sidecars.forget(o.key);
      await Deno.remove(layout.meta(o.key)).catch(() => {});
    }
    return err(ioError(e));
  }
}
