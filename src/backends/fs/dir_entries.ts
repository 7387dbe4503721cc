/**
 * A directory's entries in S3 key order, kept in memory while the directory
 * is unchanged: a warm listing costs a stat of each directory it enters and a
 * binary search, not a read of the directory. An entry is kept as its part
 * of a key: its name for a file, its name and `/` for a directory (so
 * `a-b` < `a/…` < `a0`), one string each. A directory read while its mtime is
 * within RACY_MS of now is not kept: a change in the same clock tick would
 * leave the mtime as it was (git's "racy" rule).
 */
import { compareKeys } from "../keys.ts";
import { isMissing } from "./errors.ts";
import type { PathOps } from "./path_ops.ts";

/**
 * One entry of a directory as the part of a key it stands for: a file's key
 * segment, or a directory's and `/` (so an entry is a directory when it ends in `/`).
 */
export type KeyEntry = string;

/** Whether an entry is a directory. */
export const isDirEntry = (e: KeyEntry): boolean => e.endsWith("/");

/** How a directory entry stands for a key part; undefined leaves it out. */
export type EntryReader = (e: Deno.DirEntry) => KeyEntry | undefined;

/** The sorted entries of directories, cached. */
export interface DirEntries {
  /** The entries of the directory at `path`, sorted (none when it is missing). */
  sorted(path: string, read: EntryReader): Promise<readonly KeyEntry[]>;
}

/** A directory changed within this many ms of its read is read again next time. */
const RACY_MS = 2000;
/** Entries kept in memory, over all directories of one bucket. */
const CACHE_ENTRIES = 250_000;

interface Held {
  readonly mtimeMs: number;
  readonly ino: number | null;
  readonly entries: readonly KeyEntry[];
}

/** The index of the first of sorted `entries` at or after `part` (binary search). */
export function lowerBound(entries: readonly KeyEntry[], part: string): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(entries[mid]!, part) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Whether sorted `entries` hold `part`. */
export const hasEntry = (entries: readonly KeyEntry[], part: string): boolean =>
  entries[lowerBound(entries, part)] === part;

/** The entries of `path`, sorted; none when it is missing (or not a directory). */
async function readSorted(ops: PathOps, path: string, read: EntryReader): Promise<KeyEntry[]> {
  const out: KeyEntry[] = [];
  try {
    for await (const e of ops.readDir(path)) {
      const k = read(e);
      if (k !== undefined) out.push(k);
    }
  } catch (e) {
    if (isMissing(e)) return [];
    throw e;
  }
  return out.sort(compareKeys);
}

/** An empty cache of sorted directories read through `ops`, holding at most `limit` entries. */
export function createDirEntries(ops: PathOps, limit: number = CACHE_ENTRIES): DirEntries {
  const held = new Map<string, Held>();
  const reading = new Map<string, Promise<KeyEntry[]>>();
  let count = 0;

  const keep = (path: string, h: Held) => {
    if (h.entries.length > limit) return;
    const old = held.get(path);
    if (old) count -= old.entries.length;
    held.delete(path);
    held.set(path, h);
    count += h.entries.length;
    for (const [p, v] of held) {
      if (count <= limit) break;
      held.delete(p);
      count -= v.entries.length;
    }
  };

  return {
    async sorted(path, read) {
      let st: Deno.FileInfo;
      try {
        st = await ops.stat(path);
      } catch (e) {
        if (isMissing(e)) return [];
        throw e;
      }
      if (!st.isDirectory) return [];
      const mtimeMs = st.mtime?.getTime() ?? 0;
      const ino = st.ino ?? null;
      const hit = held.get(path);
      if (hit && hit.mtimeMs === mtimeMs && hit.ino === ino) return hit.entries;
      // One read of a directory as it is now, shared by the listings that wait for it.
      const now = `${mtimeMs} ${ino} ${path}`;
      let p = reading.get(now);
      if (!p) {
        p = readSorted(ops, path, read).finally(() => reading.delete(now));
        reading.set(now, p);
      }
      const entries = await p;
      if (Date.now() - mtimeMs > RACY_MS) keep(path, { mtimeMs, ino, entries });
      return entries;
    },
  };
}
