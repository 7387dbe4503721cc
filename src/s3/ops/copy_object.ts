/** CopyObject and UploadPartCopy: the source is authorized as a read, the destination as a write. */
import { checkReadConditions } from "../../backends/conditions.ts";
import {
  bodyStream,
  discardObjectBody,
  type GetResult,
  httpMetaOf,
  type ObjectMeta,
  type PutOptions,
} from "../../backends/backend.ts";
import { validateKey } from "../../backends/keys.ts";
import type { ChecksumAlgorithm } from "../../checksum/algorithm.ts";
import { checksumXml } from "../upload_checksum.ts";
import { type ProxyError, proxyError } from "../../errors.ts";
import { err, ok, type Result } from "../../result.ts";
import type { ResolvedBucket, S3Context } from "../context.ts";
import {
  forwardedHeaders,
  metaFromHeaders,
  parseRangeHeader,
  readConditions,
  writeConditions,
} from "../headers.ts";
import { isoTime, partParams } from "../params.ts";
import { xmlResponse } from "../response.ts";
import { el, S3_XMLNS, XML_DECLARATION } from "../../xml.ts";

/** A parsed `x-amz-copy-source`. */
export interface CopySource {
  readonly bucket: ResolvedBucket;
  readonly key: string;
}

/** Parses `x-amz-copy-source` (`[/]bucket/key[?versionId=…]`, URL-encoded) and authorizes the read. */
export function copySource(ctx: S3Context): Result<CopySource, ProxyError> {
  const raw = ctx.req.headers.get("x-amz-copy-source") ?? "";
  const q = raw.indexOf("?");
  const pathPart = q < 0 ? raw : raw.slice(0, q);
  if (q >= 0) {
    const version = new URLSearchParams(raw.slice(q + 1)).get("versionId");
    if (version !== null && version !== "null") {
      return err(
        proxyError("NotImplemented", "Copying object versions is not implemented by bucketgate"),
      );
    }
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathPart.startsWith("/") ? pathPart.slice(1) : pathPart);
  } catch {
    return err(proxyError("InvalidArgument", "Invalid copy source encoding"));
  }
  const slash = decoded.indexOf("/");
  if (slash <= 0 || slash === decoded.length - 1) {
    return err(
      proxyError(
        "InvalidArgument",
        "Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
      ),
    );
  }
  const bucketName = decoded.slice(0, slash);
  const key = decoded.slice(slash + 1);
  const bucket = ctx.resolve(bucketName);
  if (!bucket) {
    // S3's message, without the name: under `path_mapping` it is the configured one.
    return err(proxyError("BucketNotFound", "The specified bucket does not exist"));
  }
  // Refused as the same key in the path is (serve.ts), never passed to a backend.
  const bad = validateKey(key);
  if (bad) return err(bad);
  const denied = ctx.authorize({
    identity: ctx.identity,
    bucket: bucket.config,
    operation: "GetObject",
    key,
  });
  if (denied) return err(proxyError("AccessDenied", "Access Denied to the copy source"));
  return ok({ bucket, key });
}

/** Copy-source preconditions fail with 412, never 304. */
function sourceConditionsFail(ctx: S3Context, meta: ObjectMeta): ProxyError | undefined {
  const failed = checkReadConditions(meta, readConditions(ctx.req.headers, "x-amz-copy-source-"));
  if (!failed) return undefined;
  return failed.kind === "NotModified"
    ? proxyError(
      "PreconditionFailed",
      "At least one of the pre-conditions you specified did not hold",
    )
    : failed;
}

function copyResultXml(
  root: string,
  meta: Pick<ObjectMeta, "etag" | "lastModified" | "checksums" | "checksumType">,
): Response {
  return xmlResponse(
    XML_DECLARATION + `<${root} xmlns="${S3_XMLNS}">` +
      el("LastModified", isoTime(meta.lastModified)) + el("ETag", meta.etag) +
      checksumXml(meta.checksums, meta.checksumType) + `</${root}>`,
  );
}

/**
 * What a streamed copy stores of the source's checksum: a full-object one as
 * it is (it describes the bytes); a composite one's algorithm computed anew
 * over the whole copy (its parts are not the copy's).
 */
function copiedChecksum(meta: ObjectMeta): Pick<PutOptions, "checksums" | "computeChecksum"> {
  const algs = Object.keys(meta.checksums ?? {}) as ChecksumAlgorithm[];
  if (algs.length === 0) return {};
  return meta.checksumType === "COMPOSITE"
    ? { computeChecksum: algs[0]! }
    : { checksums: meta.checksums! };
}

