/**
 * The `fs` backend: one directory per bucket. Each object is a file at its
 * key's path under `root` (so the tree can be browsed); metadata, temp files
 * and uploads in progress live under `root/.bucketgate/`. Writes go to a temp
 * file and are renamed into place, so a reader sees old or new bytes, never a
 * part, and a failed upload leaves nothing.
 */
import { createHash } from "node:crypto";
import { batchReader } from "../streams/batches.ts";
import { type ProxyError, proxyError, ProxyStreamError, toProxyError } from "../errors.ts";
import { requestTimeout, watchTransfer } from "../streams/idle.ts";
import { err, ok, type Result } from "../result.ts";
import type {
  Backend,
  BackendResult,
  ByteRange,
  GetOptions,
  GetResult,
  HttpMeta,
  ObjectMeta,
  UploadInfo,
} from "./backend.ts";
import { checkReadConditions, checkWriteConditions } from "./conditions.ts";
import { multipartEtag, quoteEtag } from "./etag.ts";
import { compareKeys, reservedKeyWrite } from "./keys.ts";
import { pageListing, pageUploads } from "./listing.ts";
import {
  type CompletionRecord,
  completionRecord,
  isUploadId,
  newUploadId,
  noSuchUpload,
  pageParts,
  replayCompletion,
  type StoredPart,
  validateCompletion,
} from "./multipart.ts";
import { partRangeSpec, resolveRange } from "./range.ts";

/** The internal directory under a bucket root; never a key. */
export const INTERNAL_DIR = ".bucketgate";
const READ_CHUNK = 256 * 1024;
/** How long a completed upload's answer is kept for a Complete sent again. */
const COMPLETIONS_KEPT_MS = 24 * 3600_000;
/** Sidecars kept in memory per fs bucket. */
const META_CACHE_ENTRIES = 10_000;

interface MetaFile extends HttpMeta {
  readonly key: string;
  readonly etag: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number | null;
  readonly checksums?: ObjectMeta["checksums"];
  readonly checksumType?: ObjectMeta["checksumType"];
  /** A multipart object's part sizes, in order (reads by part number). */
  readonly partSizes?: readonly number[];
}

/** A stored part's record (`<n>.json`): the last one renamed in is the part. */
interface PartFile extends Omit<StoredPart, "lastModified"> {
  readonly lastModified: string;
  /** The bytes' file in the upload's directory; absent in records that predate it: `<n>`. */
  readonly file?: string;
}

interface UploadFile {
  readonly key: string;
  readonly meta: HttpMeta;
  readonly initiated: string;
}

const CONTENT_TYPES: Record<string, string> = {
  txt: "text/plain",
  html: "text/html",
  htm: "text/html",
  css: "text/css",
  js: "text/javascript",
  json: "application/json",
  csv: "text/csv",
  xml: "application/xml",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  svg: "image/svg+xml",
  webp: "image/webp",
  pdf: "application/pdf",
  tif: "image/tiff",
  tiff: "image/tiff",
  zip: "application/zip",
  gz: "application/gzip",
  parquet: "application/octet-stream",
};

function guessType(key: string): string | undefined {
  const dot = key.lastIndexOf(".");
  return dot < 0 ? undefined : CONTENT_TYPES[key.slice(dot + 1).toLowerCase()];
}

const noSuchKey = () => proxyError("NoSuchKey", "The specified key does not exist.");
const encoder = new TextEncoder();

/** Options of `fsKeyProblem`. */
export interface FsKeyOptions {
  /**
   * Whether paths follow Windows rules: `\\` separates segments too, and trailing
   * dots and spaces of a segment are dropped (`... ` is `..`).
   * @default Deno.build.os === "windows"
   */
  readonly windows?: boolean;
}

/** A segment as the filesystem resolves it (Windows drops trailing dots and spaces). */
function resolvedSegment(s: string, windows: boolean): string {
  return !windows || /^\.{1,2}$/.test(s) ? s : s.replace(/[. ]+$/, "");
}

/**
 * Whether a top-level name would open the internal directory on some
 * filesystem: compared without case (after Unicode compatibility folding, so
 * the Kelvin sign is a `k`) and without trailing dots and spaces, because the
 * root may sit on a case-insensitive filesystem (macOS, Windows, casefold ext4).
 */
export function isInternalName(name: string): boolean {
  return name.normalize("NFKC").toLowerCase().replace(/[. ]+$/, "") === INTERNAL_DIR;
}

