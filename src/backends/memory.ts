/** An in-memory backend for tests and demos: bodies are buffered, everything else as S3. */
import { createHash } from "node:crypto";
import { type ProxyError, proxyError, toProxyError } from "../errors.ts";
import { err, ok, type Result } from "../result.ts";
import { collect } from "../streams/limits.ts";
import {
  type Backend,
  type Checksums,
  type HttpMeta,
  httpMetaOf,
  type ListEntry,
  type ObjectMeta,
  type UploadChecksum,
  type UploadInfo,
} from "./backend.ts";
import { completedChecksum, partAlgorithm, tapPart, tapPut } from "./multipart_checksums.ts";
import { checkReadConditions, checkWriteConditions } from "./conditions.ts";
import { multipartEtag, quoteEtag } from "./etag.ts";
import { compareKeys } from "./keys.ts";
import { pageListing, pageUploads } from "./listing.ts";
import {
  type CompletionRecord,
  completionRecord,
  newUploadId,
  noSuchUpload,
  pageParts,
  replayCompletion,
  type StoredPart,
  validateCompletion,
} from "./multipart.ts";
import { readRange } from "./range.ts";
import { type Clock, systemClock } from "../clock.ts";
import { concatBytes } from "../bytes.ts";

interface StoredObject {
  readonly meta: ObjectMeta;
  readonly bytes: Uint8Array;
}

interface Upload {
  readonly key: string;
  readonly meta: HttpMeta;
  readonly checksum?: UploadChecksum | undefined;
  readonly initiated: Date;
  readonly parts: Map<number, StoredPart & { readonly bytes: Uint8Array }>;
}

/** The whole body, checked against its declared length. */
async function readExact(
  body: ReadableStream<Uint8Array>,
  contentLength: number | undefined,
): Promise<Result<Uint8Array, ProxyError>> {
  let bytes: Uint8Array;
  try {
    bytes = (await collect(body))!;
  } catch (e) {
    return err(toProxyError(e));
  }
  if (contentLength !== undefined && bytes.byteLength !== contentLength) {
    return err(
      proxyError(
        "IncompleteBody",
        "You did not provide the number of bytes specified by the Content-Length HTTP header.",
      ),
    );
  }
  return ok(bytes);
}

/** A part as kept: its bytes, ETag, MD5 and checksums. */
function storedPart(
  n: number,
  bytes: Uint8Array,
  checksums: Checksums | undefined,
  lastModified: Date,
): StoredPart & { readonly bytes: Uint8Array } {
  const hex = md5(bytes);
  return {
    partNumber: n,
    etag: quoteEtag(hex),
    size: bytes.byteLength,
    lastModified,
    md5: hex,
    bytes,
    ...(checksums ? { checksums } : {}),
  };
}

/** Completed uploads remembered for a Complete sent again. */
const COMPLETIONS_KEPT = 1000;

const md5 = (b: Uint8Array) => createHash("md5").update(b).digest("hex");
const noSuchKey = () => proxyError("NoSuchKey", "The specified key does not exist.");

