/**
 * Durable commits: a file's bytes and a directory's entries flushed to disk
 * (`fsync(2)`) before a write is answered, unless the bucket says
 * `fsync: false`.
 */

/** Flushes the file or directory at `path` to disk. */
export async function syncPath(path: string): Promise<void> {
  using f = await Deno.open(path, { read: true });
  await f.sync();
}

/** The directory `path` is in. */
export function parentOf(path: string): string {
  const at = path.lastIndexOf("/");
  return at > 0 ? path.slice(0, at) : "/";
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}

/**
 * Creates directory `dir` and any missing above it. Returns the directories
 * whose entries it changed, each to be synced with the entry that goes into
 * `dir`: `dir` itself, the directories it created, and the one above the
 * first of them.
 */
export async function makeDirs(dir: string): Promise<string[]> {
  const made: string[] = [];
  for (let d = dir; !(await isDirectory(d)); d = parentOf(d)) {
    made.unshift(d);
    if (d === "/") break;
  }
  if (made.length === 0) return [dir];
  await Deno.mkdir(dir, { recursive: true });
  return [parentOf(made[0]!), ...made];
}
