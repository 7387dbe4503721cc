/**
 * The filesystem calls behind every key→path decision (places.ts, the
 * directory cache): Deno's, or a test's layer over them (a case-folding one:
 * no casefold filesystem can be mounted where the tests run). And whether the
 * bucket's root folds case (macOS's APFS, Windows, casefold ext4), probed
 * once through them.
 */

/** The calls places.ts and dir_entries.ts make on paths of keys. */
export interface PathOps {
  statSync(path: string): Deno.FileInfo;
  stat(path: string): Promise<Deno.FileInfo>;
  readDir(path: string): AsyncIterable<Deno.DirEntry>;
  mkdir(path: string, options: Deno.MkdirOptions): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  remove(path: string): Promise<void>;
}

/** Deno's own calls (looked up at each call, so a test's patch of `Deno.*` applies). */
export const DENO_PATH_OPS: PathOps = {
  statSync: (path) => Deno.statSync(path),
  stat: (path) => Deno.stat(path),
  readDir: (path) => Deno.readDir(path),
  mkdir: (path, options) => Deno.mkdir(path, options),
  rename: (from, to) => Deno.rename(from, to),
  remove: (path) => Deno.remove(path),
};

/**
 * Whether names in the directory `dir` fold case: a file made there with an
 * upper-case letter is found by its lower-case spelling. A directory where
 * the probe cannot be made (read-only) is taken to fold, the safe answer.
 */
export async function probeFolding(ops: PathOps, dir: string): Promise<boolean> {
  const path = `${dir}/case-probe-${crypto.randomUUID()}-Q`;
  try {
    await Deno.writeFile(path, new Uint8Array(), { createNew: true });
  } catch {
    return true;
  }
  try {
    await ops.stat(path.slice(0, -1) + "q");
    return true;
  } catch {
    return false;
  } finally {
    await Deno.remove(path).catch(() => {});
  }
}
