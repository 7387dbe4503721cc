/** PutObject. */
import type { ProxyError } from "../../errors.ts";
import { ok, type Result } from "../../result.ts";
import type { S3Context } from "../context.ts";
import { metaFromHeaders, writeConditions } from "../headers.ts";
import { checksumHeaders } from "../checksum_headers.ts";
import { emptyResponse } from "../response.ts";
import { uploadBody } from "../upload_body.ts";

/** PutObject: streams the verified payload to the backend; 200 with the ETag. */
export async function putObject(ctx: S3Context): Promise<Result<Response, ProxyError>> {
  const upload = uploadBody(ctx);
  if (!upload.ok) return upload;
  const { stream, contentLength, checksums } = upload.value;
  const put = await ctx.bucket.backend.put(ctx.req.key, stream, {
    meta: metaFromHeaders(ctx.req.headers),
    conditions: writeConditions(ctx.req.headers),
    checksums,
    ...(contentLength !== undefined ? { contentLength } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  if (!put.ok) return put;
  const headers = checksumHeaders(checksums);
  headers.set("etag", put.value.etag);
  return ok(emptyResponse(200, headers));
}
