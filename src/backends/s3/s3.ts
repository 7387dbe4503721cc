/**
 * The `s3` backend: any S3-compatible store (AWS S3, MinIO, R2, Ceph, moto).
 * Requests are signed with bucketgate's own SigV4 signer; bodies stream both
 * ways; uploads leave length-framed.
 */
import { XMLParser } from "fast-xml-parser";
import { uriEncode } from "../../sigv4/canonical.ts";
import { USER_AGENT } from "../../version.ts";
import { parseWith } from "../../xml.ts";
import { type SigningCredentials, signRequest } from "../../sigv4/sign.ts";
import { createSigningKeyCache, EMPTY_SHA256, sha256Hex } from "../../sigv4/signing_key.ts";
import {
  type ProxyError,
  proxyError,
  type ProxyErrorKind,
  toProxyError,
  withHeaders,
} from "../../errors.ts";
import { err, ok, type Result } from "../../result.ts";
import type {
  Backend,
  BackendResult,
  ByteRange,
  CopyOptions,
  HttpMeta,
  ObjectMeta,
  PartInfo,
  ReadConditions,
  StoreLocation,
  WriteConditions,
} from "../backend.ts";
import {
  checkReadConditions,
  checkWriteConditions,
  storeValidators,
  validatorHeaders,
} from "../conditions.ts";
import { type HttpBody, type HttpResponse, release } from "./http.ts";
import { collect } from "../../streams/limits.ts";
import { watchedStream } from "../../streams/idle.ts";
import { hasDotSegment, unstorableKeyRead, urlPathProblem } from "../keys.ts";
import { isHttpUrl } from "../../url.ts";
import { backendRequest } from "../retry.ts";
import { PASSED_RESPONSE_HEADERS, pickHeaders } from "../passthrough.ts";
import type { CredentialSource, OidcBackendAuth } from "../../oidc/backend_auth.ts";
import { OIDC_OPTION_KEYS, oidcBackendAuth, oidcOptionProblems } from "../../oidc/options.ts";

/** Validated options of an s3 bucket. */
export interface S3Options {
  readonly endpoint: string;
  readonly bucketName: string;
  readonly region: string;
  /** Static keys; absent with `skip_signature` or `auth_type: oidc`. */
  readonly credentials?: SigningCredentials;
  /** `auth_type: oidc`: credentials come from an STS exchange. */
  readonly oidc?: OidcBackendAuth;
  readonly forcePathStyle: boolean;
  readonly requestTimeoutMs: number;
}

/** The keys an s3 bucket's backend_options may hold. */
export const S3_OPTION_KEYS = [
  "endpoint",
  "bucket_name",
  "region",
  "access_key_id",
  "secret_access_key",
  "session_token",
  "skip_signature",
  "force_path_style",
  "request_timeout_secs",
  ...OIDC_OPTION_KEYS,
] as const;

/** Problems in s3 backend_options (paths relative to them). */
export function s3OptionProblems(o: Record<string, unknown>): { path: string; message: string }[] {
  const p: { path: string; message: string }[] = [];
  for (const k of Object.keys(o)) {
    if (!(S3_OPTION_KEYS as readonly string[]).includes(k)) {
      p.push({ path: k, message: "unknown option for the s3 backend" });
    }
  }
  if (typeof o.bucket_name !== "string" || o.bucket_name === "") {
    p.push({ path: "bucket_name", message: "required" });
  }
  if (o.region !== undefined && typeof o.region !== "string") {
    p.push({ path: "region", message: "must be a string" });
  }
  if (o.endpoint === undefined && typeof o.region !== "string") {
    p.push({ path: "region", message: "required when no endpoint is given" });
  }
  if (o.endpoint !== undefined && !isHttpUrl(o.endpoint)) {
    p.push({ path: "endpoint", message: "must be an http(s) URL" });
  }
  if (o.auth_type !== undefined) return [...p, ...oidcOptionProblems(o)];
  for (const k of OIDC_OPTION_KEYS) {
    if (o[k] !== undefined) p.push({ path: k, message: "only with auth_type: oidc" });
  }
  const skip = o.skip_signature === true;
  if (!skip && (typeof o.access_key_id !== "string" || typeof o.secret_access_key !== "string")) {
    p.push({
      path: "access_key_id",
      message:
        "access_key_id and secret_access_key are required unless skip_signature: true or auth_type: oidc",
    });
  }
  return p;
}

