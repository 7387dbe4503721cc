/**
 * The Backend interface every store implements (memory, fs, s3, az), in three
 * parts: `ObjectStore` (head, get, put, copy, delete, list), `MultipartStore`
 * (the six multipart calls, an upload named by its `UploadRef`) and the
 * optional `ServerSideCopy` (locate, copyFrom). Code that needs only one part
 * takes only that part. A backend is bound to one virtual bucket; keys are
 * backend keys (with any `backend_prefix` already applied by `prefixed()`).
 * Bodies are streams in and out; no implementation holds a whole object in
 * memory unless it is the memory backend. Every method returns a Result and
 * never throws for expected failures.
 */
import type { ChecksumAlgorithm, ClaimedChecksum, UploadChecksum } from "../checksum/algorithm.ts";
import type { ObjectPartsSource, StoredPartAnswer } from "./multipart.ts";
import { META_HEADERS } from "./meta_headers.ts";
export type { Checksums, ClaimedChecksum, UploadChecksum } from "../checksum/algorithm.ts";
export type { ObjectPart, ObjectPartsPage } from "./multipart.ts";
export type { ObjectPartsSource, StoredPartAnswer };
import type { ProxyError } from "../errors.ts";
import type { Result } from "../result.ts";

/** The HTTP metadata stored with an object and given back on GET/HEAD. */
export interface HttpMeta {
  readonly contentType?: string;
  readonly contentEncoding?: string;
  readonly contentDisposition?: string;
  readonly contentLanguage?: string;
  readonly cacheControl?: string;
  readonly expires?: string;
  /** `x-amz-meta-*` without the prefix, names lower-case. */
  readonly userMetadata: Readonly<Record<string, string>>;
}

/** Only the HttpMeta fields of a meta: drops size, ETag, checksums and a store's answers. */
export function httpMetaOf(m: HttpMeta): HttpMeta {
  const out: { -readonly [K in keyof HttpMeta]: HttpMeta[K] } = { userMetadata: m.userMetadata };
  for (const [, field] of META_HEADERS) if (m[field] !== undefined) out[field] = m[field];
  return out;
}

/** What a backend knows about one stored object. */
export interface ObjectMeta extends HttpMeta {
  readonly key: string;
  readonly size: number;
  /** Quoted, as S3 sends it: `"d41d8cd98f00b204e9800998ecf8427e"` or `"…-3"`. */
  readonly etag: string;
  readonly lastModified: Date;
  readonly checksums?: Readonly<Partial<Record<ChecksumAlgorithm, string>>>;
  /** COMPOSITE for multipart objects with part checksums, else FULL_OBJECT. */
  readonly checksumType?: "COMPOSITE" | "FULL_OBJECT";
  /** A remote S3 store's answers the client should see (PASSED_RESPONSE_HEADERS). */
  readonly backendHeaders?: Readonly<Record<string, string>>;
  /**
   * How many parts a multipart object was assembled from: recorded at
   * CompleteMultipartUpload (local stores), or as a remote store reports it
   * (`x-amz-mp-parts-count` of a read by part number).
   */
  readonly partsCount?: number;
  /** The parts' sizes in order, where the backend recorded them (reads by part number). */
  readonly partSizes?: readonly number[];
  /** The parts' checksums (base64) in order, of the algorithm in `checksums`, where recorded. */
  readonly partChecksums?: readonly string[];
}

/** Request headers for a remote S3 store (FORWARDED_WRITE_HEADERS); other backends ignore them. */
export type ForwardedHeaders = Readonly<Record<string, string>>;

/** A Range request as parsed from `bytes=a-b`, `bytes=a-` or `bytes=-n`. */
export type RangeSpec =
  | { readonly kind: "from"; readonly start: number; readonly end?: number }
  | { readonly kind: "suffix"; readonly length: number };

