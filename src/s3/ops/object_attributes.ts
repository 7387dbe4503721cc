/**
 * GetObjectAttributes (`GET /bucket/key?attributes`): the attributes named in
 * `x-amz-object-attributes` (ETag, Checksum, ObjectParts, StorageClass,
 * ObjectSize), composed from the object's metadata; ObjectParts lists the
 * parts' sizes and checksums where the backend recorded them, paged by
 * `max-parts` and `part-number-marker`.
 */
import type { ChecksumAlgorithm } from "../../checksum/algorithm.ts";
import type {
  ListPartsOptions,
  ObjectMeta,
  ObjectPart,
  ObjectPartsPage,
} from "../../backends/backend.ts";
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

/**
 * A page of the parts a backend recorded in the object's metadata (none
 * listed without part checksums, as S3 does); undefined if not multipart.
 */
export function partsFromMeta(meta: ObjectMeta, o: ListPartsOptions): ObjectPartsPage | undefined {
  const sizes = meta.partSizes ?? [];
  const count = meta.partsCount ?? sizes.length;
  if (!count) return undefined;
  const alg = Object.keys(meta.checksums ?? {})[0] as ChecksumAlgorithm | undefined;
  // As S3: the parts are listed only for an object with an additional checksum.
  if (!alg || !meta.partChecksums) return { partsCount: count, parts: [], isTruncated: false };
  const from = o.partNumberMarker ?? 0;
  const parts: ObjectPart[] = sizes.slice(from, from + o.maxParts).map((size, i) => {
    const sum = meta.partChecksums![from + i];
    return { partNumber: from + i + 1, size, ...(sum ? { checksums: { [alg]: sum } } : {}) };
  });
  const last = from + parts.length;
  const isTruncated = sizes.length > last;
  return {
    partsCount: count,
    parts,
    isTruncated,
    ...(isTruncated ? { nextPartNumberMarker: last } : {}),
  };
}

/** The `<ObjectParts>` of a page of parts. */
function partsXml(page: ObjectPartsPage, o: { marker: number; maxParts: number }): string {
  let parts = "";
  for (const p of page.parts) {
    parts += `<Part>${checksumXml(p.checksums)}${el("PartNumber", p.partNumber)}${
      el("Size", p.size)
    }</Part>`;
  }
  return `<ObjectParts>` + el("IsTruncated", page.isTruncated) + el("MaxParts", o.maxParts) +
    (page.nextPartNumberMarker !== undefined
      ? el("NextPartNumberMarker", page.nextPartNumberMarker)
      : "") +
    el("PartNumberMarker", o.marker) + parts + el("PartsCount", page.partsCount) +
    `</ObjectParts>`;
}

/** The ObjectParts page: the backend's own (s3), else from the object's metadata. */
async function objectPartsOf(
  ctx: S3Context,
  meta: ObjectMeta,
  o: ListPartsOptions,
): Promise<Result<ObjectPartsPage | undefined, ProxyError>> {
  const { backend } = ctx.bucket;
  return backend.objectParts
    ? await backend.objectParts(ctx.req.key, o)
    : ok(partsFromMeta(meta, o));
}

/**
 * `max-parts` and `part-number-marker`: S3 takes them as headers
 * (`x-amz-max-parts`…, what SDKs send); the query names are accepted too.
 */
function pagingOf(ctx: S3Context): Result<{ marker: number; maxParts: number }, ProxyError> {
  const given = new URLSearchParams();
  for (const name of ["max-parts", "part-number-marker"]) {
    const v = ctx.req.headers.get(`x-amz-${name}`) ?? ctx.req.query.get(name);
    if (v !== null) given.set(name, v);
  }
  const maxParts = intParam(given, "max-parts", { fallback: 1000, min: 0, cap: 1000 });
  if (!maxParts.ok) return maxParts;
  const marker = intParam(given, "part-number-marker", { fallback: 0, min: 0, cap: 10000 });
  return marker.ok ? ok({ marker: marker.value, maxParts: maxParts.value }) : marker;
}

/** GetObjectAttributes, authorized as a read of the object. */
export async function getObjectAttributes(ctx: S3Context): Promise<Result<Response, ProxyError>> {
  await ctx.body?.cancel();
  const wanted = requestedAttributes(ctx.req.headers);
  if (!wanted.ok) return wanted;
  const paging = pagingOf(ctx);
  if (!paging.ok) return paging;
  const head = await ctx.bucket.backend.head(ctx.req.key);
  if (!head.ok) return head;
  const meta = head.value;
  const has = (a: Attribute) => wanted.value.has(a);
  const checksum = has("Checksum") ? checksumXml(meta.checksums, meta.checksumType) : "";
  const storageClass = meta.backendHeaders?.["x-amz-storage-class"] ?? "STANDARD";
  const { marker, maxParts } = paging.value;
  const parts = has("ObjectParts")
    ? await objectPartsOf(ctx, meta, {
      maxParts,
      ...(marker > 0 ? { partNumberMarker: marker } : {}),
    })
    : ok(undefined);
  if (!parts.ok) return parts;
  const body = (has("ETag") ? el("ETag", meta.etag.replace(/"/g, "")) : "") +
    (checksum ? `<Checksum>${checksum}</Checksum>` : "") +
    (parts.value ? partsXml(parts.value, paging.value) : "") +
    (has("StorageClass") ? el("StorageClass", storageClass) : "") +
    (has("ObjectSize") ? el("ObjectSize", meta.size) : "");
  const headers = new Headers({ "last-modified": meta.lastModified.toUTCString() });
  return ok(xmlResponse(
    XML_DECLARATION + `<GetObjectAttributesResponse xmlns="${S3_XMLNS}">${body}` +
      `</GetObjectAttributesResponse>`,
    headers,
  ));
}