/** Builds validated options from backend_options (call s3OptionProblems first). */
export function s3Options(o: Record<string, unknown>): S3Options {
  const region = typeof o.region === "string" ? o.region : "us-east-1";
  const endpoint = typeof o.endpoint === "string"
    ? o.endpoint.replace(/\/+$/, "")
    : `https://s3.${region}.amazonaws.com`;
  const oidc = o.auth_type === "oidc" ? oidcBackendAuth(o, region) : undefined;
  const creds = o.skip_signature === true || oidc ? undefined : {
    accessKeyId: String(o.access_key_id),
    secretAccessKey: String(o.secret_access_key),
    ...(typeof o.session_token === "string" ? { sessionToken: o.session_token } : {}),
  };
  return {
    endpoint,
    bucketName: String(o.bucket_name),
    region,
    ...(creds ? { credentials: creds } : {}),
    ...(oidc ? { oidc } : {}),
    forcePathStyle: typeof o.force_path_style === "boolean"
      ? o.force_path_style
      : typeof o.endpoint === "string",
    requestTimeoutMs: (typeof o.request_timeout_secs === "number" ? o.request_timeout_secs : 60) *
      1000,
  };
}

const parser = new XMLParser({
  ignoreAttributes: true,
  processEntities: true,
  htmlEntities: false,
  parseTagValue: false,
  trimValues: false,
  removeNSPrefix: true,
  isArray: (name: string) => ["Contents", "CommonPrefixes", "Part", "Upload"].includes(name),
});

// Codes whose meaning the client should see; anything else is the backend's problem (503).
const PASS_THROUGH: Record<string, ProxyErrorKind> = {
  NoSuchKey: "NoSuchKey",
  NoSuchUpload: "NoSuchUpload",
  InvalidPart: "InvalidPart",
  InvalidPartOrder: "InvalidPartOrder",
  InvalidPartNumber: "InvalidPartNumber",
  EntityTooSmall: "EntityTooSmall",
  EntityTooLarge: "EntityTooLarge",
  InvalidRange: "InvalidRange",
  PreconditionFailed: "PreconditionFailed",
  BadDigest: "BadDigest",
  InvalidDigest: "InvalidDigest",
  KeyTooLongError: "KeyTooLong",
  InvalidArgument: "InvalidArgument",
  IncompleteBody: "IncompleteBody",
  XMinioStorageFull: "StorageFull",
};

function parseXml(text: string): Record<string, unknown> | undefined {
  return parseWith(parser, text);
}

const str = (
  v: unknown,
): string => (typeof v === "string" ? v : v === undefined || v === null ? "" : String(v));

async function errorFrom(res: HttpResponse, what: string): Promise<ProxyError> {
  if (res.status === 304) {
    await release(res);
    return withHeaders(proxyError("NotModified", "Not Modified"), storeValidators(res.headers));
  }
  const text = res.body ? await new Response(res.body).text().catch(() => "") : "";
  const e = parseXml(text)?.Error as { Code?: unknown; Message?: unknown } | undefined;
  const code = str(e?.Code);
  const kind = PASS_THROUGH[code] ??
    (res.status === 404 && !code
      ? "NoSuchKey"
      : res.status === 412
      ? "PreconditionFailed"
      : res.status === 416
      ? "InvalidRange"
      : undefined);
  if (kind === "PreconditionFailed") {
    return withHeaders(proxyError(kind, str(e?.Message) || what), storeValidators(res.headers));
  }
  if (kind) return proxyError(kind, str(e?.Message) || `${what}: ${code || res.status}`);
  return proxyError(
    "BackendError",
    "The backend failed",
    `${what}: HTTP ${res.status} ${code} ${str(e?.Message)}`,
  );
}