/** A range resolved against an object's size; `end` inclusive. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** Conditional-read headers (If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since). */
export interface ReadConditions {
  readonly ifMatch?: string;
  readonly ifNoneMatch?: string;
  readonly ifModifiedSince?: Date;
  readonly ifUnmodifiedSince?: Date;
}

/** Conditional-write headers on PutObject / CompleteMultipartUpload. */
export interface WriteConditions {
  readonly ifMatch?: string;
  readonly ifNoneMatch?: string;
}

/** Conditional-delete headers on DeleteObject: only If-Match. */
export type DeleteConditions = Pick<WriteConditions, "ifMatch">;

/** Options of a read. */
export interface GetOptions {
  readonly range?: RangeSpec;
  /**
   * Reads one part of a multipart object (1-based; part 1 of any other object
   * is all of it): InvalidPartNumber beyond the last. Never with `range`.
   */
  readonly partNumber?: number;
  readonly conditions?: ReadConditions;
  /** Aborts the read (client went away). */
  readonly signal?: AbortSignal;
  /**
   * The caller drops the body (HeadObject by part number): a store reached over
   * HTTP may ask with a HEAD, whose answer names what its GET may not (moto's
   * `x-amz-mp-parts-count`), and give an empty body. @default false
   */
  readonly headOnly?: boolean;
}

/**
 * The bytes of a read: a stream, or the bytes themselves when the backend has
 * them at hand (small objects), which a Response sends without a stream.
 */
export type ObjectBody = ReadableStream<Uint8Array> | Uint8Array<ArrayBuffer>;

/** A body as a stream (for a write that takes one). */
export function bodyStream(body: ObjectBody): ReadableStream<Uint8Array> {
  if (!(body instanceof Uint8Array)) return body;
  return new ReadableStream({
    start(c) {
      if (body.length > 0) c.enqueue(body);
      c.close();
    },
  });
}

/** Lets go of a body that will not be read. */
export async function discardObjectBody(body: ObjectBody): Promise<void> {
  if (!(body instanceof Uint8Array)) await body.cancel();
}

/** A successful read: metadata, the served range (if any) and the bytes. */
export interface GetResult {
  readonly meta: ObjectMeta;
  readonly range?: ByteRange;
  readonly body: ObjectBody;
}

/** Options of a write. */
export interface PutOptions {
  readonly meta: HttpMeta;
  /** The exact number of bytes the body will yield, when known. */
  readonly contentLength?: number;
  readonly conditions?: WriteConditions;
  /** Checksums verified on the way in, stored with the object. */
  readonly checksums?: Readonly<Partial<Record<ChecksumAlgorithm, string>>>;
  /** A checksum to compute over the body and store (a trailer's, a copy's); s3 cannot. */
  readonly computeChecksum?: ChecksumAlgorithm;
  readonly forward?: ForwardedHeaders;
  readonly signal?: AbortSignal;
}

/** One entry of a listing page. */
export interface ListEntry {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  readonly lastModified: Date;
}

/** A listing request in backend terms: start strictly after `startAfter`. */
export interface ListOptions {
  readonly prefix: string;
  readonly delimiter?: string;
  /** Exclusive lower bound on keys (and common prefixes). */
  readonly startAfter?: string;
  /** 1..1000. */
  readonly maxKeys: number;
}

/** One page of a listing; keys and prefixes sorted in UTF-8 binary order. */
export interface ListPage {
  readonly objects: readonly ListEntry[];
  readonly commonPrefixes: readonly string[];
  readonly isTruncated: boolean;
  /** The last key or common prefix returned, when truncated (for the next page's startAfter). */
  readonly nextStartAfter?: string;
}

/** A part as named in CompleteMultipartUpload, with the checksums the client listed. */
export interface CompletedPart {
  readonly partNumber: number;
  /** Quoted or unquoted; compared without quotes. */
  readonly etag: string;
  readonly checksums?: ObjectMeta["checksums"];
}

