/**
 * GetObjectTagging. bucketgate stores no tags, so an object it serves has an
 * empty tag set; aws-cli v2 asks for it before every multipart copy. A remote
 * S3 store may hold tags written through the gateway (`x-amz-tagging` is
 * forwarded): when it reports a tag count, the answer is a precise 501 rather
 * than a wrong empty set.
 */
import { discardObjectBody } from "../../backends/backend.ts";
import { type ProxyError, proxyError } from "../../errors.ts";
import { err, ok, type Result } from "../../result.ts";
import type { S3Context } from "../context.ts";
import { xmlResponse } from "../response.ts";
import { S3_XMLNS, XML_DECLARATION } from "../../xml.ts";

/** GetObjectTagging: the object's (empty) TagSet, NoSuchKey when it does not exist. */
export async function getObjectTagging(ctx: S3Context): Promise<Result<Response, ProxyError>> {
  const version = ctx.req.query.get("versionId");
  if (version !== null && version !== "null") {
    return err(proxyError("NotImplemented", "Object versions are not implemented by bucketgate"));
  }
  const { backend } = ctx.bucket;
  const signal = ctx.signal ? { signal: ctx.signal } : {};
  // One byte is enough to learn whether the object exists and what the store reports about it;
  // an empty object has no byte 0, so it is read whole (nothing).
  let got = await backend.get(ctx.req.key, {
    range: { kind: "from", start: 0, end: 0 },
    ...signal,
  });
  if (!got.ok && got.error.kind === "InvalidRange") got = await backend.get(ctx.req.key, signal);
  if (!got.ok) return got;
  await discardObjectBody(got.value.body);
  const count = Number(got.value.meta.backendHeaders?.["x-amz-tagging-count"] ?? "0");
  if (count > 0) {
    return err(proxyError(
      "NotImplemented",
      `Reading object tags is not implemented by bucketgate (the store reports ${count} tags on this object)`,
    ));
  }
  return ok(xmlResponse(
    XML_DECLARATION + `<Tagging xmlns="${S3_XMLNS}"><TagSet/></Tagging>`,
  ));
}
