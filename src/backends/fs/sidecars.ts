/**
 * The sidecar files: each object's metadata in `.bucketgate/meta/<sha256 of
 * the key>.json`, trusted only while it describes the file now at the key,
 * and recomputed (MD5 ETag, HTTP metadata kept) when it does not.
 */
import { createHash } from "node:crypto";
import type { ProxyError } from "../../errors.ts";
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
  /** Keeps a sidecar just written in memory. */
  remember(m: MetaFile): void;
  /** Drops what is remembered of `key`. */
  forget(key: string): void;
}

/** Options of `createSidecars`. */
export interface SidecarsOptions {
  readonly layout: FsLayout;
  /** Creates the internal directories (once). */
  readonly ensureDirs: () => Promise<void>;
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

  return {
    async of(key, st, path) {
      const cached = cache.get(key);
      if (cached && describes(cached, key, st)) return ok(cached);
      const read = await readJson<MetaFile>(o.layout.meta(key));
      if (!read.ok) return read;
      const m = read.value;
      if (m && describes(m, key, st)) {
        remember(m);
        return ok(m);
      }
      return await rebuild(key, { st, path }, m);
    },
    remember,
    forget: (key) => void cache.delete(key),
  };
}
