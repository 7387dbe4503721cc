/**
 * The `az` backend: Azure Blob Storage (and Azurite) behind the S3 semantics
 * of the Backend interface. Block blobs hold the objects; bodies stream both
 * ways; uploads over 256 MiB, of unknown length, and multipart uploads become
 * Put Block + Put Block List. S3 conditions and ETags (MD5-based) are
 * evaluated here, with Azure's own ETag pinning the version between the check
 * and the operation. Upload state lives under `.bucketgate/uploads/` in the
 * container, which no S3 request lists, reads, writes or deletes in any
 * spelling (`isAzInternal`).
 */
import { Buffer } from "node:buffer";
import { createHash, type Hash } from "node:crypto";
import { XMLParser } from "fast-xml-parser";
import { uriEncode } from "../../sigv4/canonical.ts";
import { USER_AGENT } from "../../version.ts";
import { parseWith } from "../../xml.ts";
import { type ProxyError, proxyError, type ProxyErrorKind, toProxyError } from "../../errors.ts";
import { err, ok, type Result } from "../../result.ts";
import type {
  Backend,
  BackendResult,
  CopyOptions,
  HttpMeta,
  ListEntry,
  ObjectMeta,
  PartInfo,
  StoreLocation,
  UploadInfo,
  WriteConditions,
} from "../backend.ts";
import { checkReadConditions, checkWriteConditions } from "../conditions.ts";
import { multipartEtag } from "../etag.ts";
import {
  compareKeys,
  hasDotSegment,
  reservedKeyWrite,
  unstorableKeyRead,
  urlPathProblem,
} from "../keys.ts";
import { pageUploads } from "../listing.ts";
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
} from "../multipart.ts";
import { partRangeSpec, resolveRange } from "../range.ts";
import { backendRequest } from "../retry.ts";
import { collect } from "../../streams/limits.ts";
import { watchedStream } from "../../streams/idle.ts";
import { type HttpBody, type HttpResponse, release } from "../s3/http.ts";
import { blockId, blocksOf, partBlockId } from "./blocks.ts";
import {
  blobHeaders,
  checksumsOf,
  metadataOf,
  metaFromHeaders,
  s3Etag,
  splitMetadata,
} from "./metadata.ts";
import type { AzOptions } from "./options.ts";
import { sharedKeyAuthorization } from "./shared_key.ts";

/** The Blob service version bucketgate speaks. */
export const AZ_API_VERSION = "2021-12-02";
/** Bodies up to this size (known length) go up in one Put Blob. */
export const MAX_SINGLE_PUT = 256 * 1024 * 1024;
/** Block size of larger uploads of known length (streamed, not buffered). */
export const STREAMED_BLOCK = 100 * 1024 * 1024;
/** Block size of uploads of unknown length (buffered). */
export const BUFFERED_BLOCK = 8 * 1024 * 1024;
/** Largest part of unknown length buffered before it is sent. */
export const MAX_BUFFERED_PART = 64 * 1024 * 1024;
/** Container-level prefix of bucketgate's own blobs (multipart state). */
export const INTERNAL_PREFIX = ".bucketgate/";
const UPLOADS = `${INTERNAL_PREFIX}uploads/`;
const INTERNAL_NAME = INTERNAL_PREFIX.slice(0, -1);

/**
 * Whether a blob name (a key with any backend_prefix already added) would reach
 * the internal namespace, read the way any hop might read it: `\\` as `/`, `.`
 * and `..` segments resolved (URL parsing), trailing dots of a segment trimmed
 * (Azure's front end does), empty segments dropped (`/x`, `a//x`). The first
 * segment left is compared exactly: Azure blob names are case-sensitive. The
 * one predicate every az entry point and the listing use.
 */
export function isAzInternal(name: string): boolean {
  const segments: string[] = [];
  for (const raw of name.split(/[\\/]/)) {
    if (raw === "..") {
      segments.pop();
      continue;
    }
    const s = raw.replace(/\.+$/, ""); // `.` and trailing dots
    if (s !== "") segments.push(s);
  }
  return segments[0] === INTERNAL_NAME;
}

/** Whether every blob name that starts with `prefix` is internal (`.bucketgate/`, `/.bucketgate/`…). */
function allInternal(prefix: string): boolean {
  return isAzInternal(prefix + "x");
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  processEntities: true,
  htmlEntities: false,
  parseTagValue: false,
  trimValues: false,
  isArray: (name: string) => name === "Blob" || name === "BlobPrefix" || name === "Block",
});

function parseXml(text: string): Record<string, unknown> | undefined {
  return parseWith(parser, text);
}

const str = (v: unknown): string =>
  typeof v === "string" ? v : v === undefined || v === null ? "" : String(v);

