/**
 * Small objects read recently, as bytes: a hot small GET costs one stat. An
 * entry is used only while the file's inode, size and mtime match (writes
 * replace files by rename, so a new object is a new inode).
 */
import { readWhole } from "./file_stream.ts";

/** Objects up to this size are read at once, synchronously, and may be kept in memory. */
export const SMALL_READ = 64 * 1024;
/** Bytes of small objects kept in memory per fs bucket. */
const SMALL_CACHE_BYTES = 32 * 1024 * 1024;

/** The small objects of one bucket held in memory. */
export interface SmallFiles {
  /** The whole file at `path` (of `key`) whose stat is `st`; undefined if it changed since. */
  bytes(key: string, path: string, st: Deno.FileInfo): Uint8Array<ArrayBuffer> | undefined;
}

interface Entry {
  readonly ino: number | null;
  readonly size: number;
  readonly mtimeMs: number;
  readonly bytes: Uint8Array<ArrayBuffer>;
}

/** An empty set of small files, holding at most `limit` bytes (32 MiB by default). */
export function createSmallFiles(limit: number = SMALL_CACHE_BYTES): SmallFiles {
  const held = new Map<string, Entry>();
  let bytesHeld = 0;

  function keep(key: string, entry: Entry): void {
    const old = held.get(key);
    if (old) {
      held.delete(key);
      bytesHeld -= old.size;
    }
    held.set(key, entry);
    bytesHeld += entry.size;
    for (const [k, v] of held) {
      if (bytesHeld <= limit) break;
      held.delete(k);
      bytesHeld -= v.size;
    }
  }

  return {
    bytes(key, path, st) {
      const mtimeMs = st.mtime?.getTime() ?? 0;
      const ino = st.ino ?? null;
      const hit = held.get(key);
      if (hit && hit.ino === ino && hit.size === st.size && hit.mtimeMs === mtimeMs) {
        return hit.bytes;
      }
      using file = Deno.openSync(path);
      const now = file.statSync();
      if ((now.ino ?? null) !== ino || now.size !== st.size || now.mtime?.getTime() !== mtimeMs) {
        return undefined;
      }
      const bytes = readWhole(file, st.size);
      keep(key, { ino, size: st.size, mtimeMs, bytes });
      return bytes;
    },
  };
}
