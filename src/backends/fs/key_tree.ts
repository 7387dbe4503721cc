/**
 * The internal key tree (`.bucketgate/keys/`): where a key lives that cannot
 * be a plain path (a folder marker `dir/`; `a` while `a/` is a directory;
 * `a/b` while `a` is a file). A key's segments become path segments, each
 * escaped and marked: a directory's with `+`, the last one (the file) with
 * `=`. So `a` and `a/b` never collide there (`a=` beside `a+/b=`), `dir/` is
 * `dir+/=`, and no segment is empty, `.` or `..`.
 */

/** Marks a segment that is a directory of the tree. */
const DIR_MARK = "+";
/** Marks a segment that is the last of a key (a file of the tree). */
const FILE_MARK = "=";
/** Longest name a filesystem takes, in bytes. */
const NAME_MAX = 255;

const encoder = new TextEncoder();

/** Characters escaped as `%XX`: the escape and the marks, and what Windows forbids in a name. */
const ESCAPED = new Set([...'%+=\\:*?"<>|\x7f']);

/** Whether `c` is escaped: one of ESCAPED, or a control character. */
const isEscaped = (c: string) => ESCAPED.has(c) || c < " ";

/** `seg` with every escaped character as `%XX`. */
function escapeSegment(seg: string): string {
  let out = "";
  for (const c of seg) {
    out += isEscaped(c) ? `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}` : c;
  }
  return out;
}

/** The tree path of `key`, relative to the tree's root. */
export function treePath(key: string): string {
  const segs = key.split("/");
  const last = segs.pop()!;
  return [...segs.map((s) => escapeSegment(s) + DIR_MARK), escapeSegment(last) + FILE_MARK]
    .join("/");
}

/** The tree directory of a key prefix that ends in `/` (`""` is the tree's root). */
export function treeDir(rel: string): string {
  return rel.split("/").slice(0, -1).map((s) => escapeSegment(s) + DIR_MARK).join("/");
}

/** Whether every name of `key`'s tree path fits a filesystem's limit. */
export function fitsTree(key: string): boolean {
  return treePath(key).split("/").every((n) => encoder.encode(n).length <= NAME_MAX);
}

/** A name of the tree as the key segment it stands for, and whether it is a directory; undefined for any other name. */
export function decodeTreeName(name: string): { seg: string; dir: boolean } | undefined {
  const mark = name.at(-1);
  if (mark !== DIR_MARK && mark !== FILE_MARK) return undefined;
  try {
    return { seg: decodeURIComponent(name.slice(0, -1)), dir: mark === DIR_MARK };
  } catch {
    return undefined;
  }
}
