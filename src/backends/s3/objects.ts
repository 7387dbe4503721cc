/** Object operations on the store: HeadObject, GetObject, PutObject, DeleteObject, CopyObject. */
import { uriEncode } from "../../sigv4/canonical.ts";
import { type ProxyError, proxyError, withHeaders } from "../../errors.ts";
import { err, ok, type Result } from "../../result.ts";
import type {
  BackendResult,
  ByteRange,
  CopyOptions,
  DeleteConditions,
  GetOptions,
  GetResult,
  ObjectMeta,
  PutOptions,
  StoreLocation,
  WriteConditions,
} from "../backend.ts";
import { checkReadConditions, validatorHeaders } from "../conditions.ts";
import { hasDotSegment, unstorableKeyRead, urlPathProblem } from "../keys.ts";
import { type HttpResponse, objectBody, release } from "../http/send.ts";
import type { S3Client } from "./client.ts";
import { errorFrom, xmlAnswer } from "./errors.ts";
import {
  answers,
  conditionHeaders,
  metaFrom,
  metaHeaders,
  rangeHeader,
  writeConditionHeaders,
} from "./headers.ts";
import { uploadBody } from "./body.ts";
import { checksumHeaderRecord } from "../../checksum/algorithm.ts";

/**
 * Asks the store for the object's checksums on every read: which of them the
 * client sees is the handler's choice (its own `x-amz-checksum-mode`).
 */
const CHECKSUM_MODE: Readonly<Record<string, string>> = { "x-amz-checksum-mode": "ENABLED" };

/** A 2xx answer to a write or delete. */
export const isSuccess = (status: number): boolean => status >= 200 && status < 300;

/** HeadObject: the object's metadata. */
export async function headObject(c: S3Client, key: string): BackendResult<ObjectMeta> {
  if (c.unreadable(key)) return err(unstorableKeyRead());
  const r = await c.call({ method: "HEAD", path: c.pathOf(key), headers: { ...CHECKSUM_MODE } });
  if (!r.ok) return r;
  if (r.value.status !== 200) return err(await errorFrom(r.value, "HeadObject"));
  return ok(metaFrom(key, r.value.headers));
}

/** GetObject: the object's (or a range's, or a part's) bytes, streamed; by `headOnly`, a HEAD. */
export function getObject(
  c: S3Client,
  key: string,
  opts: GetOptions = {},
): BackendResult<GetResult> {
  // `c.unreadable(key)`, with the path made once for the request too.
  const path = c.pathOf(key);
  if (hasDotSegment(path)) return Promise.resolve(err(unstorableKeyRead()));
  const headers = conditionHeaders(opts.conditions);
  headers["x-amz-checksum-mode"] = CHECKSUM_MODE["x-amz-checksum-mode"]!;
  if (opts.range) headers.range = rangeHeader(opts.range);
  // The object's body is exempt from the request timeout (see send).
  const query = opts.partNumber ? `partNumber=${opts.partNumber}` : "";
  // A `then`, not an async function: one promise and frame fewer per request (issue 30).
  return c.call({
    method: opts.headOnly ? "HEAD" : "GET",
    path,
    query,
    headers,
    signal: opts.signal,
    streamBody: !opts.headOnly,
  }).then((r) => r.ok ? gotten(c, key, opts, r.value) : r);
}

/** What a GetObject's answer comes to; a promise only where a body is released or read. */
function gotten(
  c: S3Client,
  key: string,
  opts: GetOptions,
  res: HttpResponse,
): Result<GetResult, ProxyError> | Promise<Result<GetResult, ProxyError>> {
  if (res.status !== 200 && res.status !== 206) {
    return getFailure(c, res, { key, partNumber: opts.partNumber }).then(err);
  }
  const meta = metaFrom(key, res.headers);
  // Checked here too: some S3-compatibles ignore ETag lists in If-None-Match.
  const failed = opts.conditions ? checkReadConditions(meta, opts.conditions) : undefined;
  if (failed) return release(res).then(() => err(failed));
  const range = rangeOf(res, opts, meta);
  const got = {
    meta,
    ...(range ? { range } : {}),
    body: opts.headOnly ? new Uint8Array(0) : objectBody(res),
  };
  return opts.headOnly ? release(res).then(() => ok(got)) : ok(got);
}

/** The error of a GetObject answered with neither 200 nor 206. */
async function getFailure(
  c: S3Client,
  res: HttpResponse,
  read: { readonly key: string; readonly partNumber?: number | undefined },
): Promise<ProxyError> {
  const e = await withValidators(c, read.key, await errorFrom(res, "GetObject"));
  // A read by part number has no Range: its 416 is a part beyond the last (moto says InvalidRange).
  return read.partNumber && e.kind === "InvalidRange"
    ? proxyError("InvalidPartNumber", "The requested partnumber is not satisfiable")
    : e;
}

/** The bytes a GetObject answer holds, when a range was asked for or answered. */
function rangeOf(res: HttpResponse, opts: GetOptions, meta: ObjectMeta): ByteRange | undefined {
  const cr = res.status === 206 &&
    /bytes (\d+)-(\d+)\//.exec(res.headers.get("content-range") ?? "");
  if (cr) return { start: Number(cr[1]), end: Number(cr[2]) };
  if (opts.range) return { start: 0, end: Math.max(0, meta.size - 1) };
  return undefined;
}

