/** Small helpers the section readers (buckets.ts, roles.ts, …) share. */
import type { Fields, Item, Reader } from "./_reader.ts";

/** Reports `problem` (if any) at an item's path and node. */
export function check(
  r: Reader,
  item: Item<unknown> | undefined,
  problem: string | undefined,
): void {
  if (item && problem !== undefined) r.problem(item.path, problem, item.node);
}

/** Options of `sections`. */
export interface SectionOptions {
  /** The keys each item may hold. */
  readonly keys: readonly string[];
  /** The problem when the list is absent; absent = the list is optional. */
  readonly required?: string;
}

/** The items of a top-level list section, each checked to be a mapping. */
export function sections(r: Reader, top: Fields, key: string, options: SectionOptions): Fields[] {
  const out: Fields[] = [];
  for (const item of r.list(top, key, options.required) ?? []) {
    const f = r.mapping(item.node, item.path, options.keys);
    if (f) out.push(f);
  }
  return out;
}

/**
 * Remembers the first path of each unique value (a bucket name, a role id)
 * and reports a later duplicate at its own path: `duplicate <what> '<v>' (also <first>)`.
 */
export function claimUnique(
  r: Reader,
  first: Map<string, string>,
  item: Item<string>,
  what: string,
): void {
  const earlier = first.get(item.value);
  if (earlier !== undefined) {
    r.problem(item.path, `duplicate ${what} '${item.value}' (also ${earlier})`, item.node);
  } else {
    first.set(item.value, item.path);
  }
}
