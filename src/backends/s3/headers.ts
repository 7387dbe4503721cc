/** Object metadata and conditions as S3 headers, both ways. */
import type {
  HttpMeta,
  ObjectMeta,
  RangeSpec,
  ReadConditions,
  WriteConditions,
} from "../backend.ts";
import { PASSED_RESPONSE_HEADERS, pickHeaders } from "../passthrough.ts";
import { META_HEADERS, USER_META_PREFIX } from "../meta_headers.ts";
import { algorithmOfHeader } from "../../checksum/algorithm.ts";
import { httpDateMs } from "../../clock.ts";

/** An object's HTTP metadata as the headers of a PUT, CopyObject or CreateMultipartUpload. */
export function metaHeaders(meta: HttpMeta): Record<string, string> {
  const h: Record<string, string> = {};
  for (const [header, field] of META_HEADERS) {
    const v = meta[field];
    if (v) h[header] = v;
  }
  for (const [k, v] of Object.entries(meta.userMetadata)) h[USER_META_PREFIX + k] = v;
  return h;
}

/** Object fields read from the store's headers of the same name. */
const META_FIELDS: Readonly<Record<string, string>> = Object.fromEntries(META_HEADERS);

const PASSED = new Set(PASSED_RESPONSE_HEADERS);

/** An object's metadata from a GET or HEAD answer, in one walk over its headers. */
export function metaFrom(key: string, h: Headers): ObjectMeta {
  const userMetadata: Record<string, string> = {};
  const meta: Record<string, unknown> = { key, userMetadata };
  let checksums: Record<string, string> | undefined;
  let passed: Record<string, string> | undefined;
  let length = "0";
  let contentRange = "";
  let etag = '""';
  let lastModified: string | number = 0;
  // forEach, not for…of: a Headers' iterator costs ~10× as much (issue 30).
  h.forEach((v, k) => {
    if (k.startsWith(USER_META_PREFIX)) userMetadata[k.slice(USER_META_PREFIX.length)] = v;
    else if (k === "content-length") length = v;
    else if (k === "content-range") contentRange = v;
    else if (k === "etag") etag = v;
    else if (k === "last-modified") lastModified = v;
    else if (k === "x-amz-mp-parts-count") meta.partsCount = Number(v);
    else if (k === "x-amz-checksum-type") meta.checksumType = v.toUpperCase();
    else if (Object.hasOwn(META_FIELDS, k)) meta[META_FIELDS[k]!] = v;
    else if (PASSED.has(k)) (passed ??= {})[k] = v;
    else {
      const alg = algorithmOfHeader(k);
      if (alg) (checksums ??= {})[alg] = v;
    }
  });
  const total = /\/(\d+)$/.exec(contentRange);
  meta.size = total ? Number(total[1]) : Number(length);
  meta.etag = etag;
  meta.lastModified = new Date(typeof lastModified === "string" ? httpDateMs(lastModified) : 0);
  if (checksums) meta.checksums = checksums;
  if (passed) meta.backendHeaders = passed;
  return meta as unknown as ObjectMeta;
}

/** A read's conditions (or a write's) as the headers the store should check. */
export function conditionHeaders(
  c: ReadConditions | WriteConditions | undefined,
): Record<string, string> {
  const h: Record<string, string> = {};
  if (!c) return h;
  // `If-Match: *` holds for any object that exists (a missing one is a 404
  // anyway); some emulators get it wrong, so it is not sent.
  if (c.ifMatch && c.ifMatch.trim() !== "*") h["if-match"] = c.ifMatch;
  if (c.ifNoneMatch) h["if-none-match"] = c.ifNoneMatch;
  // RFC 9110 §13.2.2: a date condition is ignored beside its ETag twin; not
  // every store applies that, so the overridden header is not sent.
  const r = c as ReadConditions;
  if (r.ifModifiedSince && !c.ifNoneMatch) h["if-modified-since"] = r.ifModifiedSince.toUTCString();
  if (r.ifUnmodifiedSince && !c.ifMatch) {
    h["if-unmodified-since"] = r.ifUnmodifiedSince.toUTCString();
  }
  return h;
}

/**
 * A write's conditions as the store should check them: If-Match (an ETag list
 * or `*`) and If-None-Match, each sent as the client sent it. A store that
 * ignores them writes anyway: see the docs on conditional writes.
 */
export function writeConditionHeaders(
  c: WriteConditions | undefined,
): Record<string, string> {
  const h: Record<string, string> = {};
  if (c?.ifMatch !== undefined) h["if-match"] = c.ifMatch;
  if (c?.ifNoneMatch !== undefined) h["if-none-match"] = c.ifNoneMatch;
  return h;
}

/** The store's answers about storage class, encryption and the like, for the client. */
export function answers(h: Headers): { backendHeaders?: Record<string, string> } {
  const picked = pickHeaders(h, PASSED_RESPONSE_HEADERS);
  return picked ? { backendHeaders: picked } : {};
}

/** A read's range as a Range header. */
export function rangeHeader(range: RangeSpec): string {
  return range.kind === "suffix"
    ? `bytes=-${range.length}`
    : `bytes=${range.start}-${range.end ?? ""}`;
}