/** A part as listed by ListParts. */
export interface PartInfo {
  readonly partNumber: number;
  readonly etag: string;
  readonly size: number;
  readonly lastModified: Date;
  readonly checksums?: ObjectMeta["checksums"];
}

/** One page of ListParts, with the upload's checksum algorithm and type when it has one. */
export interface PartsPage {
  readonly checksum?: UploadChecksum;
  readonly parts: readonly PartInfo[];
  readonly isTruncated: boolean;
  readonly nextPartNumberMarker?: number;
}

/** An upload in progress, as ListMultipartUploads shows it. */
export interface UploadInfo {
  readonly key: string;
  readonly uploadId: string;
  readonly initiated: Date;
}

/** ListMultipartUploads request in backend terms. */
export interface ListUploadsOptions {
  readonly prefix: string;
  readonly delimiter?: string;
  readonly keyMarker?: string;
  readonly uploadIdMarker?: string;
  readonly maxUploads: number;
}

/** One page of ListMultipartUploads. */
export interface UploadsPage {
  readonly uploads: readonly UploadInfo[];
  readonly commonPrefixes: readonly string[];
  readonly isTruncated: boolean;
  readonly nextKeyMarker?: string;
  readonly nextUploadIdMarker?: string;
}

/** Options of a server-side copy. */
export interface CopyOptions {
  /** Replaces the source's metadata when given (S3's REPLACE directive). */
  readonly meta?: HttpMeta;
  readonly conditions?: WriteConditions;
  readonly forward?: ForwardedHeaders;
}

/** Where a key lives in a remote store, for server-side copies between buckets of one store. */
export interface StoreLocation {
  /** Equal for two backends that reach one store with the same credentials (no secrets in it). */
  readonly store: string;
  /** The store's bucket or container. */
  readonly bucket: string;
  readonly key: string;
}

/** Shorthand for a backend call's outcome. */
export type BackendResult<T> = Promise<Result<T, ProxyError>>;

/** One multipart upload of a key. */
export interface UploadRef {
  readonly key: string;
  readonly uploadId: string;
}

/** Options of CreateMultipartUpload. */
export interface CreateUploadOptions {
  /** The metadata the assembled object will get. */
  readonly meta: HttpMeta;
  readonly checksum?: UploadChecksum;
  readonly forward?: ForwardedHeaders;
}

/** One part to store with UploadPart. */
export interface PartUpload {
  /** 1..10000. */
  readonly partNumber: number;
  readonly body: ReadableStream<Uint8Array>;
  /** The exact number of bytes the body will yield, when known. */
  readonly contentLength?: number;
  /** Checksums the client declared, and a trailer's algorithm (verified by the body's end). */
  readonly checksums?: ObjectMeta["checksums"];
  readonly trailing?: ChecksumAlgorithm;
  /** Aborts the upload of the part (client went away). */
  readonly signal?: AbortSignal;
}

/** Options of ListParts. */
export interface ListPartsOptions {
  /** Exclusive lower bound on part numbers. */
  readonly partNumberMarker?: number;
  readonly maxParts: number;
}

/** The objects of one virtual bucket: read, write, copy within, delete, list. */
export interface ObjectStore {
  /** Metadata of an object, or NoSuchKey. */
  head(key: string): BackendResult<ObjectMeta>;
  /**
   * Reads an object. Evaluates `conditions` (NotModified / PreconditionFailed,
   * S3's precedence) and `range` (InvalidRange when unsatisfiable).
   */
  get(key: string, options?: GetOptions): BackendResult<GetResult>;
  /**
   * Writes an object atomically: readers see the old or the new bytes, never a
   * part; a body that errors (a failed checksum) leaves nothing. Errors thrown
   * by the body stream are mapped with `toProxyError`.
   */
  put(
    key: string,
    body: ReadableStream<Uint8Array>,
    options: PutOptions,
  ): BackendResult<ObjectMeta>;
  /** Server-side copy within this backend; `meta` replaces the source's metadata when given. */
  copy(sourceKey: string, destKey: string, options: CopyOptions): BackendResult<ObjectMeta>;
  /**
   * Deletes an object; deleting an absent key succeeds. With `ifMatch`
   * (an ETag list or `*`), only a matching object goes: PreconditionFailed
   * when it does not match, NoSuchKey when there is none.
   */
  delete(key: string, conditions?: DeleteConditions): BackendResult<void>;
  /** One page of a listing. */
  list(options: ListOptions): BackendResult<ListPage>;
  /**
   * Whether the store answers, where that is cheaper to ask than a one-key
   * listing (fs: a stat of its root). `/readyz` lists the others.
   */
  readonly probe?: () => BackendResult<void>;
}