/**
 * A 304 or 412 with the object's validators, read with a HEAD where the
 * store left them out (moto sends no Last-Modified on a 304).
 */
async function withValidators(c: S3Client, key: string, e: ProxyError): Promise<ProxyError> {
  if (e.kind !== "NotModified" && e.kind !== "PreconditionFailed") return e;
  if (e.headers?.etag && e.headers["last-modified"]) return e;
  const meta = await headObject(c, key);
  return meta.ok ? withHeaders(e, validatorHeaders(meta.value)) : e;
}

/** PutObject: the body length-framed, with its metadata, checksums and conditions. */
export async function putObject(
  c: S3Client,
  key: string,
  opts: PutOptions & { readonly stream: ReadableStream<Uint8Array> },
): BackendResult<ObjectMeta> {
  const failed = conditionalKeyProblem(c, key, opts.conditions);
  if (failed) {
    await opts.stream.cancel().catch(() => {});
    return err(failed);
  }
  const body = await uploadBody(opts, c.uploadBuffer);
  if (!body.ok) return body;
  const headers = {
    ...metaHeaders(opts.meta),
    ...opts.forward,
    ...writeConditionHeaders(opts.conditions),
  };
  Object.assign(headers, checksumHeaderRecord(opts.checksums));
  // Named as the SDKs name it: some stores (moto) keep a checksum only then.
  const named = Object.keys(opts.checksums ?? {})[0];
  if (named) headers["x-amz-sdk-checksum-algorithm"] = named;
  const path = c.pathOf(key);
  // Whatever the answer, what gathering the body held is freed once it came.
  const { body: payload, dispose } = body.value;
  const r = await c.call({ method: "PUT", path, headers, body: payload, signal: opts.signal })
    .finally(dispose);
  if (!r.ok) return r;
  // S3 answers 200; a plain HTTP store (nginx with WebDAV PUT) may say 201 or 204.
  if (!isSuccess(r.value.status)) return err(await errorFrom(r.value, "PutObject"));
  await release(r.value);
  return ok({
    ...opts.meta,
    key,
    size: body.value.size,
    etag: r.value.headers.get("etag") ?? '""',
    ...answers(r.value.headers),
    lastModified: new Date(c.clock.now()),
    ...(opts.checksums && Object.keys(opts.checksums).length ? { checksums: opts.checksums } : {}),
  });
}

/**
 * Why a conditional write of `key` cannot be sent, if it cannot: a key the
 * store cannot be addressed by is refused as such, not as a missing If-Match
 * target. The conditions themselves are the store's to check (they are sent
 * with the write, never emulated with a HEAD before it).
 */
export function conditionalKeyProblem(
  c: S3Client,
  key: string,
  conditions: WriteConditions | undefined,
): ProxyError | undefined {
  if (!conditions || (!conditions.ifMatch && !conditions.ifNoneMatch)) return undefined;
  return urlPathProblem(c.pathOf(key), "s3");
}

/**
 * DeleteObject: a missing key is deleted already, unless If-Match was sent
 * (then the store's 404 or 412 is the answer).
 */
export async function deleteObject(
  c: S3Client,
  key: string,
  conditions?: DeleteConditions,
): BackendResult<void> {
  const conditional = conditions?.ifMatch !== undefined;
  if (c.unreadable(key)) return conditional ? err(unstorableKeyRead()) : ok(undefined);
  const headers = writeConditionHeaders(conditions);
  const r = await c.call({ method: "DELETE", path: c.pathOf(key), headers });
  if (!r.ok) return r;
  if (!isSuccess(r.value.status)) {
    const e = await errorFrom(r.value, "DeleteObject");
    return e.kind === "NoSuchKey" && !conditional ? ok(undefined) : err(e);
  }
  await release(r.value);
  return ok(undefined);
}

/** CopyObject: a server-side copy from a bucket of this store to `dst`. */
export async function copyObject(
  c: S3Client,
  dst: string,
  opts: CopyOptions & { readonly source: StoreLocation },
): BackendResult<ObjectMeta> {
  const { source } = opts;
  const dots = urlPathProblem(c.pathOf(dst), "s3");
  if (dots) return err(dots);
  if (c.unreadable(source.key)) return err(unstorableKeyRead());
  const headers: Record<string, string> = {
    ...writeConditionHeaders(opts.conditions),
    "x-amz-copy-source": `/${uriEncode(source.bucket)}/${uriEncode(source.key, true)}`,
    ...(opts.meta ? { "x-amz-metadata-directive": "REPLACE", ...metaHeaders(opts.meta) } : {}),
    ...opts.forward,
  };
  const r = await c.call({ method: "PUT", path: c.pathOf(dst), headers });
  if (!r.ok) return r;
  if (r.value.status !== 200) return err(await errorFrom(r.value, "CopyObject"));
  const doc = await xmlAnswer(r.value, "CopyObject");
  if (!doc.ok) return doc;
  return await headObject(c, dst);
}