/** A blob name from a listing: plain text, or percent-encoded when `Encoded="true"`. */
function nameOf(v: unknown): string {
  if (typeof v === "object" && v !== null) {
    const o = v as Record<string, unknown>;
    const text = str(o["#text"]);
    return o["@Encoded"] === "true" ? decodeURIComponent(text) : text;
  }
  return str(v);
}

// Azure error codes whose meaning the client should see; anything else is a 503.
const AZURE_ERRORS: Record<string, ProxyErrorKind> = {
  BlobNotFound: "NoSuchKey",
  ConditionNotMet: "PreconditionFailed",
  TargetConditionNotMet: "PreconditionFailed",
  BlobAlreadyExists: "PreconditionFailed",
  InvalidRange: "InvalidRange",
  Md5Mismatch: "BadDigest",
  RequestBodyTooLarge: "EntityTooLarge",
  InvalidBlockList: "InvalidPart",
};

async function errorFrom(res: HttpResponse, what: string): Promise<ProxyError> {
  if (res.status === 304) {
    await release(res);
    return proxyError("NotModified", "Not Modified");
  }
  const text = res.body ? await new Response(res.body).text().catch(() => "") : "";
  const e = parseXml(text)?.Error as { Code?: unknown; Message?: unknown } | undefined;
  const code = res.headers.get("x-ms-error-code") ?? str(e?.Code);
  const kind = AZURE_ERRORS[code] ??
    (res.status === 404 && !code
      ? "NoSuchKey"
      : res.status === 412
      ? "PreconditionFailed"
      : undefined);
  if (kind === "NoSuchKey") return proxyError(kind, "The specified key does not exist.");
  if (kind === "PreconditionFailed") {
    return proxyError(kind, "At least one of the pre-conditions you specified did not hold");
  }
  if (kind) return proxyError(kind, `${what}: ${code}`);
  const message = str(e?.Message).split("\n")[0];
  return proxyError(
    "BackendError",
    "The backend failed",
    `${what}: HTTP ${res.status} ${code} ${message} (x-ms-request-id ${
      res.headers.get("x-ms-request-id") ?? "-"
    })`,
  );
}

/** An MD5 computed over a stream as it passes. */
function md5Tap(stream: ReadableStream<Uint8Array>): {
  stream: ReadableStream<Uint8Array>;
  hash: Hash;
} {
  const hash = createHash("md5");
  const tap = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, c) {
      hash.update(chunk);
      c.enqueue(chunk);
    },
  });
  return { stream: stream.pipeThrough(tap), hash };
}

/** What a write stored: its size, its MD5 (base64) and Azure's response headers. */
interface Written {
  readonly size: number;
  readonly md5: string | undefined;
  readonly headers: Headers;
}

/** A blob as List Blobs shows it, with bucketgate's internal metadata. */
interface BlobEntry extends ListEntry {
  readonly internal: Readonly<Record<string, string>>;
}

/** The upload marker's body: what CreateMultipartUpload was given. */
interface UploadRecord {
  readonly key: string;
  readonly meta: HttpMeta;
}

/** Upload sizes of the az backend (smaller in tests). */
export interface AzSizes {
  /** Largest body of known length sent in one Put Blob. */
  readonly maxSinglePut: number;
  /** Block size of larger bodies of known length (streamed). */
  readonly streamedBlock: number;
  /** Block size of bodies of unknown length (buffered). */
  readonly bufferedBlock: number;
}

/** Collaborators of the az backend. */
export interface AzDeps {
  readonly now?: () => number;
  readonly sizes?: AzSizes;
}

