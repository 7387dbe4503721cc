/**
 * The parts of a multipart object on the store, for GetObjectAttributes: the
 * store's own answer where it has the operation, else composed from reads by
 * part number (HEAD `?partNumber=n`: the parts count, each part's size and
 * checksum).
 */
import { err, ok } from "../../result.ts";
import type { BackendResult, ListPartsOptions, ObjectPart, ObjectPartsPage } from "../backend.ts";
import { unstorableKeyRead } from "../keys.ts";
import { release } from "../http/send.ts";
import type { S3Client } from "./client.ts";
import { errorFrom, xmlAnswer } from "./errors.ts";
import { metaFrom } from "./headers.ts";
import { checksumsFromXml } from "./checksums.ts";
import { records } from "./listing.ts";
import { str } from "./xml.ts";

/** Answers that mean the store lacks GetObjectAttributes (or this use of it). */
const UNSUPPORTED = new Set([400, 405, 501]);

/** How many reads by part number run at once when composing. */
const PARALLEL_HEADS = 8;

/** A page of parts from a parsed GetObjectAttributes answer; undefined when it has none. */
export function partsFromAttributes(doc: Record<string, unknown>): ObjectPartsPage | undefined {
  const res = doc.GetObjectAttributesResponse ?? doc.GetObjectAttributesOutput;
  const op = (res as Record<string, unknown> | undefined)?.ObjectParts as
    | Record<string, unknown>
    | undefined;
  const count = Number(str(op?.PartsCount ?? op?.TotalPartsCount));
  if (!op || !(count > 0)) return undefined;
  const parts: ObjectPart[] = records(op.Part).map((p) => {
    const checksums = checksumsFromXml(p);
    return {
      partNumber: Number(str(p.PartNumber)),
      size: Number(str(p.Size)),
      ...(checksums ? { checksums } : {}),
    };
  });
  const isTruncated = str(op.IsTruncated) === "true";
  const next = Number(str(op.NextPartNumberMarker));
  return {
    partsCount: count,
    parts,
    isTruncated,
    ...(isTruncated && next > 0 ? { nextPartNumberMarker: next } : {}),
  };
}

/** The parts of `key` after `partNumberMarker`: the store's answer, else composed. */
export async function objectParts(
  c: S3Client,
  key: string,
  opts: ListPartsOptions,
): BackendResult<ObjectPartsPage | undefined> {
  if (c.unreadable(key)) return err(unstorableKeyRead());
  const headers: Record<string, string> = {
    "x-amz-object-attributes": "ObjectParts",
    "x-amz-max-parts": String(opts.maxParts),
    ...(opts.partNumberMarker ? { "x-amz-part-number-marker": String(opts.partNumberMarker) } : {}),
  };
  const r = await c.call({ method: "GET", path: c.pathOf(key), query: "attributes=", headers });
  if (!r.ok) return r;
  // A store without the operation may ignore `?attributes` and send the object itself.
  const xml = /xml/i.test(r.value.headers.get("content-type") ?? "");
  if (r.value.status === 200 && !xml) {
    await release(r.value);
  } else if (r.value.status === 200) {
    const doc = await xmlAnswer(r.value, "GetObjectAttributes");
    if (!doc.ok) return doc;
    const page = partsFromAttributes(doc.value);
    if (page) return ok(page);
  } else if (UNSUPPORTED.has(r.value.status)) {
    await release(r.value);
  } else {
    return err(await errorFrom(r.value, "GetObjectAttributes"));
  }
  return await composedParts(c, key, opts);
}

/** One part's size and checksums, read by part number. */
async function headPart(c: S3Client, key: string, n: number) {
  const r = await c.call({
    method: "HEAD",
    path: c.pathOf(key),
    query: `partNumber=${n}`,
    headers: { "x-amz-checksum-mode": "ENABLED" },
  });
  if (!r.ok) return r;
  if (r.value.status !== 200 && r.value.status !== 206) {
    return err(await errorFrom(r.value, "HeadObject"));
  }
  await release(r.value);
  return ok({
    n,
    meta: metaFrom(key, r.value.headers),
    length: r.value.headers.get("content-length"),
  });
}

/** The page composed from reads by part number; undefined for an object that is not multipart. */
async function composedParts(
  c: S3Client,
  key: string,
  opts: ListPartsOptions,
): BackendResult<ObjectPartsPage | undefined> {
  const first = await headPart(c, key, 1);
  if (!first.ok) return first;
  const count = first.value.meta.partsCount;
  if (!count) return ok(undefined);
  // As S3: the parts are listed only for an object with an additional checksum.
  if (!first.value.meta.checksums) return ok({ partsCount: count, parts: [], isTruncated: false });
  const from = (opts.partNumberMarker ?? 0) + 1;
  const last = Math.min(count, from + opts.maxParts - 1);
  const parts: ObjectPart[] = [];
  for (let n = from; n <= last; n += PARALLEL_HEADS) {
    const batch = [];
    for (let k = n; k < n + PARALLEL_HEADS && k <= last; k++) {
      batch.push(k === 1 ? Promise.resolve(first) : headPart(c, key, k));
    }
    for (const h of await Promise.all(batch)) {
      if (!h.ok) return h;
      const { checksums } = h.value.meta;
      parts.push({
        partNumber: h.value.n,
        size: Number(h.value.length ?? 0),
        ...(checksums ? { checksums } : {}),
      });
    }
  }
  const isTruncated = last < count;
  return ok({
    partsCount: count,
    parts,
    isTruncated,
    ...(isTruncated ? { nextPartNumberMarker: last } : {}),
  });
}
