/**
 * The two trees an fs bucket's keys live in, read a directory at a time in
 * key order (dir_entries.ts): the plain tree under the root, and the internal
 * key tree (key_tree.ts). Listings walk both; case checks look names up in them.
 */
import type { FsContext } from "./context.ts";
import type { EntryReader } from "./dir_entries.ts";
import { decodeTreeName, treeDir, treePath } from "./key_tree.ts";
import type { KeyTree } from "./key_walk.ts";
import { isInternalName } from "./paths.ts";

/** A plain directory's files and directories (a hand-made empty directory holds no key). */
const plainEntry: EntryReader = (e) => e.isDirectory ? `${e.name}/` : e.isFile ? e.name : undefined;

/** The root's entries: the plain ones but the internal directory. */
const rootEntry: EntryReader = (e) => isInternalName(e.name) ? undefined : plainEntry(e);

/** The key tree's entries, decoded. */
const treeEntry: EntryReader = (e) => {
  const d = decodeTreeName(e.name);
  if (!d || d.dir !== e.isDirectory || (!d.dir && !e.isFile)) return undefined;
  return d.dir ? `${d.seg}/` : d.seg;
};

/** A tree of keys that can also say where a key prefix is on disk. */
export interface PathTree extends KeyTree {
  /** The path of a key prefix: a directory's when it ends in `/`, else a file's. */
  pathOf(keyPrefix: string): string;
}

/** The keys at their plain paths. */
export function plainTree(ctx: FsContext): PathTree {
  const base = ctx.layout.base;
  return {
    entries: (rel) =>
      rel === ""
        ? ctx.dirs.sorted(base, rootEntry)
        : ctx.dirs.sorted(`${base}/${rel.slice(0, -1)}`, plainEntry),
    pathOf: (k) => `${base}/${k.endsWith("/") ? k.slice(0, -1) : k}`,
  };
}

/** The keys in the internal key tree. */
export function internalTree(ctx: FsContext): PathTree {
  const keys = ctx.layout.keys;
  const dirOf = (rel: string) => rel === "" ? keys : `${keys}/${treeDir(rel)}`;
  return {
    entries: (rel) => ctx.dirs.sorted(dirOf(rel), treeEntry),
    pathOf: (k) => k.endsWith("/") ? dirOf(k) : `${keys}/${treePath(k)}`,
  };
}
