/**
 * Where an object of the fs backend is: every key→path decision. A key lives
 * at its plain path (`root/<key>`) when it can: a file there is the key. It
 * lives in the internal key tree (key_tree.ts) when it cannot: a folder
 * marker always, and a key whose plain path is a directory (`a` beside
 * `a/b`) or runs through a file (`a/b` beside `a`) when it was written. A
 * read looks at the plain path first, so a plain hit costs one stat, as ever;
 * only a miss looks in the tree.
 */
import { proxyError, ProxyStreamError } from "../../errors.ts";
import type { FsContext } from "./context.ts";
import { errnoOf, isDirectoryInTheWay, isMissing } from "./errors.ts";
import { fitsTree } from "./key_tree.ts";
import { isPlainKey } from "./paths.ts";

/** An object found: its file's path and stat. */
export interface Found {
  readonly path: string;
  readonly st: Deno.FileInfo;
}

/** How often a placement is tried again when a directory it made went away meanwhile. */
const PLACE_TRIES = 4;

/** The stat of the file at `path`; undefined when nothing, or no file, is there. */
function fileAt(path: string): Deno.FileInfo | undefined {
  try {
    const st = Deno.statSync(path);
    return st.isFile ? st : undefined;
  } catch (e) {
    if (isMissing(e) || errnoOf(e) === "ENAMETOOLONG") return undefined;
    throw e;
  }
}

/**
 * The object of `key` (a key `fsKeyProblem` accepts): its plain path's file,
 * else its file in the key tree; undefined when it has none. Throws OS errors
 * other than absence.
 */
export function findObject(ctx: FsContext, key: string): Found | undefined {
  if (isPlainKey(key)) {
    const path = ctx.layout.data(key);
    const st = fileAt(path);
    if (st) return { path, st };
  }
  const path = ctx.layout.shadow(key);
  const st = fileAt(path);
  return st ? { path, st } : undefined;
}

/** The directory part of `path`. */
const parentOf = (path: string) => path.slice(0, path.lastIndexOf("/"));

/** Whether placing at a plain path failed because a file or directory of other keys is in the way. */
function isInTheWay(e: unknown): boolean {
  return isDirectoryInTheWay(e) || e instanceof Deno.errors.NotADirectory ||
    e instanceof Deno.errors.AlreadyExists;
}

/** Renames `tmp` to `path`, making its directories; again when one went away meanwhile. */
async function renameInto(tmp: string, path: string): Promise<void> {
  for (let i = 1;; i++) {
    await Deno.mkdir(parentOf(path), { recursive: true });
    try {
      return await Deno.rename(tmp, path);
    } catch (e) {
      // A delete of the directory's last key removed it between the two calls.
      if (!(e instanceof Deno.errors.NotFound) || i === PLACE_TRIES) throw e;
    }
  }
}

/**
 * Renames the spooled file `tmp` into the place of `key` and returns that
 * path: its plain path if a file can be there, else its place in the key tree.
 * A copy of the key left in the tree by an earlier write is then removed, so
 * a key is never in two places for long (a read prefers the plain one).
 * Throws OS errors (and KeyTooLong when the key's tree names are too long).
 */
export async function placeObject(ctx: FsContext, key: string, tmp: string): Promise<string> {
  const shadow = ctx.layout.shadow(key);
  if (isPlainKey(key)) {
    const path = ctx.layout.data(key);
    try {
      await renameInto(tmp, path);
      await removeFromTree(ctx, shadow);
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
  await renameInto(tmp, shadow);
  return shadow;
}

/** Removes the directories above `path` left empty, up to (not including) `top`. */
async function removeEmptyParents(path: string, top: string): Promise<void> {
  for (let dir = parentOf(path); dir.length > top.length; dir = parentOf(dir)) {
    try {
      await Deno.remove(dir);
    } catch {
      return;
    }
  }
}

/** Removes a file of the key tree (if there) and the tree's directories it leaves empty. */
async function removeFromTree(ctx: FsContext, path: string): Promise<boolean> {
  try {
    await Deno.remove(path);
  } catch (e) {
    if (isMissing(e) || errnoOf(e) === "ENAMETOOLONG") return false;
    throw e;
  }
  await removeEmptyParents(path, ctx.layout.keys);
  return true;
}

/**
 * Removes the object of `key` from both its places, and the directories it
 * leaves empty. A directory at its plain path (a prefix of other keys) is not
 * the object and stays. Throws OS errors other than absence.
 */
export async function removeObject(ctx: FsContext, key: string): Promise<void> {
  if (isPlainKey(key)) {
    const path = ctx.layout.data(key);
    let removed = true;
    try {
      await Deno.remove(path);
    } catch (e) {
      if (!isMissing(e) && !isDirectoryInTheWay(e)) throw e;
      removed = false;
    }
    if (removed) await removeEmptyParents(path, ctx.layout.base);
  }
  await removeFromTree(ctx, ctx.layout.shadow(key));
}
