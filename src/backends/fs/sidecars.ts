/**
 * The sidecar files: each object's metadata in `.bucketgate/meta/<sha256 of
 * the key>.json`, trusted only while it describes the file now at the key,
 * and recomputed (MD5 ETag, HTTP metadata kept) when it does not.
 *
 * A write renames the bytes, then the sidecar, within the key's turn
 * (key_locks.ts). So a sidecar that does not describe the file is looked at
 * again within the turn: then no write is between its two renames, and a
 * mismatch is a file placed or changed by hand, recomputed there (no write
 * can interleave with the rebuild). A file replaced since the reader's stat
 * is not recomputed from the new file's sidecar: the read is asked again
 * (SlowDown, which clients retry).
 */
import { createHash } from "node:crypto";
import { type ProxyError, proxyError } from "../../errors.ts";
import { err, ok, type Result } from "../../result.ts";
import type { HttpMeta } from "../backend.ts";
import { quoteEtag } from "../etag.ts";
import { internalIoError, ioError, isMissing, noSuchKey } from "./errors.ts";
import { describes, httpPart, type MetaFile, metaFileOf } from "./meta_file.ts";
import type { FsLayout } from "./paths.ts";
import { readJson, writeJsonAtomic } from "./records.ts";

/** Sidecars kept in memory per fs bucket. */
const META_CACHE_ENTRIES = 10_000;
/** Bytes read at once when hashing a file. */
const HASH_CHUNK = 256 * 1024;

/** The sidecars of one bucket, with the recently used ones in memory. */
export interface Sidecars {
  /** The sidecar that describes the file at `path` now (stat `st`) of `key`: remembered, read, or else recomputed. */
  of(key: string, st: Deno.FileInfo, path: string): Promise<Result<MetaFile, ProxyError>>;
  /** The sidecar of `key` remembered in memory, if it describes the file whose stat is `st`. */
  cached(key: string, st: Deno.FileInfo): MetaFile | undefined;
  /** Keeps a sidecar just written in memory. */
  remember(m: MetaFile): void;
  /** Drops what is remembered of `key`. */
  forget(key: string): void;
  /** The same sidecars, for use within the key's turn (a mismatch is recomputed at once). */
  within(): Sidecars;
}

/** Runs `f` within `key`'s turn (KeyLocks.hold). */
export type Turn = <T>(
  key: string,
  f: () => Promise<Result<T, ProxyError>>,
) => Promise<Result<T, ProxyError>>;

/** Options of `createSidecars`. */
export interface SidecarsOptions {
  readonly layout: FsLayout;
  /** Creates the internal directories (once). */
  readonly ensureDirs: () => Promise<void>;
  /** The key's turn, taken to look at a mismatching sidecar again; none in tests of one writer. */
  readonly turn?: Turn;
}

/** Whether the file now at `path` is the one whose stat is `st`, another, or none. */
async function nowAt(path: string, st: Deno.FileInfo): Promise<"same" | "other" | "gone"> {
  try {
    const now = await Deno.stat(path);
    const same = now.ino === st.ino && now.size === st.size &&
      now.mtime?.getTime() === st.mtime?.getTime();
    return same ? "same" : "other";
  } catch {
    return "gone";
  }
}

function replaced(): ProxyError {
  return proxyError("SlowDown", "The object was replaced while it was read; please retry");
}

/** The hex MD5 of the file at `path`. */
export async function md5OfFile(path: string): Promise<string> {
  const h = createHash("md5");
  using file = await Deno.open(path);
  const buf = new Uint8Array(HASH_CHUNK);
  for (;;) {
    const n = await file.read(buf);
    if (n === null) break;
    h.update(buf.subarray(0, n));
  }
  return h.digest("hex");
}

/** The sidecars of the bucket laid out as `o.layout`. */
export function createSidecars(o: SidecarsOptions): Sidecars {
  // Sidecars read or written recently, so a hot object's GET does not re-read
  // and re-parse its JSON. An entry is used only while it matches the file's
  // inode, size and mtime (as the sidecar itself is), so it is never stale.
  const cache = new Map<string, MetaFile>();
  const remember = (m: MetaFile) => {
    cache.delete(m.key);
    if (cache.size >= META_CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
    cache.set(m.key, m);
  };

  /** Placed by hand or changed outside bucketgate: recomputes the sidecar and remembers it. */
  async function rebuild(
    key: string,
    file: { readonly st: Deno.FileInfo; readonly path: string },
    old: MetaFile | undefined,
  ): Promise<Result<MetaFile, ProxyError>> {
    const { st } = file;
    let etag: string;
    try {
      etag = quoteEtag(await md5OfFile(file.path));
    } catch (e) {
      return err(isMissing(e) ? noSuchKey() : ioError(e));
    }
    try {
      await o.ensureDirs();
    } catch (e) {
      return err(internalIoError(e));
    }
    // Only the HTTP metadata outlives a change of the bytes: never their checksums or parts.
    const stale: HttpMeta = old && old.key === key ? httpPart(old) : { userMetadata: {} };
    const rebuilt = metaFileOf(key, st, { meta: stale, etag });
    await writeJsonAtomic(o.layout, o.layout.meta(key), rebuilt).catch(() => {});
    remember(rebuilt);
    return ok(rebuilt);
  }

  /** The sidecar on disk if it describes `st`; else what it holds (or undefined), to rebuild from. */
  async function stored(
    key: string,
    st: Deno.FileInfo,
  ): Promise<Result<{ fits: boolean; m: MetaFile | undefined }, ProxyError>> {
    const cached = cache.get(key);
    if (cached && describes(cached, key, st)) return ok({ fits: true, m: cached });
    const read = await readJson<MetaFile>(o.layout.meta(key));
    if (!read.ok) return read;
    const m = read.value;
    if (m && describes(m, key, st)) remember(m);
    return ok({ fits: m !== undefined && describes(m, key, st), m });
  }

  /** Within the key's turn: the sidecar, or the file's recomputed one if it is still at its path. */
  async function settle(
    key: string,
    file: { readonly st: Deno.FileInfo; readonly path: string },
  ): Promise<Result<MetaFile, ProxyError>> {
    const s = await stored(key, file.st);
    if (!s.ok) return s;
    if (s.value.fits) return ok(s.value.m!);
    const now = await nowAt(file.path, file.st);
    if (now === "gone") return err(noSuchKey());
    if (now === "other") return err(replaced());
    return await rebuild(key, file, s.value.m);
  }

  const sidecars = (turn: Turn | undefined): Sidecars => ({
    async of(key, st, path) {
      const s = await stored(key, st);
      if (!s.ok) return s;
      if (s.value.fits) return ok(s.value.m!);
      const file = { st, path };
      return turn ? await turn(key, () => settle(key, file)) : await settle(key, file);
    },
    cached(key, st) {
      const m = cache.get(key);
      return m && describes(m, key, st) ? m : undefined;
    },
    remember,
    forget: (key) => void cache.delete(key),
    within: () => sidecars(undefined),
  });
  return sidecars(o.turn);
}
