/**
 * A case-folding filesystem over a real directory, as PathOps (no casefold
 * filesystem can be mounted where the tests run): each name of a path below
 * `root` reaches the entry stored under any spelling of it that differs only
 * in case, as on macOS's APFS or a casefold ext4 directory.
 */
import { DENO_PATH_OPS, type PathOps } from "../../../../src/backends/fs/path_ops.ts";

/** `path` with each name below `root` replaced by the stored entry it folds onto, if one exists. */
function resolve(root: string, path: string): string {
  if (!path.startsWith(`${root}/`)) return path;
  let at = root;
  for (const seg of path.slice(root.length + 1).split("/")) {
    let name = seg;
    try {
      for (const e of Deno.readDirSync(at)) {
        if (e.name.toLowerCase() === seg.toLowerCase()) name = e.name;
        if (e.name === seg) break;
      }
    } catch { /* not a directory (yet) */ }
    at = `${at}/${name}`;
  }
  return at;
}

/** PathOps that fold case below `root`. */
export function foldingOps(root: string): PathOps {
  const r = (p: string) => resolve(root, p);
  return {
    statSync: (p) => DENO_PATH_OPS.statSync(r(p)),
    stat: (p) => DENO_PATH_OPS.stat(r(p)),
    readDir: (p) => DENO_PATH_OPS.readDir(r(p)),
    mkdir: (p, o) => DENO_PATH_OPS.mkdir(r(p), o),
    rename: (from, to) => DENO_PATH_OPS.rename(r(from), r(to)),
    remove: (p) => DENO_PATH_OPS.remove(r(p)),
  };
}
