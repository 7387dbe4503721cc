/** GetObject and HeadObject. */
import { checkReadConditions } from "../../backends/conditions.ts";
import { isEmptyRange, resolveRange } from "../../backends/range.ts";
import {
  type ByteRange,
  discardObjectBody,
  type GetOptions,
  type GetResult,
  type ObjectMeta,
  type RangeSpec,
} from "../../backends/backend.ts";
import { type ProxyError, proxyError } from "../../errors.ts";
import { err, ok, type Result } from "../../result.ts";
import type { S3Context } from "../context.ts";
import type { QueryParams } from "../../http/target.ts";
import { checksumHeaderRecord } from "../../checksum/algorithm.ts";
import { objectHeaders, parseRangeHeader, readConditions, setLengthHeaders } from "../headers.ts";
import { partNumberParam } from "../params.ts";

const OVERRIDES: readonly (readonly [string, string])[] = [
  ["response-content-type", "content-type"],
  ["response-content-language", "content-language"],
  ["response-expires", "expires"],
  ["response-cache-control", "cache-control"],
  ["response-content-disposition", "content-disposition"],
  ["response-content-encoding", "content-encoding"],
];

/** Whether the query names any `response-*` override: one lookup per parameter (issue 30). */
function asksOverrides(query: QueryParams): boolean {
  if (query.size === 0) return false;
  for (const [name] of query) if (name.startsWith("response-")) return true;
  return false;
}

/** Sets the `response-*` overrides the query names; InvalidRequest for an anonymous caller. */
function applyOverrides(ctx: S3Context, h: HeaderRecord): ProxyError | undefined {
  const { query } = ctx.req;
  for (const [param, header] of OVERRIDES) {
    const value = query.get(param);
    if (value === null) continue;
    if (ctx.identity.kind === "anonymous") {
      return proxyError(
        "InvalidRequest",
        "Request specific response headers cannot be used for anonymous GET requests.",
      );
    }
    h[header] = value;
  }
  return undefined;
}

/** A GET's or HEAD's response headers, lower-case names (see objectHeaders). */
type HeaderRecord = Record<string, string>;

/** Builds the response headers of a GET/HEAD, applying `response-*` overrides. */
function responseHeaders(
  ctx: S3Context,
  meta: ObjectMeta,
  range: ByteRange | undefined,
): Result<HeaderRecord, ProxyError> {
  const h = objectHeaders(meta);
  setLengthHeaders(h, meta.size, range);
  const { query } = ctx.req;
  if (asksOverrides(query)) {
    const refused = applyOverrides(ctx, h);
    if (refused) return err(refused);
  }
  const wantsChecksums = ctx.req.headers.get("x-amz-checksum-mode")?.toUpperCase() === "ENABLED";
  if (wantsChecksums && !range && meta.checksums) {
    Object.assign(h, checksumHeaderRecord(meta.checksums));
    if (meta.checksumType) h["x-amz-checksum-type"] = meta.checksumType;
  }
  return ok(h);
}

function refuseVersion(ctx: S3Context): ProxyError | undefined {
  if (ctx.req.query.has("versionId") && ctx.req.query.get("versionId") !== "null") {
    return proxyError("NotImplemented", "Object versions are not implemented by bucketgate");
  }
  return undefined;
}

/** What a GET or HEAD reads: a Range, a part (`partNumber`, never with Range), or all. */
interface ReadTarget {
  readonly range?: RangeSpec;
  readonly partNumber?: number;
}

function readTarget(ctx: S3Context): Result<ReadTarget, ProxyError> {
  const refused = refuseVersion(ctx);
  if (refused) return err(refused);
  const range = parseRangeHeader(ctx.req.headers.get("range"));
  const raw = ctx.req.query.get("partNumber");
  if (raw === null) return ok(range ? { range } : {});
  const partNumber = partNumberParam(raw);
  if (!partNumber.ok) return partNumber;
  if (ctx.req.headers.has("range")) {
    return err(
      proxyError(
        "InvalidRequest",
        "Cannot specify both Range header and partNumber query parameter",
      ),
    );
  }
  return ok({ partNumber: partNumber.value });
}

/** A read by part number names the object's part count, as S3 does (multipart objects only). */
function setPartsCount(headers: HeaderRecord, target: ReadTarget, meta: ObjectMeta): void {
  const count = meta.partsCount ?? meta.partSizes?.length;
  if (target.partNumber !== undefined && count !== undefined) {
    headers["x-amz-mp-parts-count"] = String(count);
  }
}

/** The backend read's options, field by field (a spread per field made an object each; issue 30). */
function getOptions(ctx: S3Context, target: ReadTarget, headOnly: boolean): GetOptions {
  const o: { -readonly [K in keyof GetOptions]: GetOptions[K] } = {};
  if (target.range) o.range = target.range;
  if (target.partNumber !== undefined) o.partNumber = target.partNumber;
  if (headOnly) o.headOnly = true;
  // No If-* header (the router saw none): no condition to look for.
  if (ctx.req.conditional !== false) o.conditions = readConditions(ctx.req.headers);
  if (ctx.signal) o.signal = ctx.signal;
  return o;
}

async function read(
  ctx: S3Context,
  target: ReadTarget,
  headOnly = false,
): Promise<Result<{ got: GetResult; headers: HeaderRecord }, ProxyError>> {
  const got = await ctx.bucket.backend.get(ctx.req.key, getOptions(ctx, target, headOnly));
  if (!got.ok) return got;
  const headers = responseHeaders(ctx, got.value.meta, got.value.range);
  if (!headers.ok) {
    await discardObjectBody(got.value.body);
    return headers;
  }
  setPartsCount(headers.value, target, got.value.meta);
  return ok({ got: got.value, headers: headers.value });
}

/** 206 for a range or part of the object, 200 for all of it (or an empty part: no byte to range). */
function servedStatus(range: ByteRange | undefined): number {
  return range && !isEmptyRange(range) ? 206 : 200;
}

/** GetObject: streams the object (or one range or part of it) from the backend. */
export async function getObject(ctx: S3Context): Promise<Result<Response, ProxyError>> {
  const target = readTarget(ctx);
  if (!target.ok) return target;
  const r = await read(ctx, target.value);
  if (!r.ok) return r;
  const { got, headers } = r.value;
  return ok(new Response(got.body, { status: servedStatus(got.range), headers }));
}

/**
 * HeadObject: the GET headers without a body; honors Range (206) and
 * conditions. By part number it is a GET whose body is dropped (parts are
 * the backend's to resolve).
 */
export async function headObject(ctx: S3Context): Promise<Result<Response, ProxyError>> {
  const target = readTarget(ctx);
  if (!target.ok) return target;
  if (target.value.partNumber !== undefined) {
    const r = await read(ctx, target.value, true);
    if (!r.ok) return r;
    await discardObjectBody(r.value.got.body);
    return ok(
      new Response(null, { status: servedStatus(r.value.got.range), headers: r.value.headers }),
    );
  }
  const head = await ctx.bucket.backend.head(ctx.req.key);
  if (!head.ok) return head;
  const meta = head.value;
  const failed = checkReadConditions(meta, readConditions(ctx.req.headers));
  if (failed) return err(failed);
  let range: ByteRange | undefined;
  if (target.value.range) {
    const resolved = resolveRange(target.value.range, meta.size);
    if (!resolved.ok) return resolved;
    range = resolved.value;
  }
  const headers = responseHeaders(ctx, meta, range);
  if (!headers.ok) return headers;
  return ok(new Response(null, { status: servedStatus(range), headers: headers.value }));
}
