/**
 * bucketgate's own JSON files (sidecars, upload and part records, completion
 * records): written to a temp file and renamed in, so a reader never sees
 * half a record.
 */
import type { ProxyError } from "../../errors.ts";
import { err, ok, type Result } from "../../result.ts";
import { internalIoError, isMissing } from "./errors.ts";
import type { FsLayout } from "./paths.ts";
import { parentOf, type Sync } from "./durable.ts";

/**
 * Writes JSON to a new temp file (removed again if the write fails), flushed
 * to disk with `o.sync` when given; returns its path.
 */
export async function writeJsonTemp(
  layout: FsLayout,
  value: unknown,
  o: { readonly sync?: Sync | undefined } = {},
): Promise<string> {
  const tmp = layout.tmp();
  try {
    await Deno.writeTextFile(tmp, JSON.stringify(value), { createNew: true });
    if (o.sync) await o.sync(tmp);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
  return tmp;
}

/**
 * Replaces the file at `path` with `value`'s JSON, atomically; with `o.sync`,
 * the file and then its directory are flushed before it returns. `o.mtime`
 * (ms) dates the file.
 */
export async function writeJsonAtomic(
  layout: FsLayout,
  path: string,
  value: unknown,
  o: { readonly sync?: Sync | undefined; readonly mtime?: number } = {},
): Promise<void> {
  const tmp = await writeJsonTemp(layout, value);
  try {
    if (o.mtime !== undefined) await Deno.utime(tmp, o.mtime / 1000, o.mtime / 1000);
    if (o.sync) await o.sync(tmp);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
  if (o.sync) await o.sync(parentOf(path));
}

/**
 * The record at `path`: undefined when there is none (or its directory is
 * gone) and when it is not JSON (torn, or edited by hand); any other OS error
 * (EACCES, ELOOP, EIO) is an error, never taken for an absent record.
 */
export async function readJson<T>(path: string): Promise<Result<T | undefined, ProxyError>> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    return isMissing(e) ? ok(undefined) : err(internalIoError(e));
  }
  try {
    return ok(JSON.parse(text) as T);
  } catch {
    return ok(undefined);
  }
}
