/**
 * Where an object of the fs backend is: every key→path decision. A key lives
 * at its plain path (`root/<key>`) when it can: a file there is the key. It
 * lives in the internal key tree (key_tree.ts) when it cannot: a folder
 * marker always, and a key whose plain path is a directory (`a` beside
 * `a/b`) or runs through a file (`a/b` beside `a`) when it was written. A
 * read looks at the plain path first, so a plain hit costs one stat, as ever;
 * only a miss looks in the tree.
 *
 * On a root that folds case (path_ops.ts), a key reaches only a name stored
 * exactly as it is spelled: a read of another spelling finds nothing, and a
 * write that would land on another spelling is refused. Each name is looked
 * up in its directory's sorted entries (dir_entries.ts); a root that does
 * not fold pays nothing for it.
 */
import { proxyError, ProxyStreamError } from "../../errors.ts";
import type { FsContext } from "./context.ts";
import { errnoOf, isDirectoryInTheWay, isMissing } from "./errors.ts";
import { hasEntry, isDirEntry } from "./dir_entries.ts";
import { fitsTree } from "./key_tree.ts";
import { type FsLayout, isPlainKey } from "./paths.ts";
import { internalTree, type PathTree, plainTree } from "./trees.ts";

/** An object found: its file's path and stat. */
export interface Found {
  readonly path: string;
  readonly st: Deno.FileInfo;
}

/** A key's parts as its tree's directories hold them: `a/`, `b/`, then the last segment. */
function partsOf(key: string): string[] {
  const segs = key.split("/");
  return segs.map((s, i) => (i < segs.length - 1 ? `${s}/` : s));
}

/** Whether every name on `key`'s path in `tree` is stored exactly as the key spells it. */
async function storedExactly(tree: PathTree, key: string): Promise<boolean> {
  let rel = "";
  for (const part of partsOf(key)) {
    if (!hasEntry(await tree.entries(rel), part)) return false;
    rel += part;
  }
  return true;
}

/**
 * The first part of `key`'s path in `tree` that the filesystem finds only
 * under another spelling (it folds case), if one is: where a write would land
 * on a name stored differently.
 */
async function otherSpelling(
  ctx: FsContext,
  tree: PathTree,
  key: string,
): Promise<string | undefined> {
  let rel = "";
  for (const part of partsOf(key)) {
    const entries = await tree.entries(rel);
    if (hasEntry(entries, part)) {
      rel += part;
      continue;
    }
    // A file where a directory goes (or the reverse), spelled alike, is no case conflict.
    const other = isDirEntry(part) ? part.slice(0, -1) : `${part}/`;
    if (hasEntry(entries, other)) return undefined;
    try {
      await ctx.ops.stat(tree.pathOf(rel + part));
      return rel + part;
    } catch {
      return undefined; // not there in any spelling: the rest is made new
    }
  }
  return undefined;
}

/** Refuses a write that would land on another spelling of `key` in `tree`, on a root that folds case. */
async function refuseOtherSpelling(ctx: FsContext, tree: PathTree, key: string): Promise<void> {
  if (!(await ctx.folds())) return;
  const at = await otherSpelling(ctx, tree, key);
  if (at === undefined) return;
  throw new ProxyStreamError(proxyError(
    "InvalidArgument",
    `The key '${key}' would land on a stored name that differs from '${at}' only in case, ` +
      "and this bucket's filesystem does not tell case apart",
  ));
}

/** How often a placement is tried: once, then again after each mkdir (a directory it made may go away meanwhile). */
const PLACE_TRIES = 5;

/** The stat of the file at `path`; undefined when nothing, or no file, is there. */
function fileAt(ctx: FsContext, path: string): Deno.FileInfo | undefined {
  try {
    const st = ctx.ops.statSync(path);
    return st.isFile ? st : undefined;
  } catch (e) {
    if (isMissing(e) || errnoOf(e) === "ENAMETOOLONG") return undefined;
    throw e;
  }
}

/** The file of `key` in one of its places, if there (and stored exactly so, where the root folds case). */
async function fileIn(
  ctx: FsContext,
  key: string,
  o: { readonly path: string; readonly tree: () => PathTree },
): Promise<Found | undefined> {
  const st = fileAt(ctx, o.path);
  if (!st) return undefined;
  if (await ctx.folds() && !(await storedExactly(o.tree(), key))) return undefined;
  return { path: o.path, st };
}

/**
 * The object of `key` (a key `fsKeyProblem` accepts): its plain path's file,
 * else its file in the key tree; undefined when it has none. Throws OS errors
 * other than absence.
 */
export async function findObject(ctx: FsContext, key: string): Promise<Found | undefined> {
  const plain = isPlainKey(key)
    ? await fileIn(ctx, key, { path: ctx.layout.data(key), tree: () => plainTree(ctx) })
    : undefined;
  return plain ??
    await fileIn(ctx, key, { path: ctx.layout.shadow(key), tree: () => internalTree(ctx) });
}

/**
 * `findObject` synchronously, where it can be: the file at a plain key's plain
 * path on a root known not to fold case. Undefined when not so placed or not
 * known (then `findObject` decides); throws as `findObject` does.
 */
export function plainObjectNow(ctx: FsContext, key: string): Found | undefined {
  if (ctx.foldsNow() !== false || !isPlainKey(key)) return undefined;
  const path = ctx.layout.data(key);
  const st = fileAt(ctx, path);
  return st ? { path, st } : undefined;
}

/** The directory part of `path`. */
const parentOf = (path: string) => path.slice(0, path.lastIndexOf("/"));

