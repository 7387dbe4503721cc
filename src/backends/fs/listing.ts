/** ListObjects on the fs backend: a walk of the directory the prefix names, a page, then a stat and sidecar per object. */
import { err, ok } from "../../result.ts";
import type { BackendResult, ListOptions, ListPage } from "../backend.ts";
import { compareKeys } from "../keys.ts";
import { pageListing } from "../listing.ts";
import type { FsContext } from "./context.ts";
import { ioError, isMissing } from "./errors.ts";
import { lastModifiedOf } from "./meta_file.ts";
import { fsKeyProblem, isInternalName } from "./paths.ts";
import { statFile } from "./read.ts";

/** Files of a listing page examined at once. */
const LIST_CONCURRENCY = 16;

/** `fn` over `items`, at most `limit` at a time; the results in the items' order. */
export async function mapInOrder<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Adds the key of every file under `dir` (whose keys start with `rel`) to `out`; skips the internal directory. */
async function walk(dir: string, rel: string, out: string[]): Promise<void> {
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch (e) {
    if (isMissing(e)) return;
    throw e;
  }
  for (const e of entries) {
    if (rel === "" && isInternalName(e.name)) continue;
    const key = rel + e.name;
    if (e.isDirectory) await walk(`${dir}/${e.name}`, key + "/", out);
    else if (e.isFile) out.push(key);
  }
}

/** Every key under the directory part of `prefix`, sorted. */
async function keysUnder(ctx: FsContext, prefix: string): Promise<string[]> {
  const slash = prefix.lastIndexOf("/");
  const dirRel = slash < 0 ? "" : prefix.slice(0, slash + 1);
  const keys: string[] = [];
  // Only a directory a key could name is walked: never `/…`, `a//…`, `a/../…` or the
  // internal directory in any spelling (whose files would get sidecars written).
  if (dirRel === "" || !fsKeyProblem(dirRel.slice(0, -1))) {
    const base = ctx.layout.base;
    await walk(dirRel === "" ? base : `${base}/${dirRel.slice(0, -1)}`, dirRel, keys);
  }
  return keys.sort(compareKeys);
}

/** One page of ListObjects. */
export async function listObjects(ctx: FsContext, o: ListOptions): BackendResult<ListPage> {
  let keys: string[];
  try {
    keys = await keysUnder(ctx, o.prefix);
  } catch (e) {
    return err(ioError(e));
  }
  const page = pageListing(keys.map((key) => ({ key })), o);
  // The page's files are looked at LIST_CONCURRENCY at a time (each a stat and a sidecar).
  const found = await mapInOrder(page.objects, LIST_CONCURRENCY, async ({ key }) => {
    const st = await statFile(ctx, key);
    if (!st.ok) return undefined; // deleted meanwhile
    const side = await ctx.sidecars.of(key, st.value);
    if (!side.ok) return side.error.kind === "NoSuchKey" ? undefined : side;
    const { etag } = side.value;
    return ok({ key, size: st.value.size, etag, lastModified: lastModifiedOf(st.value) });
  });
  const objects = [];
  for (const f of found) {
    if (f && !f.ok) return f;
    if (f) objects.push(f.value);
  }
  return ok({ ...page, objects });
}
