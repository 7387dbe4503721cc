/** PutObject. */
import type { ProxyError } from "../../errors.ts";
import { ok, type Result } from "../../result.ts";
import type { S3Context } from "../context.ts";
import { forwardedHeaders, metaFromHeaders, writeConditions } from "../headers.ts";
import { checksumHeaders } from "../checksum_headers.ts";
import { emptyResponse } from "../response.ts";
import { uploadBody } from "../upload_body.ts";

/** PutObject: streams the verified payload to the backend; 200 with the ETag. */
export async function putObject(ctx: S3Context): Promise<Result<Response, ProxyError>> {
  const upload = uploadBody(ctx);
  if (!upload.ok) return upload;
  const { stream, contentLength, checksums, trailing } = upload.value;
  const forward = forwardedHeaders(ctx.req.headers);
  const put = await ctx.bucket.backend.put(ctx.req.key, stream, {
    meta: metaFromHeaders(ctx.req.headers),
    conditions: writeConditions(ctx.req.headers),
    checksums,
    ...(trailing ? { computeChecksum: trailing } : {}),
    ...(forward ? { forward } : {}),
    ...(contentLength !== undefined ? { contentLength } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  if (!put.ok) return put;
  const stored = { ...checksums, ...put.value.checksums };
  const headers = checksumHeaders(stored);
  if (Object.keys(stored).length > 0) headers.set("x-amz-checksum-type", "FULL_OBJECT");
  headers.set("etag", put.value.etag);
  for (const [name, value] of Object.entries(put.value.backendHeaders ?? {})) {
    headers.set(name, value);
  }
  return ok(emptyResponse(200, headers));
}