/** Creates an az backend. */
export function createAzBackend(o: AzOptions, deps: AzDeps = {}): Backend {
  const now = deps.now ?? (() => Date.now());
  const sizes = deps.sizes ??
    { maxSinglePut: MAX_SINGLE_PUT, streamedBlock: STREAMED_BLOCK, bufferedBlock: BUFFERED_BLOCK };
  const accountPath = new URL(o.endpoint).pathname.replace(/\/+$/, "");
  const containerPath = `${accountPath}/${o.containerName}`;
  const origin = new URL(o.endpoint).origin;
  /** The one place a key becomes a blob path. */
  const pathOf = (key: string) => `${containerPath}/${uriEncode(key, true)}`;
  /** A blob's path in any container of the account (for copy sources). */
  const blobPath = (loc: StoreLocation) =>
    `${accountPath}/${loc.bucket}/${uriEncode(loc.key, true)}`;
  // One store: the same account reached with the same authorization (a SAS by its digest).
  const store = `az ${origin}${accountPath} ${o.accountName} ${
    o.auth.kind === "sas"
      ? createHash("sha256").update(o.auth.token).digest("hex").slice(0, 16)
      : o.auth.kind
  }`;
  const locate = (key: string): StoreLocation => ({ store, bucket: o.containerName, key });
  /** Last listing pages' continuation: `prefix\0delimiter\0lastKey` → Azure marker. */
  const markers = new Map<string, string>();

  async function call(
    method: string,
    path: string,
    query: Record<string, string>,
    headers: Record<string, string>,
    body?: HttpBody,
    signal?: AbortSignal,
    streamBody = false,
  ): Promise<Result<HttpResponse, ProxyError>> {
    const dots = urlPathProblem(path, "az");
    if (dots) return err(dots);
    const q = Object.entries(query).map(([k, v]) => `${uriEncode(k)}=${uriEncode(v)}`);
    if (o.auth.kind === "sas") q.push(o.auth.token);
    const url = new URL(`${origin}${path}${q.length ? "?" + q.join("&") : ""}`);
    const h: Record<string, string> = {
      "x-ms-version": AZ_API_VERSION,
      "x-ms-date": new Date(now()).toUTCString(),
      "accept-encoding": "identity",
      "user-agent": USER_AGENT,
      ...headers,
    };
    const length = body?.kind === "bytes" ? body.bytes.byteLength : body?.length;
    if (o.auth.kind === "shared-key") {
      const signed = length ? { ...h, "content-length": String(length) } : h;
      h.authorization = sharedKeyAuthorization(o.auth.credentials, {
        method,
        url,
        headers: signed,
      });
    }
    return await backendRequest({
      method,
      url,
      headers: h,
      body,
      timeoutMs: o.requestTimeoutMs,
      signal,
      streamBody,
    });
  }

  /** Calls and requires one of `statuses`; the body is left to the caller. */
  async function expect(
    what: string,
    statuses: readonly number[],
    ...args: Parameters<typeof call>
  ): Promise<Result<HttpResponse, ProxyError>> {
    const r = await call(...args);
    if (!r.ok) return r;
    if (!statuses.includes(r.value.status)) return err(await errorFrom(r.value, what));
    return r;
  }

  async function xml(res: HttpResponse, what: string) {
    const text = res.body ? await new Response(res.body).text() : "";
    const doc = parseXml(text);
    return doc
      ? ok(doc)
      : err(proxyError("BackendError", "The backend failed", `${what}: unparseable XML`));
  }

  /** Get Blob Properties: the blob's response headers, or NoSuchKey / the mapped error. */
  async function properties(path: string): Promise<Result<Headers, ProxyError>> {
    const r = await expect("GetBlobProperties", [200], "HEAD", path, {}, {});
    if (!r.ok) return r;
    await release(r.value);
    return ok(r.value.headers);
  }

  /** A key that cannot name a client's blob: the internal namespace, or dot segments. */
  const unreadable = (key: string) => isAzInternal(key) || hasDotSegment(pathOf(key));

  async function head(key: string): BackendResult<ObjectMeta> {
    if (unreadable(key)) return err(unstorableKeyRead());
    const r = await properties(pathOf(key));
    return r.ok ? ok(metaFromHeaders(key, r.value)) : r;
  }

  /**
   * S3 write conditions, checked against the current object, as Azure
   * conditions that hold only while it stays that version.
   */
  async function writeGuard(
    key: string,
    c: WriteConditions | undefined,
  ): Promise<Result<Record<string, string>, ProxyError>> {
    if (!c || (!c.ifMatch && !c.ifNoneMatch)) return ok({});
    const current = await properties(pathOf(key));
    if (!current.ok && current.error.kind !== "NoSuchKey") return current;
    const meta = current.ok ? metaFromHeaders(key, current.value) : undefined;
    const failed = checkWriteConditions(meta, c);
    if (failed) return err(failed);
    const etag = current.ok ? current.value.get("etag") : null;
    return ok(etag ? { "if-match": etag } : { "if-none-match": "*" });
  }

  /** Commits blocks as the blob's content with its properties and metadata. */
  async function commitBlocks(
    key: string,
    ids: readonly string[],
    headers: Record<string, string>,
  ): Promise<Result<HttpResponse, ProxyError>> {
    const list = `<?xml version="1.0" encoding="utf-8"?><BlockList>${
      ids.map((id) => `<Latest>${id}</Latest>`).join("")
    }</BlockList>`;
    const r = await expect("PutBlockList", [201], "PUT", pathOf(key), { comp: "blocklist" }, {
      "content-type": "application/xml",
      ...headers,
    }, { kind: "bytes", bytes: new TextEncoder().encode(list) });
    if (r.ok) await release(r.value);
    return r;
  }

  async function putBlock(
    key: string,
    id: string,
    body: HttpBody,
    signal?: AbortSignal,
  ): Promise<Result<HttpResponse, ProxyError>> {
    const r = await expect(
      "PutBlock",
      [201],
      "PUT",
      pathOf(key),
      {
        comp: "block",
        blockid: id,
      },
      {},
      body,
      signal,
    );
    if (r.ok) await release(r.value);
    return r;
  }

  /** Writes a blob from blocks: streamed slices of a known length, or buffered blocks. */
  async function putInBlocks(
    key: string,
    stream: ReadableStream<Uint8Array>,
    length: number | undefined,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<Result<Written, ProxyError>> {
    // Streamed slices are watched for an idle client by the transport (s3/http.ts);
    // a body of unknown length is gathered here, so it is watched here.
    const tapped = md5Tap(length === undefined ? watchedStream(stream, signal) : stream);
    const id = newUploadId();
    const ids: string[] = [];
    let size = 0;
    try {
      for await (
        const block of blocksOf(tapped.stream, length, {
          blockSize: sizes.streamedBlock,
          bufferSize: sizes.bufferedBlock,
        })
      ) {
        const bid = blockId(id, ids.length + 1);
        const r = await putBlock(key, bid, block, signal);
        if (!r.ok) return r;
        ids.push(bid);
        size += block.kind === "bytes" ? block.bytes.byteLength : block.length;
      }
    } catch (e) {
      return err(toProxyError(e, "IncompleteBody"));
    }
    const md5 = tapped.hash.digest("base64");
    const r = await commitBlocks(key, ids, { ...headers, "x-ms-blob-content-md5": md5 });
    return r.ok ? ok({ size, md5, headers: r.value.headers }) : r;
  }

  /** One page of List Blobs. */
  async function listBlobs(q: {
    prefix: string;
    delimiter?: string;
    marker?: string;
    maxResults: number;
  }) {
    const query: Record<string, string> = {
      restype: "container",
      comp: "list",
      include: "metadata",
      prefix: q.prefix,
      maxresults: String(q.maxResults),
    };
    if (q.delimiter) query.delimiter = q.delimiter;
    if (q.marker) query.marker = q.marker;
    const r = await expect("ListBlobs", [200], "GET", containerPath, query, {});
    if (!r.ok) return r;
    const doc = await xml(r.value, "ListBlobs");
    if (!doc.ok) return doc;
    const res = doc.value.EnumerationResults as Record<string, unknown> | undefined;
    const blobs = (res?.Blobs ?? {}) as Record<string, unknown>;
    const entries = ((blobs.Blob ?? []) as Record<string, unknown>[]).map((b): BlobEntry => {
      const p = (b.Properties ?? {}) as Record<string, unknown>;
      const meta = (typeof b.Metadata === "object" && b.Metadata ? b.Metadata : {}) as Record<
        string,
        unknown
      >;
      const { internal } = splitMetadata(Object.entries(meta).map(([k, v]) => [k, str(v)]));
      return {
        key: nameOf(b.Name),
        size: Number(str(p["Content-Length"])),
        etag: s3Etag(internal.etag, str(p["Content-MD5"]) || undefined, str(p.Etag)),
        lastModified: new Date(str(p["Last-Modified"])),
        internal,
      };
    });
    const prefixes = ((blobs.BlobPrefix ?? []) as Record<string, unknown>[]).map((p) =>
      nameOf(p.Name)
    );
    return ok({ entries, prefixes, nextMarker: str(res?.NextMarker) || undefined });
  }

  /** Every blob under an internal prefix (upload state is small). */
  async function listAll(prefix: string): Promise<Result<BlobEntry[], ProxyError>> {
    const out: BlobEntry[] = [];
    let marker: string | undefined;
    do {
      const page = await listBlobs({ prefix, maxResults: 5000, ...(marker ? { marker } : {}) });
      if (!page.ok) return page;
      out.push(...page.value.entries);
      marker = page.value.nextMarker;
    } while (marker);
    return ok(out);
  }

  /**
   * Whether a listing's common prefix holds a blob a client may see: never one
   * under the internal namespace; one that the internal namespace merely starts
   * with (`.bucket` with delimiter `e`) only when something else is under it.
   */
  async function visibleGroup(group: string): Promise<Result<boolean, ProxyError>> {
    if (allInternal(group)) return ok(false);
    if (!INTERNAL_PREFIX.startsWith(group)) return ok(true);
    let marker: string | undefined;
    do {
      // With delimiter `/` all of `.bucketgate/` is one entry: a handful of results settle it.
      const page = await listBlobs({
        prefix: group,
        delimiter: "/",
        maxResults: 10,
        ...(marker ? { marker } : {}),
      });
      if (!page.ok) return page;
      if (page.value.entries.some((e) => !isAzInternal(e.key))) return ok(true);
      if (page.value.prefixes.some((p) => !allInternal(p))) return ok(true);
      marker = page.value.nextMarker;
    } while (marker);
    return ok(false);
  }

  const uploadPath = (uploadId: string) => `${UPLOADS}${uploadId}/upload`;
  const partPath = (uploadId: string, n: number) =>
    `${UPLOADS}${uploadId}/part-${String(n).padStart(5, "0")}`;

  /** The upload's record, or NoSuchUpload. */
  async function upload(key: string, uploadId: string): Promise<Result<UploadRecord, ProxyError>> {
    if (!isUploadId(uploadId) || isAzInternal(key)) return err(noSuchUpload());
    const r = await call("GET", pathOf(uploadPath(uploadId)), {}, {});
    if (!r.ok) return r;
    if (r.value.status === 404) {
      await release(r.value);
      return err(noSuchUpload());
    }
    if (r.value.status !== 200) return err(await errorFrom(r.value, "GetBlob"));
    try {
      const record = JSON.parse(await new Response(r.value.body).text()) as UploadRecord;
      return record.key === key ? ok(record) : err(noSuchUpload());
    } catch {
      return err(noSuchUpload());
    }
  }

  async function storedParts(uploadId: string) {
    const all = await listAll(`${UPLOADS}${uploadId}/part-`);
    if (!all.ok) return all;
    const parts = new Map<number, StoredPart & { block: string }>();
    for (const b of all.value) {
      const n = Number(b.key.slice(-5));
      parts.set(n, {
        block: b.internal.block ?? blockId(uploadId, n),
        partNumber: n,
        etag: `"${b.internal.md5}"`,
        md5: b.internal.md5 ?? "",
        size: Number(b.internal.size),
        lastModified: b.lastModified,
      });
    }
    return ok(parts);
  }

  const completionPath = (uploadId: string) => `${UPLOADS}${uploadId}/completed`;

  /**
   * Keeps what a completed upload answered, for a Complete sent again (SDKs retry one
   * whose answer was lost). Best effort: the object is in place either way.
   */
  async function keepCompletion(uploadId: string, record: CompletionRecord): Promise<void> {
    const bytes = new TextEncoder().encode(JSON.stringify(record));
    await putSmall(completionPath(uploadId), bytes, {});
  }

  async function completionOf(uploadId: string): Promise<CompletionRecord | undefined> {
    const r = await call("GET", pathOf(completionPath(uploadId)), {}, {});
    if (!r.ok) return undefined;
    if (r.value.status !== 200) {
      await release(r.value);
      return undefined;
    }
    try {
      return JSON.parse(await new Response(r.value.body).text()) as CompletionRecord;
    } catch {
      return undefined;
    }
  }

  async function removeUpload(uploadId: string): Promise<Result<void, ProxyError>> {
    const all = await listAll(`${UPLOADS}${uploadId}/`);
    if (!all.ok) return all;
    for (const b of all.value) {
      const r = await del(b.key);
      if (!r.ok) return r;
    }
    return ok(undefined);
  }

  async function del(key: string): Promise<Result<void, ProxyError>> {
    const r = await call("DELETE", pathOf(key), {}, { "x-ms-delete-snapshots": "include" });
    if (!r.ok) return r;
    if (r.value.status === 202 || r.value.status === 404) {
      await release(r.value);
      return ok(undefined);
    }
    return err(await errorFrom(r.value, "DeleteBlob"));
  }

  /** A small internal blob with metadata. */
  async function putSmall(
    path: string,
    bytes: Uint8Array,
    metadata: Record<string, string>,
  ): Promise<Result<void, ProxyError>> {
    const h: Record<string, string> = { "x-ms-blob-type": "BlockBlob" };
    for (const [k, v] of Object.entries(metadata)) h[`x-ms-meta-bgi_${k}`] = v;
    const r = await expect("PutBlob", [201], "PUT", pathOf(path), {}, h, { kind: "bytes", bytes });
    if (!r.ok) return r;
    await release(r.value);
    return ok(undefined);
  }

  /** Server-side copy (Copy Blob) from any container of this account. */
  async function copyFrom(
    from: StoreLocation,
    dst: string,
    opts: CopyOptions,
  ): BackendResult<ObjectMeta> {
    const refused = reserved(dst);
    if (refused) return err(refused);
    // The source container's internal namespace is at its root too.
    if (unreadable(from.key)) return err(unstorableKeyRead());
    const guard = await writeGuard(dst, opts.conditions);
    if (!guard.ok) return guard;
    const source = await properties(blobPath(from));
    if (!source.ok) return source;
    if (blobPath(from) !== pathOf(dst)) {
      const url = new URL(`${origin}${blobPath(from)}`);
      if (o.auth.kind === "sas") url.search = o.auth.token;
      const r = await expect("CopyBlob", [202, 201], "PUT", pathOf(dst), {}, {
        "x-ms-copy-source": url.href,
        "x-ms-source-if-match": source.value.get("etag") ?? "*",
        ...guard.value,
      });
      if (!r.ok) return r;
      await release(r.value);
      const done = await copyFinished(dst, r.value.headers.get("x-ms-copy-status"));
      if (!done.ok) return done;
    }
    if (opts.meta) {
      // REPLACE: exactly the new metadata (plus what bucketgate keeps), and every property.
      const { internal } = metadataOf(source.value);
      const checksums = checksumsOf(internal);
      const all = blobHeaders(opts.meta, {
        ...(internal.etag ? { etag: internal.etag } : {}),
        ...(checksums ? { checksums } : {}),
      });
      const metaOnly = Object.fromEntries(
        Object.entries(all).filter(([k]) => k.startsWith("x-ms-meta-")),
      );
      const props = Object.fromEntries(
        Object.entries(all).filter(([k]) => !k.startsWith("x-ms-meta-")),
      );
      const md5 = source.value.get("content-md5");
      if (md5) props["x-ms-blob-content-md5"] = md5;
      const m = await expect("SetBlobMetadata", [200], "PUT", pathOf(dst), {
        comp: "metadata",
      }, metaOnly);
      if (!m.ok) return m;
      await release(m.value);
      const p = await expect("SetBlobProperties", [200], "PUT", pathOf(dst), {
        comp: "properties",
      }, props);
      if (!p.ok) return p;
      await release(p.value);
    }
    return await head(dst);
  }

  const reserved = (key: string) =>
    isAzInternal(key) ? reservedKeyWrite("az", INTERNAL_PREFIX) : undefined;

  return {
    head,

    async get(key, opts = {}) {
      if (unreadable(key)) return err(unstorableKeyRead());
      const h: Record<string, string> = {};
      let range = opts.range;
      if (range?.kind === "suffix" || opts.partNumber) {
        // Azure has no suffix ranges and no parts: resolve against the size, pinned to that version.
        const r = await properties(pathOf(key));
        if (!r.ok) return r;
        const meta = metaFromHeaders(key, r.value);
        const failed = opts.conditions ? checkReadConditions(meta, opts.conditions) : undefined;
        if (failed) return err(failed);
        const spec = opts.partNumber ? partRangeSpec(meta, opts.partNumber) : ok(range);
        if (!spec.ok) return spec;
        const resolved = spec.value ? resolveRange(spec.value, meta.size) : undefined;
        if (resolved && !resolved.ok) return resolved;
        range = resolved && { kind: "from", start: resolved.value.start, end: resolved.value.end };
        const etag = r.value.get("etag");
        if (etag) h["if-match"] = etag;
      }
      if (range) h["x-ms-range"] = `bytes=${range.start}-${range.end ?? ""}`;
      const r = await call("GET", pathOf(key), {}, h, undefined, opts.signal, true);
      if (!r.ok) return r;
      const res = r.value;
      if (res.status !== 200 && res.status !== 206) return err(await errorFrom(res, "GetBlob"));
      const meta = metaFromHeaders(key, res.headers);
      // Not every Azure answers 416 for a range starting at the end: S3 does.
      const unsatisfiable = range ? resolveRange(range, meta.size) : undefined;
      const failed = (opts.conditions ? checkReadConditions(meta, opts.conditions) : undefined) ??
        (unsatisfiable && !unsatisfiable.ok ? unsatisfiable.error : undefined);
      if (failed) {
        await release(res);
        return err(failed);
      }
      const cr = /bytes (\d+)-(\d+)\//.exec(res.headers.get("content-range") ?? "");
      const served = res.status === 206 && cr
        ? { start: Number(cr[1]), end: Number(cr[2]) }
        : range
        ? { start: 0, end: Math.max(0, meta.size - 1) }
        : undefined;
      return ok({
        meta,
        ...(served ? { range: served } : {}),
        body: res.body ?? new ReadableStream({ start: (c) => c.close() }),
      });
    },

    async put(key, stream, opts) {
      const refused = reserved(key);
      const guard = refused ? err(refused) : await writeGuard(key, opts.conditions);
      if (!guard.ok) {
        await stream.cancel().catch(() => {});
        return guard;
      }
      const headers = {
        ...blobHeaders(opts.meta, { ...(opts.checksums ? { checksums: opts.checksums } : {}) }),
        ...guard.value,
      };
      const length = opts.contentLength;
      let written: Written;
      if (length !== undefined && length <= sizes.maxSinglePut) {
        const r = await expect(
          "PutBlob",
          [201],
          "PUT",
          pathOf(key),
          {},
          {
            ...headers,
            "x-ms-blob-type": "BlockBlob",
          },
          { kind: "stream", stream, length },
          opts.signal,
        );
        if (!r.ok) return r;
        await release(r.value);
        // Azure computes the MD5 of a Put Blob and returns it.
        written = {
          size: length,
          md5: r.value.headers.get("content-md5") ?? undefined,
          headers: r.value.headers,
        };
      } else {
        const r = await putInBlocks(key, stream, length, headers, opts.signal);
        if (!r.ok) return r;
        written = r.value;
      }
      return ok({
        ...opts.meta,
        key,
        size: written.size,
        etag: s3Etag(undefined, written.md5, written.headers.get("etag") ?? ""),
        lastModified: new Date(written.headers.get("last-modified") ?? now()),
        ...(opts.checksums && Object.keys(opts.checksums).length
          ? { checksums: opts.checksums }
          : {}),
      });
    },

    locate,

    async copy(src, dst, opts) {
      return await copyFrom(locate(src), dst, opts);
    },

    copyFrom,

    async delete(key) {
      // Nothing a client stored can be there: deleting it deletes nothing, as for a missing key.
      if (unreadable(key)) return ok(undefined);
      return await del(key);
    },

    async list(opts) {
      if (allInternal(opts.prefix)) {
        return ok({ objects: [], commonPrefixes: [], isTruncated: false });
      }
      const cacheKey = (last: string) => `${opts.prefix}\0${opts.delimiter ?? ""}\0${last}`;
      const after = opts.startAfter;
      let marker = after !== undefined ? markers.get(cacheKey(after)) : undefined;
      // Without a remembered marker, scan from the prefix and skip what is not after startAfter.
      const skipping = after !== undefined && marker === undefined;
      const isAfter = (k: string) =>
        !skipping ||
        (compareKeys(k, after!) > 0 &&
          !(opts.delimiter && after!.endsWith(opts.delimiter) && k.startsWith(after!)));
      const objects: ListEntry[] = [];
      const commonPrefixes: string[] = [];
      let more: string | undefined;
      for (;;) {
        const page = await listBlobs({
          prefix: opts.prefix,
          ...(opts.delimiter ? { delimiter: opts.delimiter } : {}),
          ...(marker ? { marker } : {}),
          maxResults: opts.maxKeys - objects.length - commonPrefixes.length,
        });
        if (!page.ok) return page;
        for (const e of page.value.entries) {
          if (!isAzInternal(e.key) && isAfter(e.key)) {
            objects.push({ key: e.key, size: e.size, etag: e.etag, lastModified: e.lastModified });
          }
        }
        for (const p of page.value.prefixes) {
          if (!isAfter(p)) continue;
          const visible = await visibleGroup(p);
          if (!visible.ok) return visible;
          if (visible.value) commonPrefixes.push(p);
        }
        marker = page.value.nextMarker;
        if (!marker) break;
        if (objects.length + commonPrefixes.length >= opts.maxKeys) {
          more = marker;
          break;
        }
      }
      const last = [...objects.map((x) => x.key), ...commonPrefixes].sort(compareKeys).at(-1);
      if (more && last !== undefined) {
        if (markers.size >= 1000) markers.delete(markers.keys().next().value!);
        markers.set(cacheKey(last), more);
      }
      return ok({
        objects: objects.sort((a, b) => compareKeys(a.key, b.key)),
        commonPrefixes: commonPrefixes.sort(compareKeys),
        isTruncated: more !== undefined,
        ...(more !== undefined && last !== undefined ? { nextStartAfter: last } : {}),
      });
    },

    async createMultipartUpload(key, meta) {
      const refused = reserved(key);
      if (refused) return err(refused);
      const uploadId = newUploadId();
      const record: UploadRecord = { key, meta };
      const r = await putSmall(
        uploadPath(uploadId),
        new TextEncoder().encode(JSON.stringify(record)),
        { key: Buffer.from(key).toString("base64url"), initiated: String(now()) },
      );
      return r.ok ? ok(uploadId) : r;
    },

    async uploadPart(key, uploadId, n, stream, opts) {
      const u = await upload(key, uploadId);
      if (!u.ok) {
        await stream.cancel().catch(() => {});
        return u;
      }
      // As in putInBlocks: a part of unknown length is gathered here, so watched here.
      const tapped = md5Tap(
        opts.contentLength !== undefined ? stream : watchedStream(stream, opts.signal),
      );
      let body: HttpBody;
      if (opts.contentLength !== undefined) {
        body = { kind: "stream", stream: tapped.stream, length: opts.contentLength };
      } else {
        try {
          const bytes = await collect(tapped.stream, MAX_BUFFERED_PART);
          if (!bytes) {
            return err(
              proxyError(
                "MissingContentLength",
                `Parts of unknown length are limited to ${MAX_BUFFERED_PART} bytes on this backend; send Content-Length`,
              ),
            );
          }
          body = { kind: "bytes", bytes };
        } catch (e) {
          return err(toProxyError(e, "IncompleteBody"));
        }
      }
      const size = body.kind === "bytes" ? body.bytes.byteLength : body.length;
      // Each upload of a part has its own block, named by its record: two uploads of one part
      // at once never pair one's record with the other's block; the record written last wins.
      const block = partBlockId(uploadId, n);
      const r = await putBlock(key, block, body, opts.signal);
      if (!r.ok) return r;
      const md5 = tapped.hash.digest("hex");
      const rec = await putSmall(partPath(uploadId, n), new Uint8Array(), {
        md5,
        size: String(size),
        block,
      });
      return rec.ok ? ok({ etag: `"${md5}"` }) : rec;
    },

    async completeMultipartUpload(key, uploadId, parts, conditions) {
      const u = await upload(key, uploadId);
      if (!u.ok) {
        return u.error.kind === "NoSuchUpload" && isUploadId(uploadId)
          ? replayCompletion(await completionOf(uploadId), key, parts)
          : u;
      }
      const stored = await storedParts(uploadId);
      if (!stored.ok) return stored;
      const valid = validateCompletion(parts, stored.value);
      if (!valid.ok) return valid;
      const guard = await writeGuard(key, conditions);
      if (!guard.ok) return guard;
      const etag = multipartEtag(valid.value.map((p) => p.md5)).replace(/"/g, "");
      const r = await commitBlocks(
        key,
        valid.value.map((p) => stored.value.get(p.partNumber)!.block),
        {
          ...blobHeaders(u.value.meta, { etag, partSizes: valid.value.map((p) => p.size) }),
          ...guard.value,
        },
      );
      if (!r.ok) return r;
      const removed = await removeUpload(uploadId);
      if (!removed.ok) return removed;
      const done = await head(key);
      if (done.ok) await keepCompletion(uploadId, completionRecord(parts, done.value));
      return done;
    },

    async abortMultipartUpload(key, uploadId) {
      const u = await upload(key, uploadId);
      if (!u.ok) return u;
      // Uncommitted blocks cannot be deleted; Azure drops them after a week.
      return await removeUpload(uploadId);
    },

    async listParts(key, uploadId, opts) {
      const u = await upload(key, uploadId);
      if (!u.ok) return u;
      const stored = await storedParts(uploadId);
      if (!stored.ok) return stored;
      const sorted: PartInfo[] = [...stored.value.values()].sort((a, b) =>
        a.partNumber - b.partNumber
      );
      return ok(pageParts(sorted, opts));
    },

    async listMultipartUploads(opts) {
      const all = await listAll(UPLOADS);
      if (!all.ok) return all;
      const uploads: UploadInfo[] = all.value
        .filter((b) => b.key.endsWith("/upload") && b.internal.key !== undefined)
        .map((b) => ({
          key: Buffer.from(b.internal.key!, "base64url").toString("utf8"),
          uploadId: b.key.slice(UPLOADS.length, -"/upload".length),
          initiated: new Date(Number(b.internal.initiated)),
        }))
        .sort((a, b) =>
          compareKeys(a.key, b.key) || a.initiated.getTime() - b.initiated.getTime() ||
          (a.uploadId < b.uploadId ? -1 : 1)
        );
      return ok(pageUploads(uploads, opts));
    },
  };

  /** Waits for an asynchronous Copy Blob to finish (same-account copies usually are at once). */
  async function copyFinished(
    key: string,
    status: string | null,
  ): Promise<Result<void, ProxyError>> {
    const deadline = now() + o.requestTimeoutMs;
    while (status === "pending") {
      if (now() > deadline) {
        return err(proxyError("BackendError", "The backend failed", "CopyBlob: still pending"));
      }
      await new Promise((r) => setTimeout(r, 200));
      const r = await properties(pathOf(key));
      if (!r.ok) return r;
      status = r.value.get("x-ms-copy-status");
    }
    if (status !== null && status !== "success") {
      return err(proxyError("BackendError", "The backend failed", `CopyBlob: status ${status}`));
    }
    return ok(undefined);
  }
}
