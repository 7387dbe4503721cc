/**
 * Keys of a directory tree in S3 order (UTF-8 byte order across directory
 * boundaries), from a lower bound: each directory's entries come sorted by
 * their part of a key (dir_entries.ts), a binary search finds where the bound
 * falls, and the walk enters only the directories that can hold keys of the
 * prefix after the bound. The consumer stops it after its page.
 */
import { compareKeys } from "../keys.ts";
import { isDirEntry, type KeyEntry, lowerBound } from "./dir_entries.ts";

/** A tree of keys, read a directory at a time. */
export interface KeyTree {
  /** The sorted entries of the directory whose keys start with `rel` (`""`, or ending in `/`). */
  entries(rel: string): Promise<readonly KeyEntry[]>;
}

/** Which keys a walk yields. */
export interface WalkBounds {
  /** Only keys that start with it. */
  readonly prefix: string;
  /** Only keys after it. */
  readonly after?: string | undefined;
  /** Asked before each entry: the keys that start with the answer are left out (a page's common prefix). */
  skip(): string | undefined;
}

/** The first entry of `entries` (of the directory `rel`) that can hold a key at or after `target`. */
function firstIndex(entries: readonly KeyEntry[], rel: string, target: string): number {
  if (!target.startsWith(rel)) return 0;
  const t = target.slice(rel.length);
  const lo = lowerBound(entries, t);
  const before = entries[lo - 1];
  return before !== undefined && isDirEntry(before) && t.startsWith(before) ? lo - 1 : lo;
}

/** The keys under directory `rel` within `b`, in order. */
async function* walkDir(tree: KeyTree, rel: string, b: WalkBounds): AsyncGenerator<string> {
  const entries = await tree.entries(rel);
  const target = b.after !== undefined && compareKeys(b.after, b.prefix) > 0 ? b.after : b.prefix;
  for (let i = firstIndex(entries, rel, target); i < entries.length; i++) {
    const part = entries[i]!;
    const dir = isDirEntry(part);
    const full = rel + part;
    if (!full.startsWith(b.prefix) && !(dir && b.prefix.startsWith(full))) {
      // Sorted: once past the prefix, nothing after it starts with it.
      if (compareKeys(full, b.prefix) > 0) return;
      continue;
    }
    const skip = b.skip();
    if (skip !== undefined && full.startsWith(skip)) continue;
    if (dir) yield* walkDir(tree, full, b);
    else if (b.after === undefined || compareKeys(full, b.after) > 0) yield full;
  }
}

/** The keys of `tree` within `b`, in S3 order. */
export function walkKeys(tree: KeyTree, b: WalkBounds): AsyncGenerator<string> {
  return walkDir(tree, "", b);
}

/** Two ordered streams of keys as one, a key in both once. */
export async function* mergeKeys(
  a: AsyncIterator<string>,
  b: AsyncIterator<string>,
): AsyncGenerator<string> {
  let x = await a.next();
  let y = await b.next();
  while (!x.done || !y.done) {
    if (y.done || (!x.done && compareKeys(x.value, y.value) <= 0)) {
      const key = x.value as string;
      yield key;
      if (!y.done && y.value === key) y = await b.next();
      x = await a.next();
    } else {
      yield y.value;
      y = await b.next();
    }
  }
}