/** CopyObject: native copy within one bucket's backend, else a streamed GET → PUT. */
export async function copyObject(ctx: S3Context): Promise<Result<Response, ProxyError>> {
  await ctx.body?.cancel();
  const src = copySource(ctx);
  if (!src.ok) return src;
  const directive = (ctx.req.headers.get("x-amz-metadata-directive") ?? "COPY").toUpperCase();
  if (directive !== "COPY" && directive !== "REPLACE") {
    return err(proxyError("InvalidArgument", "Unknown metadata directive."));
  }
  const sameObject = src.value.bucket.config.name === ctx.req.bucket &&
    src.value.key === ctx.req.key;
  if (sameObject && directive === "COPY") {
    return err(proxyError(
      "InvalidRequest",
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    ));
  }
  const replace = directive === "REPLACE" ? metaFromHeaders(ctx.req.headers) : undefined;
  const conditions = writeConditions(ctx.req.headers);
  const forward = forwardedHeaders(ctx.req.headers);
  const sourceBackend = src.value.bucket.backend;
  const here = ctx.bucket.backend;
  const from = sourceBackend === here ? undefined : sourceBackend.locate?.(src.value.key);
  const sameStore = from !== undefined && here.copyFrom !== undefined &&
    here.locate?.(ctx.req.key).store === from.store;
  if (sourceBackend === here || sameStore) {
    // Server-side: one bucket, or two buckets of one store reached with the same credentials.
    const head = await sourceBackend.head(src.value.key);
    if (!head.ok) return head;
    const failed = sourceConditionsFail(ctx, head.value);
    if (failed) return err(failed);
    const options = {
      ...(replace ? { meta: replace } : {}),
      conditions,
      ...(forward ? { forward } : {}),
    };
    const copied = sameStore
      ? await here.copyFrom!(from, ctx.req.key, options)
      : await here.copy(src.value.key, ctx.req.key, options);
    if (!copied.ok) return copied;
    return ok(copyResultXml("CopyObjectResult", copied.value));
  }
  const got = await sourceBackend.get(src.value.key, ctx.signal ? { signal: ctx.signal } : {});
  if (!got.ok) return got;
  const failed = sourceConditionsFail(ctx, got.value.meta);
  if (failed) {
    await discardObjectBody(got.value.body);
    return err(failed);
  }
  const put = await ctx.bucket.backend.put(ctx.req.key, bodyStream(got.value.body), {
    meta: replace ?? httpMetaOf(got.value.meta),
    contentLength: got.value.meta.size,
    conditions,
    ...(forward ? { forward } : {}),
    ...copiedChecksum(got.value.meta),
  });
  if (!put.ok) return put;
  return ok(copyResultXml("CopyObjectResult", put.value));
}

/** UploadPartCopy: one range (or all) of the source becomes a part. */
export async function uploadPartCopy(ctx: S3Context): Promise<Result<Response, ProxyError>> {
  await ctx.body?.cancel();
  const part = partParams(ctx.req);
  if (!part.ok) return part;
  const src = copySource(ctx);
  if (!src.ok) return src;
  const rangeHeader = ctx.req.headers.get("x-amz-copy-source-range");
  const range = parseRangeHeader(rangeHeader);
  if (rangeHeader && (!range || range.kind !== "from" || range.end === undefined)) {
    return err(
      proxyError(
        "InvalidArgument",
        "The x-amz-copy-source-range value must be of the form bytes=first-last",
      ),
    );
  }
  const got: Result<GetResult, ProxyError> = await src.value.bucket.backend.get(src.value.key, {
    ...(range ? { range } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  if (!got.ok) return got;
  const failed = sourceConditionsFail(ctx, got.value.meta) ??
    (range?.kind === "from" && range.end !== undefined
      ? rangeBeyond(range.end, got.value.meta.size)
      : undefined);
  if (failed) {
    await discardObjectBody(got.value.body);
    return err(failed);
  }
  const served = got.value.range;
  const length = served ? served.end - served.start + 1 : got.value.meta.size;
  const up = await ctx.bucket.backend.uploadPart(part.value.upload, {
    partNumber: part.value.partNumber,
    body: bodyStream(got.value.body),
    contentLength: length,
  });
  if (!up.ok) return up;
  return ok(
    copyResultXml("CopyPartResult", {
      etag: up.value.etag,
      lastModified: new Date(ctx.clock.now()),
      ...(up.value.checksums ? { checksums: up.value.checksums } : {}),
    }),
  );
}

/** A copy-source range must lie within the source, as S3 checks (HTTP's clamping does not apply). */
function rangeBeyond(last: number, size: number): ProxyError | undefined {
  return last < size ? undefined : proxyError(
    "InvalidRange",
    `The x-amz-copy-source-range value ends at byte ${last}, beyond the source object of size ${size}`,
  );
}