function metaHeaders(meta: HttpMeta): Record<string, string> {
  const h: Record<string, string> = {};
  if (meta.contentType) h["content-type"] = meta.contentType;
  if (meta.contentEncoding) h["content-encoding"] = meta.contentEncoding;
  if (meta.contentDisposition) h["content-disposition"] = meta.contentDisposition;
  if (meta.contentLanguage) h["content-language"] = meta.contentLanguage;
  if (meta.cacheControl) h["cache-control"] = meta.cacheControl;
  if (meta.expires) h["expires"] = meta.expires;
  for (const [k, v] of Object.entries(meta.userMetadata)) h[`x-amz-meta-${k}`] = v;
  return h;
}

/** Object fields read from the store's headers of the same name. */
const META_FIELDS: Readonly<Record<string, string>> = {
  "content-type": "contentType",
  "content-encoding": "contentEncoding",
  "content-disposition": "contentDisposition",
  "content-language": "contentLanguage",
  "cache-control": "cacheControl",
  "expires": "expires",
};

/** `x-amz-checksum-*` headers by the algorithm they carry. */
const CHECKSUM_HEADERS: Readonly<Record<string, string>> = {
  "x-amz-checksum-crc32": "CRC32",
  "x-amz-checksum-crc32c": "CRC32C",
  "x-amz-checksum-crc64nvme": "CRC64NVME",
  "x-amz-checksum-sha1": "SHA1",
  "x-amz-checksum-sha256": "SHA256",
};

const PASSED = new Set(PASSED_RESPONSE_HEADERS);

/** An object's metadata from a GET or HEAD answer, in one walk over its headers. */
function metaFrom(key: string, h: Headers): ObjectMeta {
  const userMetadata: Record<string, string> = {};
  const meta: Record<string, unknown> = { key, userMetadata };
  let checksums: Record<string, string> | undefined;
  let passed: Record<string, string> | undefined;
  let length = "0";
  let contentRange = "";
  let etag = '""';
  let lastModified: string | number = 0;
  for (const [k, v] of h) {
    if (k.startsWith("x-amz-meta-")) userMetadata[k.slice(11)] = v;
    else if (k === "content-length") length = v;
    else if (k === "content-range") contentRange = v;
    else if (k === "etag") etag = v;
    else if (k === "last-modified") lastModified = v;
    else if (k === "x-amz-mp-parts-count") meta.partsCount = Number(v);
    else if (Object.hasOwn(META_FIELDS, k)) meta[META_FIELDS[k]!] = v;
    else if (Object.hasOwn(CHECKSUM_HEADERS, k)) (checksums ??= {})[CHECKSUM_HEADERS[k]!] = v;
    else if (PASSED.has(k)) (passed ??= {})[k] = v;
  }
  const total = /\/(\d+)$/.exec(contentRange);
  meta.size = total ? Number(total[1]) : Number(length);
  meta.etag = etag;
  meta.lastModified = new Date(lastModified);
  if (checksums) meta.checksums = checksums;
  if (passed) meta.backendHeaders = passed;
  return meta as unknown as ObjectMeta;
}

function conditionHeaders(c: ReadConditions | WriteConditions | undefined): Record<string, string> {
  const h: Record<string, string> = {};
  if (!c) return h;
  // `If-Match: *` holds for any object that exists (a missing one is a 404
  // anyway); some emulators get it wrong, so it is not sent.
  if (c.ifMatch && c.ifMatch.trim() !== "*") h["if-match"] = c.ifMatch;
  if (c.ifNoneMatch) h["if-none-match"] = c.ifNoneMatch;
  // RFC 9110 §13.2.2: a date condition is ignored beside its ETag twin; not
  // every store applies that, so the overridden header is not sent.
  const r = c as ReadConditions;
  if (r.ifModifiedSince && !c.ifNoneMatch) h["if-modified-since"] = r.ifModifiedSince.toUTCString();
  if (r.ifUnmodifiedSince && !c.ifMatch) {
    h["if-unmodified-since"] = r.ifUnmodifiedSince.toUTCString();
  }
  return h;
}

