/**
 * ListObjects on the fs backend: the plain tree under the root and the
 * internal key tree walked together in S3 order from the page's start
 * (key_walk.ts), stopped after the page, then a stat and sidecar per object.
 */
import { proxyError } from "../../errors.ts";
import { err, ok } from "../../result.ts";
import type { BackendResult, ListOptions, ListPage } from "../backend.ts";
import { listPager } from "../listing.ts";
import type { FsContext } from "./context.ts";
import { internalIoError, ioError } from "./errors.ts";
import { mergeKeys, type WalkBounds, walkKeys } from "./key_walk.ts";
import { lastModifiedOf } from "./meta_file.ts";
import { fsKeyProblem } from "./paths.ts";
import { findObject } from "./places.ts";
import { internalTree, plainTree } from "./trees.ts";

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

/** The common prefix `startAfter` falls into, whose keys come before the page. */
function groupOf(o: ListOptions): string | undefined {
  if (!o.delimiter || o.startAfter === undefined || !o.startAfter.startsWith(o.prefix)) return;
  const at = o.startAfter.indexOf(o.delimiter, o.prefix.length);
  return at < 0 ? undefined : o.startAfter.slice(0, at + o.delimiter.length);
}

/** The keys of one page, in order. */
async function pageKeys(ctx: FsContext, o: ListOptions) {
  const pager = listPager<{ readonly key: string }>(o);
  const started = groupOf(o);
  const bounds: WalkBounds = {
    prefix: o.prefix,
    after: o.startAfter,
    skip: () => pager.group ?? started,
  };
  const keys = mergeKeys(walkKeys(plainTree(ctx), bounds), walkKeys(internalTree(ctx), bounds));
  for await (const key of keys) {
    // A name no client could have written (placed by hand in the key tree: `..+/x=`) is no key.
    if (fsKeyProblem(key)) continue;
    if (!pager.add({ key })) break;
  }
  return pager.page();
}

/** One page of ListObjects. */
export async function listObjects(ctx: FsContext, o: ListOptions): BackendResult<ListPage> {
  let page;
  try {
    page = await pageKeys(ctx, o);
  } catch (e) {
    return err(ioError(e));
  }
  // The page's files are looked at LIST_CONCURRENCY at a time (each a stat and a sidecar).
  const found = await mapInOrder(page.objects, LIST_CONCURRENCY, async ({ key }) => {
    let f;
    try {
      f = await findObject(ctx, key);
    } catch (e) {
      return err(ioError(e));
    }
    if (!f) return undefined; // deleted meanwhile
    const side = await ctx.sidecars.of(key, f.st, f.path);
    if (!side.ok) return side.error.kind === "NoSuchKey" ? undefined : side;
    const { etag } = side.value;
    return ok({ key, size: f.st.size, etag, lastModified: lastModifiedOf(f.st) });
  });
  const objects = [];
  for (const f of found) {
    if (f && !f.ok) return f;
    if (f) objects.push(f.value);
  }
  return ok({ ...page, objects });
}

/** Whether the bucket's root is there, a directory, and can be looked at: `/readyz`'s probe. */
export async function probeRoot(ctx: FsContext): BackendResult<void> {
  try {
    const st = await Deno.stat(ctx.layout.base);
    if (st.isDirectory) return ok(undefined);
    return err(proxyError("BackendError", "The bucket's root is not a directory"));
  } catch (e) {
    return err(internalIoError(e));
  }
}
