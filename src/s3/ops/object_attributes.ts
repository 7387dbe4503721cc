/**
 * GetObjectAttributes (`GET /bucket/key?attributes`): the attributes named in
 * `x-amz-object-attributes` (ETag, Checksum, ObjectParts, StorageClass,
 * ObjectSize), composed from the object's metadata; ObjectParts lists the
 * parts' sizes and checksums where the backend recorded them, paged by
 * `max-parts` and `part-number-marker`.
 */
import type { ObjectMeta } from "../../backends/backend.ts";
import { type ProxyError, proxyError } from "../../errors.ts";
import { err, ok, type Result } from "../../result.ts";
import type { S3Context } from "../context.ts";
import { intParam } from "../params.ts";
import { xmlResponse } from "../response.ts";
import { checksumXml } from "../upload_checksum.ts";
import { el, S3_XMLNS, XML_DECLARATION } from "../../xml.ts";

/** The attributes GetObjectAttributes knows. */
export const OBJECT_ATTRIBUTES = [
  "ETag",
  "Checksum",
  "ObjectParts",
  "StorageClass",
  "ObjectSize",
] as const;
type Attribute = typeof OBJECT_ATTRIBUTES[number];

/** The attributes a request asks for (`x-amz-object-attributes`, comma-separated). */
export function requestedAttributes(headers: Headers): Result<Set<Attribute>, ProxyError> {
  const raw = headers.get("x-amz-object-attributes");
  const names = (raw ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (names.length === 0) {
    return err(proxyError(
      "InvalidArgument",
      "Missing required header for this request: x-amz-object-attributes",
    ));
  }
  const out = new Set<Attribute>();
  for (const n of names) {
    const known = OBJECT_ATTRIBUTES.find((a) => a.toLowerCase() === n.toLowerCase());
    if (!known) return err(proxyError("InvalidArgument", "Invalid attribute name specified."));
    out.add(known);
  }
  return ok(out);
}

/** The `<ObjectParts>` of a multipart object, one page of its parts. */
function partsXml(meta: ObjectMeta, page: { marker: number; maxParts: number }): string {
  const count = meta.partsCount ?? meta.partSizes?.length;
  if (!count) return "";
  const alg = Object.keys(meta.checksums ?? {})[0];
  let parts = "";
  let listed = 0;
  let last = page.marker;
  const sizes = meta.partSizes ?? [];
  for (let n = page.marker + 1; n <= sizes.length && listed < page.maxParts; n++, listed++) {
    const sum = alg && meta.partChecksums?.[n - 1];
    parts += `<Part>${sum ? el(`Checksum${alg}`, sum) : ""}${el("PartNumber", n)}${
      el("Size", sizes[n - 1]!)
    }</Part>`;
    last = n;
  }
  const truncated = sizes.length > last;
  return `<ObjectParts>` + el("IsTruncated", truncated) + el("MaxParts", page.maxParts) +
    (truncated ? el("NextPartNumberMarker", last) : "") +
    el("PartNumberMarker", page.marker) + parts + el("PartsCount", count) + `</ObjectParts>`;
}

/** GetObjectAttributes, authorized as a read of the object. */
export async function getObjectAttributes(ctx: S3Context): Promise<Result<Response, ProxyError>> {
  await ctx.body?.cancel();
  const wanted = requestedAttributes(ctx.req.headers);
  if (!wanted.ok) return wanted;
  // S3 takes them as headers (what SDKs send); the query names are accepted too.
  const paging = new URLSearchParams();
  for (const name of ["max-parts", "part-number-marker"]) {
    const v = ctx.req.headers.get(`x-amz-${name}`) ?? ctx.req.query.get(name);
    if (v !== null) paging.set(name, v);
  }
  const maxParts = intParam(paging, "max-parts", { fallback: 1000, min: 0, cap: 1000 });
  if (!maxParts.ok) return maxParts;
  const marker = intParam(paging, "part-number-marker", { fallback: 0, min: 0, cap: 10000 });
  if (!marker.ok) return marker;
  const head = await ctx.bucket.backend.head(ctx.req.key);
  if (!head.ok) return head;
  const meta = head.value;
  const has = (a: Attribute) => wanted.value.has(a);
  const checksum = has("Checksum") ? checksumXml(meta.checksums, meta.checksumType) : "";
  const storageClass = meta.backendHeaders?.["x-amz-storage-class"] ?? "STANDARD";
  const body = (has("ETag") ? el("ETag", meta.etag.replace(/"/g, "")) : "") +
    (checksum ? `<Checksum>${checksum}</Checksum>` : "") +
    (has("ObjectParts") ? partsXml(meta, { marker: marker.value, maxParts: maxParts.value }) : "") +
    (has("StorageClass") ? el("StorageClass", storageClass) : "") +
    (has("ObjectSize") ? el("ObjectSize", meta.size) : "");
  const headers = new Headers({ "last-modified": meta.lastModified.toUTCString() });
  return ok(xmlResponse(
    XML_DECLARATION + `<GetObjectAttributesResponse xmlns="${S3_XMLNS}">${body}` +
      `</GetObjectAttributesResponse>`,
    headers,
  ));
}