/**
 * A key or prefix from a listing asked for with `encoding-type=url`. It is
 * decoded (`+` may stand for a space there) only when the answer says it was
 * encoded (`<EncodingType>url</EncodingType>`), as S3 does and the SDKs check:
 * a store that ignores the parameter (s3rver) sends raw keys, and decoding
 * those would turn `c+d` into `c d` and throw on `c%d`.
 */
function decodeListed(s: unknown, encoded: boolean): string {
  if (!encoded) return str(s);
  try {
    return decodeURIComponent(str(s).replace(/\+/g, " "));
  } catch {
    return str(s); // a malformed escape: no conforming store sends one
  }
}

/** Whether a listing's keys are URL-encoded. */
const urlEncoded = (res: Record<string, unknown> | undefined) =>
  str(res?.EncodingType).toLowerCase() === "url";

/** The store's answers about storage class, encryption and the like, for the client. */
function answers(h: Headers): { backendHeaders?: Record<string, string> } {
  const picked = pickHeaders(h, PASSED_RESPONSE_HEADERS);
  return picked ? { backendHeaders: picked } : {};
}

/** A 2xx answer to a write or delete. */
const isSuccess = (status: number) => status >= 200 && status < 300;

/** Largest upload of unknown length buffered before it is sent with a length. */
export const MAX_BUFFERED_UPLOAD = 64 * 1024 * 1024;

/** Collaborators of an s3 backend. */
export interface S3BackendDeps {
  readonly now?: () => number;
  /** Where `auth_type: oidc` credentials come from (required for such a bucket). */
  readonly credentials?: CredentialSource;
}