/**
 * Why a key cannot be stored on a filesystem, if it cannot: the one predicate
 * every fs entry point (and the listing walk) uses. A key it accepts maps to
 * `root/key` literally, with no segment that is empty, `.`, `..`, longer than
 * 255 bytes, or the internal directory in any spelling.
 */
export function fsKeyProblem(key: string, options: FsKeyOptions = {}): ProxyError | undefined {
  const windows = options.windows ?? Deno.build.os === "windows";
  if (key.endsWith("/") || (windows && key.endsWith("\\"))) {
    return proxyError(
      "InvalidArgument",
      "Keys ending in '/' (folder markers) are not supported by the fs backend",
    );
  }
  const segments = key.split(windows ? /[\\/]/ : "/");
  for (const raw of segments) {
    const s = resolvedSegment(raw, windows);
    if (s === "" || s === "." || s === ".." || (windows && s.includes(":"))) {
      return proxyError(
        "InvalidArgument",
        `Object key segment '${raw}' is not supported by the fs backend`,
      );
    }
    if (encoder.encode(raw).length > 255) {
      return proxyError(
        "KeyTooLong",
        "A path segment of the key is longer than 255 bytes, which the fs backend cannot store",
      );
    }
  }
  if (isInternalName(segments[0]!)) return reservedKeyWrite("fs", `${INTERNAL_DIR}/`);
  return undefined;
}

function isNotFound(e: unknown): boolean {
  return e instanceof Deno.errors.NotFound;
}

function ioError(e: unknown): ProxyError {
  if (
    e instanceof Deno.errors.NotADirectory || e instanceof Deno.errors.IsADirectory ||
    e instanceof Deno.errors.AlreadyExists
  ) {
    return proxyError(
      "InvalidRequest",
      "The key conflicts with an existing object or key prefix on the fs backend (a key cannot be both an object and a prefix of another)",
      e,
    );
  }
  switch (errnoOf(e)) {
    case "ENOSPC": // no space (or no inode) left on the filesystem
    case "EDQUOT": // the gateway's user is over its disk quota
      return proxyError("StorageFull", "The storage behind this bucket is full", e);
    case "EFBIG":
      return proxyError(
        "EntityTooLarge",
        "Your proposed upload is larger than the fs backend's filesystem can store in one file",
        e,
      );
  }
  return toProxyError(e, "BackendError");
}

/** The errno name Deno gives an OS error (`code`, e.g. "ENOSPC"), if any. */
function errnoOf(e: unknown): string | undefined {
  if (!(e instanceof Error) || !("code" in e)) return undefined;
  return typeof e.code === "string" ? e.code : undefined;
}

/** Bytes gathered from an upload's chunks before they are written. */
const WRITE_BATCH = 1024 * 1024;

/** Whether a sidecar describes the file now at `key` (same inode, size and mtime). */
function describes(m: MetaFile, key: string, st: Deno.FileInfo): boolean {
  return m.key === key && m.size === st.size && m.mtimeMs === st.mtime?.getTime() &&
    m.ino === (st.ino ?? null);
}

/** An object's Last-Modified: the file's mtime, to the second (as HTTP dates carry it). */
/** The HTTP metadata of a sidecar, without what describes its bytes. */
function httpPart(m: MetaFile): HttpMeta {
  const { checksums: _c, checksumType: _t, partSizes: _p, ...rest } = m;
  return rest;
}

function lastModifiedOf(st: Deno.FileInfo): Date {
  return new Date(Math.floor((st.mtime?.getTime() ?? 0) / 1000) * 1000);
}

/** Files of a listing page examined at once. */
const LIST_CONCURRENCY = 16;

/** `fn` over `items`, at most `limit` at a time; the results in the items' order. */
async function mapInOrder<T, R>(
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

/** Writes all of `chunk` (a write may take only part of it). */
async function writeAll(file: Deno.FsFile, chunk: Uint8Array): Promise<void> {
  let at = 0;
  while (at < chunk.byteLength) at += await file.write(chunk.subarray(at));
}

/**
 * A stream of `file` from its current position, `length` bytes, closing the
 * file at the end. When the request's client stops reading for the idle
 * timeout (see streams/idle.ts), the file is closed and the stream fails. It
 * reads only when asked (no chunk queued ahead): a client that reads slowly
 * holds one chunk, not two (1,000 slow downloads: ~1,000 → ~780 MiB RSS,
 * with no loss of throughput on a 1 GiB GET).
 */
function fileStream(
  file: Deno.FsFile,
  length: number,
  signal?: AbortSignal,
): ReadableStream<Uint8Array> {
  let left = length;
  const close = () => {
    try {
      file.close();
    } catch { /* already closed */ }
  };
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  const transfer = watchTransfer(signal, () => {
    close();
    controller?.error(new ProxyStreamError(requestTimeout()));
  });
  return new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    async pull(c) {
      if (left <= 0) {
        transfer.end();
        file.close();
        c.close();
        return;
      }
      const buf = new Uint8Array(Math.min(READ_CHUNK, left));
      let n: number | null;
      try {
        n = await file.read(buf);
      } catch (e) {
        transfer.end();
        close();
        throw e;
      }
      if (n === null || n === 0) {
        transfer.end();
        file.close();
        c.error(new Error("file shrank while being read"));
        return;
      }
      left -= n;
      transfer.moved += n;
      c.enqueue(buf.subarray(0, n));
    },
    cancel() {
      transfer.end();
      close();
    },
  }, { highWaterMark: 0 });
}

