/**
 * Durable commits: a file's bytes and a directory's entries flushed to disk
 * (`fsync(2)`) before a write is answered, unless the bucket says
 * `fsync: false`.
 */

/** A flush of one file or directory (`syncPath`, or a test's recorder). */
export type Sync = (path: string) => Promise<void>;

/** Flushes the file or directory at `path` to disk. */
export async function syncPath(path: string): Promise<void> {
  using f = await Deno.open(path, { read: true });
  await f.sync();
}

/** How a bucket flushes: its `sync` when it says `fsync: true`, else nothing (undefined). */
export function syncOf(o: { readonly fsync: boolean; readonly sync: Sync }): Sync | undefined {
  return o.fsync ? o.sync : undefined;
}

/** The directory `path` is in. */
export function parentOf(path: string): string {
  const at = path.lastIndexOf("/");
  return at > 0 ? path.slice(0, at) : "/";
}

/**
 * Flushes the directories whose entries a file placed at `path` may have
 * changed: the one it is in and each above it, up to and including `top`
 * (those made for it, and the one that got the first of them).
 */
export async function syncParents(path: string, top: string, sync: Sync = syncPath): Promise<void> {
  for (let d = parentOf(path); d.length >= top.length; d = parentOf(d)) {
    await sync(d);
    if (d === top || d === "/") return;
  }
}

/**
 * Flushes the directory that lost the entry of a file removed from `path`:
 * the nearest one above it still there (those left empty were removed too:
 * the nearest survivor lost the entry of the topmost removed one), not above
 * `top`.
 */
export async function syncRemoved(path: string, top: string, sync: Sync = syncPath): Promise<void> {
  for (let d = parentOf(path); d.length >= top.length; d = parentOf(d)) {
    try {
      return await sync(d);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound) || d === top || d === "/") return;
    }
  }
}