/** Whether placing at a plain path failed because a file or directory of other keys is in the way. */
function isInTheWay(e: unknown): boolean {
  return isDirectoryInTheWay(e) || e instanceof Deno.errors.NotADirectory ||
    e instanceof Deno.errors.AlreadyExists;
}

/**
 * Renames `tmp` to `path`, making its directories when they are missing
 * (tried first: a write into a directory that is there, the common case,
 * costs no mkdir); again when one went away meanwhile.
 */
async function renameInto(ctx: FsContext, tmp: string, path: string): Promise<void> {
  for (let i = 1;; i++) {
    try {
      return await ctx.ops.rename(tmp, path);
    } catch (e) {
      // No directory yet, or a delete of its last key removed it since the mkdir.
      if (!(e instanceof Deno.errors.NotFound) || i === PLACE_TRIES) throw e;
    }
    await ctx.ops.mkdir(parentOf(path), { recursive: true });
  }
}

/**
 * Renames the spooled file `tmp` into the place of `key` and returns that
 * path: its plain path if a file can be there, else its place in the key tree.
 * A copy of the key left in the tree by an earlier write is then removed, so
 * a key is never in two places for long (a read prefers the plain one).
 * Throws OS errors (and KeyTooLong when the key's tree names are too long,
 * InvalidArgument when it would land on another spelling of a stored name).
 */
export async function placeObject(ctx: FsContext, key: string, tmp: string): Promise<string> {
  const shadow = ctx.layout.shadow(key);
  if (isPlainKey(key)) {
    const path = ctx.layout.data(key);
    await refuseOtherSpelling(ctx, plainTree(ctx), key);
    try {
      await renameInto(ctx, tmp, path);
      // (Where the root folds case, only a copy spelled exactly so is this key's.)
      if (await keyTreeEmpty(ctx)) return path;
      if (!(await ctx.folds()) || await storedExactly(internalTree(ctx), key)) {
        await removeFromTree(ctx, shadow);
      }
      return path;
    } catch (e) {
      if (!isInTheWay(e)) throw e;
    }
  }
  if (!fitsTree(key)) {
    throw new ProxyStreamError(proxyError(
      "KeyTooLong",
      "A path segment of the key, escaped, is longer than 255 bytes, which the fs backend cannot store here",
    ));
  }
  await refuseOtherSpelling(ctx, internalTree(ctx), key);
  await renameInto(ctx, tmp, shadow);
  return shadow;
}

/** A directory changed within this many ms of being seen empty is looked at again. */
const RACY_MS = 2000;

/** The key tree's top directory as last seen (mtime, inode, whether empty), per bucket. */
const treeSeen = new WeakMap<FsLayout, { mtimeMs: number; ino: number | null; empty: boolean }>();

/**
 * Whether the key tree holds nothing, so no key has a copy there (and a
 * plain write need not look for one): a stat of its top directory, and a read
 * only when that changed since last seen. An empty tree gains a file only by
 * gaining an entry at its top, which changes the top's mtime. Seen empty
 * within RACY_MS of its mtime is not kept (a change in that clock tick would
 * not show). A tree seen holding something is looked in as before.
 */
async function keyTreeEmpty(ctx: FsContext): Promise<boolean> {
  let st: Deno.FileInfo;
  try {
    st = ctx.ops.statSync(ctx.layout.keys);
  } catch {
    return false;
  }
  const mtimeMs = st.mtime?.getTime();
  if (mtimeMs === undefined) return false;
  const seen = treeSeen.get(ctx.layout);
  if (seen && seen.mtimeMs === mtimeMs && seen.ino === st.ino) return seen.empty;
  let empty = true;
  try {
    for await (const _ of ctx.ops.readDir(ctx.layout.keys)) {
      empty = false;
      break;
    }
  } catch {
    return false;
  }
  if (!empty || Date.now() - mtimeMs >= RACY_MS) {
    treeSeen.set(ctx.layout, { mtimeMs, ino: st.ino, empty });
  }
  return empty;
}

/** Removes the directories above `path` left empty, up to (not including) `top`. */
async function removeEmptyParents(ctx: FsContext, path: string, top: string): Promise<void> {
  for (let dir = parentOf(path); dir.length > top.length; dir = parentOf(dir)) {
    try {
      await ctx.ops.remove(dir);
    } catch {
      return;
    }
  }
}

/** Removes a file of the key tree (if there) and the tree's directories it leaves empty. */
async function removeFromTree(ctx: FsContext, path: string): Promise<boolean> {
  try {
    await ctx.ops.remove(path);
  } catch (e) {
    if (isMissing(e) || errnoOf(e) === "ENAMETOOLONG") return false;
    throw e;
  }
  await removeEmptyParents(ctx, path, ctx.layout.keys);
  return true;
}

/**
 * Removes the object of `key` from both its places, and the directories it
 * leaves empty; returns the paths of the files it removed. A directory at its
 * plain path (a prefix of other keys) is not the object and stays; where the
 * root folds case, neither does a name spelled otherwise. Throws OS errors
 * other than absence.
 */
export async function removeObject(ctx: FsContext, key: string): Promise<string[]> {
  const removed: string[] = [];
  const folds = await ctx.folds();
  if (isPlainKey(key) && (!folds || await storedExactly(plainTree(ctx), key))) {
    const path = ctx.layout.data(key);
    try {
      await ctx.ops.remove(path);
      removed.push(path);
    } catch (e) {
      if (!isMissing(e) && !isDirectoryInTheWay(e)) throw e;
    }
    if (removed.length) await removeEmptyParents(ctx, path, ctx.layout.base);
  }
  if (!folds || await storedExactly(internalTree(ctx), key)) {
    const shadow = ctx.layout.shadow(key);
    if (await removeFromTree(ctx, shadow)) removed.push(shadow);
  }
  return removed;
}