/** Creates an s3 backend. */
export function createS3Backend(o: S3Options, deps: S3BackendDeps = {}): Backend {
  const now = deps.now ?? (() => Date.now());
  const credentialSource = deps.credentials;
  if (o.oidc && !credentialSource) throw new Error("auth_type: oidc needs a credential source");
  const keys = createSigningKeyCache(64);
  const base = new URL(o.endpoint);
  const host = o.forcePathStyle ? base.host : `${o.bucketName}.${base.host}`;
  const basePath = base.pathname.replace(/\/+$/, "");
  const bucketPath = o.forcePathStyle ? `${basePath}/${uriEncode(o.bucketName)}` : basePath;
  /** The one place a key becomes a backend path. */
  const pathOf = (key: string) => `${bucketPath}/${uriEncode(key, true)}`;
  // One store: the same endpoint, addressing and access key (which names its secret).
  const store = `s3 ${o.endpoint} ${o.region} ${o.forcePathStyle} ${
    o.oidc ? `oidc:${o.oidc.roleArn}` : o.credentials?.accessKeyId ?? "anonymous"
  }`;
  const locate = (key: string): StoreLocation => ({ store, bucket: o.bucketName, key });
  // Bucket-level calls (listings) go to `/bucket`, as the AWS SDKs send them: a
  // store that canonicalizes its parsed route (s3rver) signs `/bucket/` as `/bucket`.
  const bucketRoot = bucketPath || "/";

  async function call(
    method: string,
    path: string,
    query: string,
    headers: Record<string, string>,
    body?: HttpBody,
    signal?: AbortSignal,
    streamBody = false,
  ): Promise<Result<HttpResponse, ProxyError>> {
    const payloadHash = body?.kind === "bytes"
      ? sha256Hex(body.bytes)
      : body
      ? "UNSIGNED-PAYLOAD"
      : EMPTY_SHA256;
    const h: Record<string, string> = {
      host,
      "accept-encoding": "identity",
      "user-agent": USER_AGENT,
      ...headers,
    };
    // A dot segment would be resolved away by URL parsing; pathOf keeps them literal.
    const dots = urlPathProblem(path, "s3");
    if (dots) return err(dots);
    let credentials = o.credentials;
    if (credentialSource) {
      const got = await credentialSource();
      if (!got.ok) return got;
      credentials = got.value;
    }
    const signed = credentials
      ? signRequest({ method, path, query, headers: h, payloadHash }, credentials, {
        region: o.region,
        now: now(),
        keys,
      })
      : h;
    const url = new URL(`${base.protocol}//${host}${path}${query ? "?" + query : ""}`);
    return await backendRequest(
      method,
      url,
      signed,
      body,
      o.requestTimeoutMs,
      signal,
      streamBody,
    );
  }

  async function xml(
    res: HttpResponse,
    what: string,
  ): Promise<Result<Record<string, unknown>, ProxyError>> {
    const text = res.body ? await new Response(res.body).text() : "";
    const doc = parseXml(text);
    if (!doc) {
      return err(proxyError("BackendError", "The backend failed", `${what}: unparseable XML`));
    }
    if (doc.Error) {
      return err(
        await errorFrom({ status: 500, headers: res.headers, body: new Response(text).body }, what),
      );
    }
    return ok(doc);
  }

  /**
   * A 304 or 412 with the object's validators, read with a HEAD where the
   * store left them out (moto sends no Last-Modified on a 304).
   */
  async function withValidators(key: string, e: ProxyError): Promise<ProxyError> {
    if (e.kind !== "NotModified" && e.kind !== "PreconditionFailed") return e;
    if (e.headers?.etag && e.headers["last-modified"]) return e;
    const meta = await head(key);
    return meta.ok ? withHeaders(e, validatorHeaders(meta.value)) : e;
  }
  /** A key with a dot segment: never stored through bucketgate (see urlPathProblem), so absent. */
  const unreadable = (key: string) => hasDotSegment(pathOf(key));

  async function head(key: string): BackendResult<ObjectMeta> {
    if (unreadable(key)) return err(unstorableKeyRead());
    const r = await call("HEAD", pathOf(key), "", {});
    if (!r.ok) return r;
    if (r.value.status !== 200) return err(await errorFrom(r.value, "HeadObject"));
    return ok(metaFrom(key, r.value.headers));
  }

  async function preconditions(
    key: string,
    c: WriteConditions | undefined,
  ): Promise<ProxyError | undefined> {
    if (!c || (!c.ifMatch && !c.ifNoneMatch)) return undefined;
    // A key that cannot be written is refused as such, not as a missing If-Match target.
    const dots = urlPathProblem(pathOf(key), "s3");
    if (dots) return dots;
    const h = await head(key);
    if (!h.ok && h.error.kind !== "NoSuchKey") return h.error;
    return checkWriteConditions(h.ok ? h.value : undefined, c);
  }

  /** Server-side copy from a bucket of this store. */
  async function copyFrom(
    source: StoreLocation,
    dst: string,
    opts: CopyOptions,
  ): BackendResult<ObjectMeta> {
    const dots = urlPathProblem(pathOf(dst), "s3");
    if (dots) return err(dots);
    if (unreadable(source.key)) return err(unstorableKeyRead());
    const failed = await preconditions(dst, opts.conditions);
    if (failed) return err(failed);
    const h: Record<string, string> = {
      "x-amz-copy-source": `/${uriEncode(source.bucket)}/${uriEncode(source.key, true)}`,
      ...(opts.meta ? { "x-amz-metadata-directive": "REPLACE", ...metaHeaders(opts.meta) } : {}),
      ...opts.forward,
    };
    const r = await call("PUT", pathOf(dst), "", h);
    if (!r.ok) return r;
    if (r.value.status !== 200) return err(await errorFrom(r.value, "CopyObject"));
    const doc = await xml(r.value, "CopyObject");
    if (!doc.ok) return doc;
    return await head(dst);
  }

  async function uploadBody(
    source: ReadableStream<Uint8Array>,
    length: number | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Result<HttpBody, ProxyError>> {
    // A client that stops sending for the idle timeout is cut with
    // RequestTimeout (streams/idle.ts): by the transport for a streamed body
    // (http.ts), by a watching stage while a body of unknown length is gathered.
    if (length !== undefined) return ok({ kind: "stream", stream: source, length });
    const stream = watchedStream(source, signal);
    try {
      const bytes = await collect(stream, MAX_BUFFERED_UPLOAD);
      if (!bytes) {
        return err(
          proxyError(
            "MissingContentLength",
            `Uploads of unknown length are limited to ${MAX_BUFFERED_UPLOAD} bytes on this backend; send Content-Length or use multipart`,
          ),
        );
      }
      return ok({ kind: "bytes", bytes });
    } catch (e) {
      return err(toProxyError(e, "IncompleteBody"));
    }
  }

  return {
    head,

    async get(key, opts = {}) {
      if (unreadable(key)) return err(unstorableKeyRead());
      const h: Record<string, string> = conditionHeaders(opts.conditions);
      if (opts.range) {
        h.range = opts.range.kind === "suffix"
          ? `bytes=-${opts.range.length}`
          : `bytes=${opts.range.start}-${opts.range.end ?? ""}`;
      }
      // The object's body is exempt from the request timeout (see send).
      const query = opts.partNumber ? `partNumber=${opts.partNumber}` : "";
      const r = await call("GET", pathOf(key), query, h, undefined, opts.signal, true);
      if (!r.ok) return r;
      const res = r.value;
      if (res.status !== 200 && res.status !== 206) {
        const e = await withValidators(key, await errorFrom(res, "GetObject"));
        // A read by part number has no Range: its 416 is a part beyond the last (moto says InvalidRange).
        return err(
          opts.partNumber && e.kind === "InvalidRange"
            ? proxyError("InvalidPartNumber", "The requested partnumber is not satisfiable")
            : e,
        );
      }
      const meta = metaFrom(key, res.headers);
      // Checked here too: some S3-compatibles ignore ETag lists in If-None-Match.
      const failed = opts.conditions ? checkReadConditions(meta, opts.conditions) : undefined;
      if (failed) {
        await release(res);
        return err(failed);
      }
      let range: ByteRange | undefined;
      const cr = /bytes (\d+)-(\d+)\//.exec(res.headers.get("content-range") ?? "");
      if (res.status === 206 && cr) range = { start: Number(cr[1]), end: Number(cr[2]) };
      else if (opts.range) range = { start: 0, end: Math.max(0, meta.size - 1) };
      return ok({
        meta,
        ...(range ? { range } : {}),
        body: res.body ?? new ReadableStream({ start: (c) => c.close() }),
      });
    },

    async put(key, stream, opts) {
      const failed = await preconditions(key, opts.conditions);
      if (failed) {
        await stream.cancel().catch(() => {});
        return err(failed);
      }
      const body = await uploadBody(stream, opts.contentLength, opts.signal);
      if (!body.ok) return body;
      const h = {
        ...metaHeaders(opts.meta),
        ...opts.forward,
        ...conditionHeaders(opts.conditions),
      };
      for (const [alg, v] of Object.entries(opts.checksums ?? {})) {
        h[`x-amz-checksum-${alg.toLowerCase()}`] = v;
      }
      const r = await call("PUT", pathOf(key), "", h, body.value, opts.signal);
      if (!r.ok) return r;
      // S3 answers 200; a plain HTTP store (nginx with WebDAV PUT) may say 201 or 204.
      if (!isSuccess(r.value.status)) return err(await errorFrom(r.value, "PutObject"));
      await release(r.value);
      const size = body.value.kind === "bytes" ? body.value.bytes.byteLength : body.value.length;
      return ok({
        ...opts.meta,
        key,
        size,
        etag: r.value.headers.get("etag") ?? '""',
        ...answers(r.value.headers),
        lastModified: new Date(now()),
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
      if (unreadable(key)) return ok(undefined);
      const r = await call("DELETE", pathOf(key), "", {});
      if (!r.ok) return r;
      if (!isSuccess(r.value.status)) {
        const e = await errorFrom(r.value, "DeleteObject");
        return e.kind === "NoSuchKey" ? ok(undefined) : err(e);
      }
      await release(r.value);
      return ok(undefined);
    },

    async list(opts) {
      let startAfter = opts.startAfter;
      // A common prefix as the start: resume after every key under it.
      if (startAfter !== undefined && opts.delimiter && startAfter.endsWith(opts.delimiter)) {
        startAfter += "\u{10FFFF}";
      }
      const q = new URLSearchParams({
        "list-type": "2",
        "encoding-type": "url",
        "max-keys": String(opts.maxKeys),
        prefix: opts.prefix,
      });
      if (opts.delimiter) q.set("delimiter", opts.delimiter);
      if (startAfter !== undefined) q.set("start-after", startAfter);
      const r = await call("GET", bucketRoot, queryString(q), {});
      if (!r.ok) return r;
      if (r.value.status !== 200) return err(await errorFrom(r.value, "ListObjectsV2"));
      const doc = await xml(r.value, "ListObjectsV2");
      if (!doc.ok) return doc;
      const res = doc.value.ListBucketResult as Record<string, unknown> | undefined;
      const objects = ((res?.Contents as Record<string, unknown>[] | undefined) ?? []).map((c) => ({
        key: decodeListed(c.Key, urlEncoded(res)),
        size: Number(c.Size),
        etag: str(c.ETag),
        lastModified: new Date(str(c.LastModified)),
      }));
      const commonPrefixes = ((res?.CommonPrefixes as Record<string, unknown>[] | undefined) ?? [])
        .map((p) => decodeListed(p.Prefix, urlEncoded(res)));
      const isTruncated = str(res?.IsTruncated) === "true";
      const last = [...objects.map((x) => x.key), ...commonPrefixes].sort((
        a,
        b,
      ) => (Buffer.compare(Buffer.from(a), Buffer.from(b)))).at(-1);
      return ok({
        objects,
        commonPrefixes,
        isTruncated,
        ...(isTruncated && last !== undefined ? { nextStartAfter: last } : {}),
      });
    },

    async createMultipartUpload(key, meta, forward) {
      const r = await call("POST", pathOf(key), "uploads=", { ...metaHeaders(meta), ...forward });
      if (!r.ok) return r;
      if (r.value.status !== 200) return err(await errorFrom(r.value, "CreateMultipartUpload"));
      const doc = await xml(r.value, "CreateMultipartUpload");
      if (!doc.ok) return doc;
      const id = str(
        (doc.value.InitiateMultipartUploadResult as Record<string, unknown> | undefined)?.UploadId,
      );
      return id ? ok(id) : err(
        proxyError("BackendError", "The backend failed", "CreateMultipartUpload: no UploadId"),
      );
    },

    async uploadPart(key, uploadId, n, stream, opts) {
      const body = await uploadBody(stream, opts.contentLength, opts.signal);
      if (!body.ok) return body;
      const q = `partNumber=${n}&uploadId=${uriEncode(uploadId)}`;
      const r = await call("PUT", pathOf(key), q, {}, body.value, opts.signal);
      if (!r.ok) return r;
      if (!isSuccess(r.value.status)) return err(await errorFrom(r.value, "UploadPart"));
      await release(r.value);
      return ok({ etag: r.value.headers.get("etag") ?? '""' });
    },

    async completeMultipartUpload(key, uploadId, parts, conditions) {
      // S3's rule, checked here because not every S3-compatible store enforces it.
      if (parts.some((p, i) => i > 0 && p.partNumber <= parts[i - 1]!.partNumber)) {
        return err(
          proxyError(
            "InvalidPartOrder",
            "The list of parts was not in ascending order. The parts list must be specified in order by part number.",
          ),
        );
      }
      const failed = await preconditions(key, conditions);
      if (failed) return err(failed);
      const xmlBody = `<CompleteMultipartUpload>${
        parts.map((p) =>
          `<Part><PartNumber>${p.partNumber}</PartNumber><ETag>"${
            p.etag.replace(/"/g, "")
          }"</ETag></Part>`
        ).join("")
      }</CompleteMultipartUpload>`;
      const r = await call(
        "POST",
        pathOf(key),
        `uploadId=${uriEncode(uploadId)}`,
        conditionHeaders(conditions),
        {
          kind: "bytes",
          bytes: new TextEncoder().encode(xmlBody),
        },
      );
      if (!r.ok) return r;
      if (r.value.status !== 200) return err(await errorFrom(r.value, "CompleteMultipartUpload"));
      const doc = await xml(r.value, "CompleteMultipartUpload");
      if (!doc.ok) return doc;
      return await head(key);
    },

    async abortMultipartUpload(key, uploadId) {
      const r = await call("DELETE", pathOf(key), `uploadId=${uriEncode(uploadId)}`, {});
      if (!r.ok) return r;
      if (!isSuccess(r.value.status)) {
        return err(await errorFrom(r.value, "AbortMultipartUpload"));
      }
      await release(r.value);
      return ok(undefined);
    },

    async listParts(key, uploadId, opts) {
      const q = new URLSearchParams({ uploadId, "max-parts": String(opts.maxParts) });
      if (opts.partNumberMarker) q.set("part-number-marker", String(opts.partNumberMarker));
      const r = await call("GET", pathOf(key), queryString(q), {});
      if (!r.ok) return r;
      if (r.value.status !== 200) return err(await errorFrom(r.value, "ListParts"));
      const doc = await xml(r.value, "ListParts");
      if (!doc.ok) return doc;
      // moto names the root ListPartsResponse; S3 names it ListPartsResult.
      const res = (doc.value.ListPartsResult ?? doc.value.ListPartsResponse) as
        | Record<string, unknown>
        | undefined;
      const parts: PartInfo[] = ((res?.Part as Record<string, unknown>[] | undefined) ?? []).map((
        p,
      ) => ({
        partNumber: Number(p.PartNumber),
        etag: str(p.ETag),
        size: Number(p.Size),
        lastModified: new Date(str(p.LastModified)),
      }));
      const isTruncated = str(res?.IsTruncated) === "true";
      const next = Number(str(res?.NextPartNumberMarker));
      return ok({
        parts,
        isTruncated,
        ...(isTruncated && next > 0 ? { nextPartNumberMarker: next } : {}),
      });
    },

    async listMultipartUploads(opts) {
      const q = new URLSearchParams({
        uploads: "",
        prefix: opts.prefix,
        "max-uploads": String(opts.maxUploads),
        "encoding-type": "url",
      });
      if (opts.delimiter) q.set("delimiter", opts.delimiter);
      if (opts.keyMarker) q.set("key-marker", opts.keyMarker);
      if (opts.uploadIdMarker) q.set("upload-id-marker", opts.uploadIdMarker);
      const r = await call("GET", bucketRoot, queryString(q), {});
      if (!r.ok) return r;
      if (r.value.status !== 200) return err(await errorFrom(r.value, "ListMultipartUploads"));
      const doc = await xml(r.value, "ListMultipartUploads");
      if (!doc.ok) return doc;
      const res = doc.value.ListMultipartUploadsResult as Record<string, unknown> | undefined;
      const uploads = ((res?.Upload as Record<string, unknown>[] | undefined) ?? []).map((u) => ({
        key: decodeListed(u.Key, urlEncoded(res)),
        uploadId: str(u.UploadId),
        initiated: new Date(str(u.Initiated)),
      }));
      const commonPrefixes = ((res?.CommonPrefixes as Record<string, unknown>[] | undefined) ?? [])
        .map((p) => decodeListed(p.Prefix, urlEncoded(res)));
      const isTruncated = str(res?.IsTruncated) === "true";
      return ok({
        uploads,
        commonPrefixes,
        isTruncated,
        ...(isTruncated && res?.NextKeyMarker
          ? { nextKeyMarker: decodeListed(res.NextKeyMarker, urlEncoded(res)) }
          : {}),
        ...(isTruncated && res?.NextUploadIdMarker
          ? { nextUploadIdMarker: str(res.NextUploadIdMarker) }
          : {}),
      });
    },
  };
}

/** A query string with RFC 3986 encoding (what the signer canonicalizes to). */
function queryString(q: URLSearchParams): string {
  return [...q].map((
    [k, v],
  ) => (v === "" && k === "uploads" ? k : `${uriEncode(k)}=${uriEncode(v)}`)).join("&");
}