/** Objects up to this size are read at once, synchronously (one page-cache copy, no thread-pool hop). */
const SMALL_READ = 64 * 1024;
/** Bytes of small objects kept in memory per fs bucket. */
const SMALL_CACHE_BYTES = 32 * 1024 * 1024;

/** A path that does not exist (or runs through a file): the key is not there. */
const isMissing = (e: unknown) => isNotFound(e) || e instanceof Deno.errors.NotADirectory;

function readWhole(file: Deno.FsFile, length: number): Uint8Array<ArrayBuffer> {
  const buf = new Uint8Array(length);
  let at = 0;
  while (at < length) {
    const n = file.readSync(buf.subarray(at));
    if (n === null || n === 0) throw new Error("file shrank while being read");
    at += n;
  }
  return buf;
}

async function md5OfFile(path: string): Promise<string> {
  const h = createHash("md5");
  using file = await Deno.open(path);
  const buf = new Uint8Array(READ_CHUNK);
  for (;;) {
    const n = await file.read(buf);
    if (n === null) break;
    h.update(buf.subarray(0, n));
  }
  return h.digest("hex");
}

/** Creates an fs backend over a directory (created when missing). */
export function createFsBackend(root: string): Backend {
  const base = root.replace(/\/+$/, "") || "/";
  const internal = `${base}/${INTERNAL_DIR}`;
  const tmpDir = `${internal}/tmp`;
  const metaDir = `${internal}/meta`;
  const uploadsDir = `${internal}/uploads`;
  const completedDir = `${internal}/completed`;
  let ready: Promise<void> | undefined;
  const ensureDirs = () =>
    ready ??= (async () => {
      for (const d of [tmpDir, metaDir, uploadsDir, completedDir]) {
        await Deno.mkdir(d, { recursive: true });
      }
    })();

  const dataPath = (key: string) => `${base}/${key}`;
  const metaPath = (key: string) =>
    `${metaDir}/${createHash("sha256").update(key).digest("hex")}.json`;
  const tmpPath = () => `${tmpDir}/${crypto.randomUUID()}`;

  /** Writes JSON to a new temp file (removed again if the write fails); returns its path. */
  async function writeJsonTemp(value: unknown): Promise<string> {
    const tmp = tmpPath();
    try {
      await Deno.writeTextFile(tmp, JSON.stringify(value), { createNew: true });
    } catch (e) {
      await Deno.remove(tmp).catch(() => {});
      throw e;
    }
    return tmp;
  }

  async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
    const tmp = await writeJsonTemp(value);
    try {
      await Deno.rename(tmp, path);
    } catch (e) {
      await Deno.remove(tmp).catch(() => {});
      throw e;
    }
  }

  async function readJson<T>(path: string): Promise<T | undefined> {
    try {
      return JSON.parse(await Deno.readTextFile(path)) as T;
    } catch {
      return undefined;
    }
  }

  function toMeta(
    key: string,
    m: MetaFile | undefined,
    st: Deno.FileInfo,
    etag: string,
  ): ObjectMeta {
    const stored: HttpMeta = m ?? { userMetadata: {} };
    const contentType = stored.contentType ?? guessType(key);
    return {
      ...(contentType ? { contentType } : {}),
      ...(stored.contentEncoding ? { contentEncoding: stored.contentEncoding } : {}),
      ...(stored.contentDisposition ? { contentDisposition: stored.contentDisposition } : {}),
      ...(stored.contentLanguage ? { contentLanguage: stored.contentLanguage } : {}),
      ...(stored.cacheControl ? { cacheControl: stored.cacheControl } : {}),
      ...(stored.expires ? { expires: stored.expires } : {}),
      userMetadata: stored.userMetadata ?? {},
      ...(m?.checksums ? { checksums: m.checksums } : {}),
      ...(m?.checksumType ? { checksumType: m.checksumType } : {}),
      ...(m?.partSizes ? { partsCount: m.partSizes.length, partSizes: m.partSizes } : {}),
      key,
      size: st.size,
      etag,
      lastModified: lastModifiedOf(st),
    };
  }

  // Sidecars read or written recently, so a hot object's GET does not re-read
  // and re-parse its JSON. An entry is used only while it matches the file's
  // inode, size and mtime (as the sidecar itself is), so it is never stale.
  const metaCache = new Map<string, MetaFile>();
  const remember = (m: MetaFile) => {
    metaCache.delete(m.key);
    if (metaCache.size >= META_CACHE_ENTRIES) metaCache.delete(metaCache.keys().next().value!);
    metaCache.set(m.key, m);
  };

  /** The sidecar that describes the file now at `key`: remembered, read, or else recomputed. */
  async function sidecarFor(key: string, st: Deno.FileInfo): Promise<MetaFile> {
    const cached = metaCache.get(key);
    if (cached && describes(cached, key, st)) return cached;
    const m = await readJson<MetaFile>(metaPath(key));
    if (m && describes(m, key, st)) {
      remember(m);
      return m;
    }
    // Placed by hand or changed outside bucketgate: recompute and remember.
    const etag = quoteEtag(await md5OfFile(dataPath(key)));
    // Only the HTTP metadata outlives a change of the bytes: never their checksums or parts.
    const stale: HttpMeta = m && m.key === key ? httpPart(m) : { userMetadata: {} };
    const rebuilt: MetaFile = {
      ...stale,
      key,
      etag,
      size: st.size,
      mtimeMs: st.mtime?.getTime() ?? 0,
      ino: st.ino ?? null,
    };
    await ensureDirs();
    await writeJsonAtomic(metaPath(key), rebuilt).catch(() => {});
    remember(rebuilt);
    return rebuilt;
  }

  /** Metadata of the file now at `key`, from its sidecar. */
  async function metaFor(key: string, st: Deno.FileInfo): Promise<ObjectMeta> {
    const m = await sidecarFor(key, st);
    return toMeta(key, m, st, m.etag);
  }

  async function statFile(key: string): Promise<Result<Deno.FileInfo, ProxyError>> {
    try {
      const st = await Deno.stat(dataPath(key));
      return st.isFile ? ok(st) : err(noSuchKey());
    } catch (e) {
      if (isMissing(e)) return err(noSuchKey());
      return err(ioError(e));
    }
  }

  async function head(key: string): BackendResult<ObjectMeta> {
    const bad = fsKeyProblem(key);
    if (bad) return err(bad.kind === "InvalidArgument" ? noSuchKey() : bad);
    const st = await statFile(key);
    if (!st.ok) return st;
    try {
      return ok(await metaFor(key, st.value));
    } catch (e) {
      return isNotFound(e) ? err(noSuchKey()) : err(ioError(e));
    }
  }

  /** Streams `body` into a new temp file; returns its path, size and MD5. */
  async function spool(
    body: ReadableStream<Uint8Array>,
    expected: number | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Result<{ path: string; size: number; md5: string }, ProxyError>> {
    const path = tmpPath();
    let file: Deno.FsFile;
    try {
      await ensureDirs();
      file = await Deno.open(path, { write: true, createNew: true });
    } catch (e) {
      await body.cancel().catch(() => {});
      return err(ioError(e));
    }
    const h = createHash("md5");
    let size = 0;
    // A failure to read is the client's (a short or bad body); a failure to
    // write is the disk's (full, over quota): each gets its own error.
    let failed: ProxyError | undefined;
    // A client that stops sending for the idle timeout is cut (streams/idle.ts):
    // the pending read ends, and the temp file is removed below.
    const transfer = watchTransfer(signal, () => void batches.cancel());
    // The body is read in batches of WRITE_BATCH bytes, and one batch is
    // written while the next is read: reading and writing overlap.
    const batches = batchReader(body, WRITE_BATCH, (n) => void (transfer.moved += n));
    // The write in flight never rejects (an unhandled rejection would end the
    // process); its error is kept and thrown where the write is awaited.
    let writing: Promise<void> = Promise.resolve();
    let writeError: { cause: unknown } | undefined;
    const settle = async () => {
      await writing;
      if (writeError) throw writeError.cause;
    };
    try {
      for (;;) {
        let bytes: Uint8Array | undefined;
        try {
          bytes = await batches.next();
        } catch (e) {
          failed = toProxyError(e, "IncompleteBody");
          break;
        }
        if (!bytes) break;
        h.update(bytes);
        size += bytes.byteLength;
        try {
          await settle();
        } catch (e) {
          failed = ioError(e);
          await batches.cancel();
          break;
        }
        const written = bytes;
        writing = writeAll(file, written).then(
          () => batches.release(written),
          (cause) => void (writeError = { cause }),
        );
      }
      if (!failed) {
        try {
          await settle();
        } catch (e) {
          failed = ioError(e);
        }
      }
    } finally {
      await writing;
      transfer.end();
      file.close();
    }
    if (transfer.cut) failed = requestTimeout();
    if (failed) {
      await Deno.remove(path).catch(() => {});
      return err(failed);
    }
    if (expected !== undefined && size !== expected) {
      await Deno.remove(path).catch(() => {});
      return err(
        proxyError(
          "IncompleteBody",
          "You did not provide the number of bytes specified by the Content-Length HTTP header.",
        ),
      );
    }
    return ok({ path, size, md5: h.digest("hex") });
  }

  /** Renames a spooled file into place at `key` and records its metadata. */
  async function commit(
    key: string,
    tmp: string,
    meta: HttpMeta,
    etag: string,
    extra: Pick<MetaFile, "checksums" | "checksumType" | "partSizes">,
  ): BackendResult<ObjectMeta> {
    const target = dataPath(key);
    let sidecar: string | undefined;
    let moved = false;
    try {
      const slash = target.lastIndexOf("/");
      await Deno.mkdir(target.slice(0, slash), { recursive: true });
      // Stat before the rename (which keeps inode and mtime): after it, the
      // path may already hold a concurrent writer's file, and the sidecar must
      // describe these bytes, so a mismatch is detected and recomputed.
      const st = await Deno.stat(tmp);
      const m: MetaFile = {
        ...meta,
        ...(extra.checksums ? { checksums: extra.checksums } : {}),
        ...(extra.checksumType ? { checksumType: extra.checksumType } : {}),
        ...(extra.partSizes ? { partSizes: extra.partSizes } : {}),
        key,
        etag,
        size: st.size,
        mtimeMs: st.mtime?.getTime() ?? 0,
        ino: st.ino ?? null,
      };
      // The sidecar is written before the object moves, so a disk that fills
      // up fails the upload while the old object is still in place.
      sidecar = await writeJsonTemp(m);
      await Deno.rename(tmp, target);
      moved = true;
      await Deno.rename(sidecar, metaPath(key));
      remember(m);
      return ok(toMeta(key, m, st, etag));
    } catch (e) {
      await Deno.remove(tmp).catch(() => {});
      if (sidecar) await Deno.remove(sidecar).catch(() => {});
      // The bytes moved but their sidecar did not: drop the old one, so the
      // object's metadata is recomputed rather than taken from the old object.
      if (moved) {
        metaCache.delete(key);
        await Deno.remove(metaPath(key)).catch(() => {});
      }
      return err(ioError(e));
    }
  }

  async function existingMeta(key: string): Promise<ObjectMeta | undefined> {
    const h = await head(key);
    return h.ok ? h.value : undefined;
  }

  async function removeEmptyParents(key: string): Promise<void> {
    const parts = key.split("/");
    for (let i = parts.length - 1; i > 0; i--) {
      try {
        await Deno.remove(`${base}/${parts.slice(0, i).join("/")}`);
      } catch {
        return;
      }
    }
  }

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

  let prunedAt = 0;

  /**
   * Keeps what a completed upload answered, for a Complete sent again (kept
   * a day; older records are pruned at most once an hour). Best effort: the
   * object is in place whether or not its record could be written.
   */
  async function keepCompletion(id: string, record: CompletionRecord): Promise<void> {
    await writeJsonAtomic(`${completedDir}/${id}.json`, record).catch(() => {});
    const now = Date.now();
    if (now - prunedAt < 3600_000) return;
    prunedAt = now;
    try {
      for await (const e of Deno.readDir(completedDir)) {
        const path = `${completedDir}/${e.name}`;
        const st = await Deno.stat(path).catch(() => undefined);
        if (st?.mtime && now - st.mtime.getTime() > COMPLETIONS_KEPT_MS) {
          await Deno.remove(path).catch(() => {});
        }
      }
    } catch { /* pruned next time */ }
  }

  async function loadUpload(key: string, id: string): Promise<UploadFile | undefined> {
    if (!isUploadId(id) || fsKeyProblem(key)) return undefined;
    const u = await readJson<UploadFile>(`${uploadsDir}/${id}/upload.json`);
    return u && u.key === key ? u : undefined;
  }

  async function loadParts(id: string): Promise<Map<number, StoredPart & { file: string }>> {
    const parts = new Map<number, StoredPart & { file: string }>();
    try {
      for await (const e of Deno.readDir(`${uploadsDir}/${id}`)) {
        const m = /^(\d+)\.json$/.exec(e.name);
        if (!m) continue;
        const p = await readJson<PartFile>(`${uploadsDir}/${id}/${e.name}`);
        if (!p) continue;
        const file = p.file ?? String(p.partNumber);
        parts.set(p.partNumber, { ...p, file, lastModified: new Date(p.lastModified) });
      }
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    return parts;
  }

  // Small objects read recently, as bytes: a hot small GET costs one stat. An
  // entry is used only while the file's inode, size and mtime match (writes
  // replace files by rename, so a new object is a new inode).
  const small = new Map<
    string,
    { ino: number | null; size: number; mtimeMs: number; bytes: Uint8Array<ArrayBuffer> }
  >();
  let smallBytesHeld = 0;

  /** The whole file of a small object whose stat is `st`; undefined if it changed since. */
  function smallBytes(key: string, st: Deno.FileInfo): Uint8Array<ArrayBuffer> | undefined {
    const mtimeMs = st.mtime?.getTime() ?? 0;
    const ino = st.ino ?? null;
    const hit = small.get(key);
    if (hit && hit.ino === ino && hit.size === st.size && hit.mtimeMs === mtimeMs) return hit.bytes;
    using file = Deno.openSync(dataPath(key));
    const now = file.statSync();
    if ((now.ino ?? null) !== ino || now.size !== st.size || now.mtime?.getTime() !== mtimeMs) {
      return undefined;
    }
    const bytes = readWhole(file, st.size);
    if (hit) {
      small.delete(key);
      smallBytesHeld -= hit.size;
    }
    small.set(key, { ino, size: st.size, mtimeMs, bytes });
    smallBytesHeld += st.size;
    for (const [k, v] of small) {
      if (smallBytesHeld <= SMALL_CACHE_BYTES) break;
      small.delete(k);
      smallBytesHeld -= v.size;
    }
    return bytes;
  }

  /** What a read of the file whose stat is `st` serves: its metadata and range, once conditions hold. */
  async function readPlan(
    key: string,
    st: Deno.FileInfo,
    o: GetOptions,
  ): Promise<Result<{ meta: ObjectMeta; range?: ByteRange }, ProxyError>> {
    const meta = await metaFor(key, st);
    const failed = o.conditions ? checkReadConditions(meta, o.conditions) : undefined;
    if (failed) return err(failed);
    const spec = o.partNumber ? partRangeSpec(meta, o.partNumber) : ok(o.range);
    if (!spec.ok) return spec;
    if (!spec.value) return ok({ meta });
    const r = resolveRange(spec.value, st.size);
    return r.ok ? ok({ meta, range: r.value }) : r;
  }

  /** GetObject of a large object (or one replaced mid-read): the open file, streamed. */
  async function getStreamed(key: string, o: GetOptions): BackendResult<GetResult> {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(dataPath(key));
    } catch (e) {
      return isMissing(e) ? err(noSuchKey()) : err(ioError(e));
    }
    try {
      const st = await file.stat();
      if (!st.isFile) {
        file.close();
        return err(noSuchKey());
      }
      const plan = await readPlan(key, st, o);
      if (!plan.ok) {
        file.close();
        return plan;
      }
      const { meta, range } = plan.value;
      if (range) await file.seek(range.start, Deno.SeekMode.Start);
      const length = range ? range.end - range.start + 1 : st.size;
      return ok({ meta, ...(range ? { range } : {}), body: fileStream(file, length, o.signal) });
    } catch (e) {
      try {
        file.close();
      } catch { /* closed */ }
      return err(ioError(e));
    }
  }

  return {
    head,

    async get(key, o = {}) {
      const bad = fsKeyProblem(key);
      if (bad) return err(bad.kind === "InvalidArgument" ? noSuchKey() : bad);
      let st: Deno.FileInfo;
      try {
        st = Deno.statSync(dataPath(key));
      } catch (e) {
        return isMissing(e) ? err(noSuchKey()) : err(ioError(e));
      }
      if (!st.isFile) return err(noSuchKey());
      if (st.size > SMALL_READ) return await getStreamed(key, o);
      try {
        const plan = await readPlan(key, st, o);
        if (!plan.ok) return plan;
        const { meta, range } = plan.value;
        const whole = smallBytes(key, st);
        // Replaced since the stat: serve it the careful way.
        if (!whole) return await getStreamed(key, o);
        const body = range ? whole.subarray(range.start, range.end + 1) : whole;
        return ok({ meta, ...(range ? { range } : {}), body });
      } catch (e) {
        return err(ioError(e));
      }
    },

    async put(key, body, o) {
      const bad = fsKeyProblem(key);
      if (bad) {
        await body.cancel().catch(() => {});
        return err(bad);
      }
      if (o.conditions && Object.keys(o.conditions).length > 0) {
        const failed = checkWriteConditions(await existingMeta(key), o.conditions);
        if (failed) {
          await body.cancel().catch(() => {});
          return err(failed);
        }
      }
      const spooled = await spool(body, o.contentLength, o.signal);
      if (!spooled.ok) return spooled;
      if (o.conditions && Object.keys(o.conditions).length > 0) {
        const failed = checkWriteConditions(await existingMeta(key), o.conditions);
        if (failed) {
          await Deno.remove(spooled.value.path).catch(() => {});
          return err(failed);
        }
      }
      return await commit(key, spooled.value.path, o.meta, quoteEtag(spooled.value.md5), {
        ...(o.checksums && Object.keys(o.checksums).length > 0
          ? { checksums: o.checksums, checksumType: "FULL_OBJECT" as const }
          : {}),
      });
    },

    async copy(src, dst, o) {
      const bad = fsKeyProblem(dst);
      if (bad) return err(bad);
      // A source the fs backend cannot hold (the internal directory included) does not exist.
      const source = await head(src);
      if (!source.ok) return source;
      const failed = checkWriteConditions(await existingMeta(dst), o.conditions);
      if (failed) return err(failed);
      await ensureDirs();
      const tmp = tmpPath();
      try {
        await Deno.copyFile(dataPath(src), tmp);
      } catch (e) {
        await Deno.remove(tmp).catch(() => {});
        return isNotFound(e) ? err(noSuchKey()) : err(ioError(e));
      }
      const { key: _k, size: _s, etag, lastModified: _l, checksums, checksumType, ...rest } =
        source.value;
      return await commit(dst, tmp, o.meta ?? rest, etag, {
        ...(checksums ? { checksums } : {}),
        ...(checksumType ? { checksumType } : {}),
      });
    },

    async delete(key) {
      if (fsKeyProblem(key)) return ok(undefined);
      try {
        await Deno.remove(dataPath(key));
      } catch (e) {
        if (!isNotFound(e) && !(e instanceof Deno.errors.NotADirectory)) {
          // A directory at the key is a prefix, not an object: nothing to delete.
          if (e instanceof Error && /directory/i.test(e.message)) return ok(undefined);
          return err(ioError(e));
        }
      }
      metaCache.delete(key);
      await Deno.remove(metaPath(key)).catch(() => {});
      await removeEmptyParents(key);
      return ok(undefined);
    },

    async list(o) {
      try {
        const slash = o.prefix.lastIndexOf("/");
        const dirRel = slash < 0 ? "" : o.prefix.slice(0, slash + 1);
        const keys: string[] = [];
        // Only a directory a key could name is walked: never `/…`, `a//…`, `a/../…` or the
        // internal directory in any spelling (whose files would get sidecars written).
        if (dirRel === "" || !fsKeyProblem(dirRel.slice(0, -1))) {
          await walk(dirRel === "" ? base : `${base}/${dirRel.slice(0, -1)}`, dirRel, keys);
        }
        keys.sort(compareKeys);
        const page = pageListing(keys.map((key) => ({ key })), o);
        // The page's files are looked at LIST_CONCURRENCY at a time (each a stat and a sidecar).
        const found = await mapInOrder(page.objects, LIST_CONCURRENCY, async ({ key }) => {
          const st = await statFile(key);
          if (!st.ok) return undefined; // deleted meanwhile
          const { etag } = await sidecarFor(key, st.value);
          return { key, size: st.value.size, etag, lastModified: lastModifiedOf(st.value) };
        });
        const objects = found.filter((x) => x !== undefined);
        return ok({ ...page, objects });
      } catch (e) {
        return err(ioError(e));
      }
    },

    async createMultipartUpload(key, meta) {
      const bad = fsKeyProblem(key);
      if (bad) return err(bad);
      try {
        await ensureDirs();
      } catch (e) {
        return err(ioError(e));
      }
      const id = newUploadId();
      try {
        await Deno.mkdir(`${uploadsDir}/${id}`);
        const u: UploadFile = { key, meta, initiated: new Date().toISOString() };
        await writeJsonAtomic(`${uploadsDir}/${id}/upload.json`, u);
        return ok(id);
      } catch (e) {
        await Deno.remove(`${uploadsDir}/${id}`, { recursive: true }).catch(() => {});
        return err(ioError(e));
      }
    },

    async uploadPart(key, id, n, body, o) {
      if (!(await loadUpload(key, id))) {
        await body.cancel().catch(() => {});
        return err(noSuchUpload());
      }
      const spooled = await spool(body, o.contentLength, o.signal);
      if (!spooled.ok) return spooled;
      const dir = `${uploadsDir}/${id}`;
      const etag = quoteEtag(spooled.value.md5);
      // Each upload of a part has its own file, named by its record: two
      // uploads of one part number at once never pair one's record with the
      // other's bytes, and the record renamed in last is the part (S3's rule).
      const file = `${n}.${crypto.randomUUID()}`;
      const part: PartFile = {
        partNumber: n,
        etag,
        size: spooled.value.size,
        md5: spooled.value.md5,
        lastModified: new Date().toISOString(),
        file,
      };
      let record: string | undefined;
      try {
        // The record is written before the part moves in, so a full disk
        // leaves an earlier upload of this part number as it was.
        record = await writeJsonTemp(part);
        await Deno.rename(spooled.value.path, `${dir}/${file}`);
        await Deno.rename(record, `${dir}/${n}.json`);
        return ok({ etag });
      } catch (e) {
        await Deno.remove(spooled.value.path).catch(() => {});
        await Deno.remove(`${dir}/${file}`).catch(() => {});
        if (record) await Deno.remove(record).catch(() => {});
        return err(isNotFound(e) ? noSuchUpload() : ioError(e));
      }
    },

    async completeMultipartUpload(key, id, parts, conditions) {
      const u = await loadUpload(key, id);
      if (!u) {
        const record = isUploadId(id)
          ? await readJson<CompletionRecord>(`${completedDir}/${id}.json`)
          : undefined;
        return replayCompletion(record, key, parts);
      }
      const stored = await loadParts(id);
      const chosen = validateCompletion(parts, stored);
      if (!chosen.ok) return chosen;
      const failed = checkWriteConditions(await existingMeta(key), conditions);
      if (failed) return err(failed);
      const tmp = tmpPath();
      try {
        using out = await Deno.open(tmp, { write: true, createNew: true });
        const buf = new Uint8Array(READ_CHUNK);
        for (const p of chosen.value) {
          using part = await Deno.open(`${uploadsDir}/${id}/${stored.get(p.partNumber)!.file}`);
          for (;;) {
            const n = await part.read(buf);
            if (n === null) break;
            await writeAll(out, buf.subarray(0, n));
          }
        }
      } catch (e) {
        await Deno.remove(tmp).catch(() => {});
        return err(ioError(e));
      }
      const done = await commit(
        key,
        tmp,
        u.meta,
        multipartEtag(chosen.value.map((p) => p.md5)),
        { partSizes: chosen.value.map((p) => p.size) },
      );
      if (!done.ok) return done;
      await keepCompletion(id, completionRecord(parts, done.value));
      await Deno.remove(`${uploadsDir}/${id}`, { recursive: true }).catch(() => {});
      return done;
    },

    async abortMultipartUpload(key, id) {
      if (!(await loadUpload(key, id))) return err(noSuchUpload());
      try {
        await Deno.remove(`${uploadsDir}/${id}`, { recursive: true });
        return ok(undefined);
      } catch (e) {
        return err(isNotFound(e) ? noSuchUpload() : ioError(e));
      }
    },

    async listParts(key, id, o) {
      if (!(await loadUpload(key, id))) return err(noSuchUpload());
      const sorted = [...(await loadParts(id)).values()].sort((a, b) =>
        a.partNumber - b.partNumber
      );
      return ok(pageParts(sorted, o));
    },

    async listMultipartUploads(o) {
      const all: UploadInfo[] = [];
      try {
        for await (const e of Deno.readDir(uploadsDir)) {
          if (!isUploadId(e.name)) continue;
          const u = await readJson<UploadFile>(`${uploadsDir}/${e.name}/upload.json`);
          if (u) all.push({ key: u.key, uploadId: e.name, initiated: new Date(u.initiated) });
        }
      } catch (e) {
        if (!isNotFound(e)) return err(ioError(e));
      }
      all.sort((a, b) => compareKeys(a.key, b.key) || (a.uploadId < b.uploadId ? -1 : 1));
      return ok(pageUploads(all, o));
    },
  };
}