/** Creates an empty memory backend. */
export function createMemoryBackend(options: { readonly clock?: Clock } = {}): Backend {
  const clock = options.clock ?? systemClock;
  const now = () => clock.now();
  const objects = new Map<string, StoredObject>();
  const uploads = new Map<string, Upload>();
  const completed = new Map<string, CompletionRecord>();

  const store = (
    key: string,
    bytes: Uint8Array,
    meta: HttpMeta,
    etag: string,
    extra: Partial<ObjectMeta> = {},
  ) => {
    const m: ObjectMeta = {
      ...meta,
      ...extra,
      key,
      size: bytes.byteLength,
      etag,
      lastModified: new Date(Math.floor(now() / 1000) * 1000),
    };
    objects.set(key, { meta: m, bytes });
    return m;
  };
  return {
    head(key) {
      const o = objects.get(key);
      return Promise.resolve(o ? ok(o.meta) : err(noSuchKey()));
    },
    get(key, o = {}) {
      const obj = objects.get(key);
      if (!obj) return Promise.resolve(err(noSuchKey()));
      const failed = o.conditions ? checkReadConditions(obj.meta, o.conditions) : undefined;
      if (failed) return Promise.resolve(err(failed));
      // Stored bytes never sit in a SharedArrayBuffer (they are collected or concatenated).
      const bytes = obj.bytes as Uint8Array<ArrayBuffer>;
      const r = readRange(obj.meta, o);
      if (!r.ok) return Promise.resolve(r);
      if (!r.value) return Promise.resolve(ok({ meta: obj.meta, body: bytes }));
      return Promise.resolve(ok({
        meta: obj.meta,
        range: r.value,
        body: bytes.subarray(r.value.start, r.value.end + 1),
      }));
    },
    async put(key, body, o) {
      const tapped = tapPut(body, o);
      const read = await readExact(tapped.body, o.contentLength);
      if (!read.ok) return read;
      const bytes = read.value;
      const failed = checkWriteConditions(objects.get(key)?.meta, o.conditions);
      if (failed) return err(failed);
      return ok(store(key, bytes, o.meta, quoteEtag(md5(bytes)), tapped.stored()));
    },
    copy(src, dst, o) {
      const s = objects.get(src);
      if (!s) return Promise.resolve(err(noSuchKey()));
      const failed = checkWriteConditions(objects.get(dst)?.meta, o.conditions);
      if (failed) return Promise.resolve(err(failed));
      return Promise.resolve(ok(store(dst, s.bytes, o.meta ?? httpMetaOf(s.meta), s.meta.etag, {
        ...(s.meta.checksums ? { checksums: s.meta.checksums } : {}),
        ...(s.meta.checksumType ? { checksumType: s.meta.checksumType } : {}),
      })));
    },
    delete(key, conditions) {
      const failed = checkWriteConditions(objects.get(key)?.meta, conditions);
      if (failed) return Promise.resolve(err(failed));
      objects.delete(key);
      return Promise.resolve(ok(undefined));
    },
    list(o) {
      const entries: ListEntry[] = [...objects.values()].map((x) => x.meta)
        .sort((a, b) => compareKeys(a.key, b.key));
      return Promise.resolve(ok(pageListing(entries, o)));
    },
    createMultipartUpload(key, { meta, checksum }) {
      const id = newUploadId();
      uploads.set(id, { key, meta, checksum, initiated: new Date(now()), parts: new Map() });
      return Promise.resolve(ok(id));
    },
    async uploadPart({ key, uploadId }, part) {
      const { partNumber: n, body, contentLength, checksums: d } = part;
      const u = uploads.get(uploadId);
      const alg = u && u.key === key
        ? partAlgorithm(u.checksum, d, part.trailing)
        : err(noSuchUpload());
      if (!u || !alg.ok) {
        await body.cancel().catch(() => {});
        return alg.ok ? err(noSuchUpload()) : alg;
      }
      const tapped = tapPart(body, alg.value, d);
      const read = await readExact(tapped.body, contentLength);
      if (!read.ok) return read;
      const stored = storedPart(n, read.value, tapped.checksums(), new Date(now()));
      u.parts.set(n, stored);
      return ok({
        etag: stored.etag,
        ...(stored.checksums ? { checksums: stored.checksums } : {}),
      });
    },
    completeMultipartUpload({ key, uploadId: id }, parts, conditions, claimed) {
      const u = uploads.get(id);
      if (!u || u.key !== key) {
        return Promise.resolve(replayCompletion(completed.get(id), key, parts));
      }
      const chosen = validateCompletion(parts, u.parts);
      if (!chosen.ok) return Promise.resolve(chosen);
      const failed = checkWriteConditions(objects.get(key)?.meta, conditions);
      if (failed) return Promise.resolve(err(failed));
      const sum = completedChecksum(u.checksum, parts, chosen.value, claimed);
      if (!sum.ok) return Promise.resolve(sum);
      const bytes = concatBytes(chosen.value.map((p) => u.parts.get(p.partNumber)!.bytes));
      uploads.delete(id);
      const meta = store(key, bytes, u.meta, multipartEtag(chosen.value.map((p) => p.md5)), {
        partsCount: chosen.value.length,
        partSizes: chosen.value.map((p) => p.size),
        ...sum.value,
      });
      if (completed.size >= COMPLETIONS_KEPT) completed.delete(completed.keys().next().value!);
      completed.set(id, completionRecord(parts, meta));
      return Promise.resolve(ok(meta));
    },
    abortMultipartUpload({ key, uploadId: id }) {
      const u = uploads.get(id);
      if (!u || u.key !== key) return Promise.resolve(err(noSuchUpload()));
      uploads.delete(id);
      return Promise.resolve(ok(undefined));
    },
    listParts({ key, uploadId: id }, o) {
      const u = uploads.get(id);
      if (!u || u.key !== key) return Promise.resolve(err(noSuchUpload()));
      const sorted = [...u.parts.values()].sort((a, b) => a.partNumber - b.partNumber);
      const page = pageParts(sorted, o);
      return Promise.resolve(ok(u.checksum ? { ...page, checksum: u.checksum } : page));
    },
    listMultipartUploads(o) {
      const all: UploadInfo[] = [...uploads.entries()].map(([uploadId, u]) => ({
        key: u.key,
        uploadId,
        initiated: u.initiated,
      })).sort((a, b) => compareKeys(a.key, b.key) || a.uploadId.localeCompare(b.uploadId));
      return Promise.resolve(ok(pageUploads(all, o)));
    },
  };
}