/** The multipart uploads of one virtual bucket. */
export interface MultipartStore {
  /** Starts a multipart upload; returns its upload id. */
  createMultipartUpload(key: string, options: CreateUploadOptions): BackendResult<string>;
  /** Stores one part; returns its quoted ETag and checksum. NoSuchUpload when unknown. */
  uploadPart(upload: UploadRef, part: PartUpload): BackendResult<StoredPartAnswer>;
  /**
   * Assembles the parts (InvalidPartOrder, InvalidPart, EntityTooSmall as S3 checks them), ETag
   * `md5-of-md5s-N`, the checksum from the parts' (BadDigest when not the `claimed` one).
   */
  completeMultipartUpload(
    upload: UploadRef,
    parts: readonly CompletedPart[],
    conditions?: WriteConditions,
    claimed?: ClaimedChecksum,
  ): BackendResult<ObjectMeta>;
  /** Drops an upload and its parts; NoSuchUpload when unknown. */
  abortMultipartUpload(upload: UploadRef): BackendResult<void>;
  /** Parts of an upload after `partNumberMarker`. */
  listParts(upload: UploadRef, options: ListPartsOptions): BackendResult<PartsPage>;
  /** Uploads in progress. */
  listMultipartUploads(options: ListUploadsOptions): BackendResult<UploadsPage>;
}

/** Server-side copies between buckets of one remote store (s3, az). */
export interface ServerSideCopy {
  /** Where a key lives in the store. */
  locate(key: string): StoreLocation;
  /** Server-side copy from another bucket of this backend's store (same `locate().store`). */
  copyFrom(
    source: StoreLocation,
    destKey: string,
    options: CopyOptions,
  ): BackendResult<ObjectMeta>;
}

/**
 * One virtual bucket's store: its objects, its multipart uploads, and
 * server-side copies between buckets where the store has them (s3, az).
 * Every method answers a `Result`: an expected failure is an `err` with the
 * S3 error it becomes, never a throw.
 *
 * @example Writing, reading and listing an object (the memory store)
 * ```ts
 * import assert from "node:assert/strict";
 * import { createMemoryBackend } from "./memory.ts";
 *
 * const store = createMemoryBackend();
 * const body = new Blob(["hello"]).stream();
 * const put = await store.put("docs/a.txt", body, {
 *   meta: { contentType: "text/plain", userMetadata: {} },
 *   contentLength: 5,
 * });
 * assert.ok(put.ok);
 * assert.equal(put.value.size, 5);
 *
 * const got = await store.get("docs/a.txt");
 * assert.ok(got.ok);
 * assert.equal(got.value.meta.contentType, "text/plain");
 * assert.equal(await new Response(got.value.body).text(), "hello");
 *
 * const page = await store.list({ prefix: "docs/", maxKeys: 1000 });
 * assert.ok(page.ok);
 * assert.deepEqual(page.value.objects.map((o) => o.key), ["docs/a.txt"]);
 *
 * const missing = await store.head("docs/b.txt");
 * assert.ok(!missing.ok);
 * assert.equal(missing.error.kind, "NoSuchKey");
 * ```
 */
export interface Backend
  extends ObjectStore, MultipartStore, Partial<ServerSideCopy>, Partial<ObjectPartsSource> {}
