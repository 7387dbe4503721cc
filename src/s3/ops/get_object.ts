/** GetObject and HeadObject. */
import { checkReadConditions } from "../../backends/conditions.ts";
import { resolveRange } from "../../backends/range.ts";
import { type ByteRange, discardObjectBody, type ObjectMeta } from "../../backends/backend.ts";
import { type ProxyError, proxyError } from "../../errors.ts";
import { err, ok, type Result } from "../../result.ts";
import type { S3Context } from "../context.ts";
import { checksumHeaders } from "../checksum_headers.ts";
import { objectHeaders, parseRangeHeader, readConditions, setLengthHeaders } from "../headers.ts";

const OVERRIDES: readonly (readonly [string, string])[] = [
  ["response-content-type", "content-type"],
  ["response-content-language", "content-language"],
  ["response-expires", "expires"],
  ["response-cache-control", "cache-control"],
  ["response-content-disposition", "content-disposition"],
  ["response-content-encoding", "content-encoding"],
];

/** Builds the response headers of a GET/HEAD, applying `response-*` overrides. */
function responseHeaders(
  ctx: S3Context,
  meta: ObjectMeta,
  range: ByteRange | undefined,
): Result<Headers, ProxyError> {
  const h = objectHeaders(meta);
  setLengthHeaders(h, meta.size, range);
  const { query } = ctx.req;
  for (const [param, header] of OVERRIDES) {
    const value = query.get(param);
    if (value === null) continue;
    if (ctx.identity.kind === "anonymous") {
      return err(proxyError(
        "InvalidRequest",
        "Request specific response headers cannot be used for anonymous GET requests.",
      ));
    }
    h.set(header, value);
  }
  const wantsChecksums = ctx.req.headers.get("x-amz-checksum-mode")?.toUpperCase() === "ENABLED";
  if (wantsChecksums && !range && meta.checksums) {
    for (const [name, value] of checksumHeaders(meta.checksums)) h.set(name, value);
    if (meta.checksumType) h.set("x-amz-checksum-type", meta.checksumType);
  }
  return ok(h);
}

function refusePartNumber(ctx: S3Context): ProxyError | undefined {
  if (ctx.req.query.has("partNumber")) {
    return proxyError("NotImplemented", "GetObject by partNumber is not implemented by bucketgate");
  }
  if (ctx.req.query.has("versionId") && ctx.req.query.get("versionId") !== "null") {
    return proxyError("NotImplemented", "Object versions are not implemented by bucketgate");
  }
  return undefined;
}

/** GetObject: streams the object (or one range of it) from the backend. */
export async function getObject(ctx: S3Context): Promise<Result<Response, ProxyError>> {
  const refused = refusePartNumber(ctx);
  if (refused) return err(refused);
  const range = parseRangeHeader(ctx.req.headers.get("range"));
  const got = await ctx.bucket.backend.get(ctx.req.key, {
    ...(range ? { range } : {}),
    conditions: readConditions(ctx.req.headers),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  if (!got.ok) return got;
  const { meta, body } = got.value;
  const headers = responseHeaders(ctx, meta, got.value.range);
  if (!headers.ok) {
    await discardObjectBody(body);
    return headers;
  }
  return ok(new Response(body, { status: got.value.range ? 206 : 200, headers: headers.value }));
}

/** HeadObject: the GET headers without a body; honors Range (206) and conditions. */
export async function headObject(ctx: S3Context): Promise<Result<Response, ProxyError>> {
  const refused = refusePartNumber(ctx);
  if (refused) return err(refused);
  const head = await ctx.bucket.backend.head(ctx.req.key);
  if (!head.ok) return head;
  const meta = head.value;
  const failed = checkReadConditions(meta, readConditions(ctx.req.headers));
  if (failed) return err(failed);
  const spec = parseRangeHeader(ctx.req.headers.get("range"));
  let range: ByteRange | undefined;
  if (spec) {
    const resolved = resolveRange(spec, meta.size);
    if (!resolved.ok) return resolved;
    range = resolved.value;
  }
  const headers = responseHeaders(ctx, meta, range);
  if (!headers.ok) return headers;
  return ok(new Response(null, { status: range ? 206 : 200, headers: headers.value }));
}
