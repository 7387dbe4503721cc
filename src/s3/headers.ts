/** Object HTTP headers: read from requests, written on responses. */
import type {
  ByteRange,
  ForwardedHeaders,
  HttpMeta,
  ObjectMeta,
  RangeSpec,
  ReadConditions,
  WriteConditions,
} from "../backends/backend.ts";

import { isEmptyRange } from "../backends/range.ts";
import { httpDateText } from "../clock.ts";
import { FORWARDED_WRITE_HEADERS, pickHeaders } from "../backends/passthrough.ts";
import { META_HEADERS, USER_META_PREFIX as META_PREFIX } from "../backends/meta_headers.ts";

/** The headers of a write that only a remote S3 store acts on (storage class, SSE, tagging…). */
export function forwardedHeaders(headers: Headers): ForwardedHeaders | undefined {
  return pickHeaders(headers, FORWARDED_WRITE_HEADERS);
}

/** The stored HTTP metadata a PutObject / CreateMultipartUpload / CopyObject(REPLACE) carries. */
export function metaFromHeaders(headers: Headers): HttpMeta {
  const userMetadata: Record<string, string> = Object.create(null);
  headers.forEach((value, name) => {
    if (name.startsWith(META_PREFIX) && name.length > META_PREFIX.length) {
      userMetadata[name.slice(META_PREFIX.length)] = value;
    }
  });
  const meta: {
    -readonly [K in keyof HttpMeta]: HttpMeta[K];
  } = { userMetadata };
  for (const [header, field] of META_HEADERS) {
    const raw = headers.get(header) ?? undefined;
    const v = field === "contentEncoding" ? stripAwsChunked(raw) : raw;
    if (v !== undefined) meta[field] = v;
  }
  return meta;
}

/** `aws-chunked` is transfer framing, never stored: drop it from Content-Encoding. */
export function stripAwsChunked(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const rest = value.split(",").map((s) => s.trim()).filter((s) =>
    s !== "" && s.toLowerCase() !== "aws-chunked"
  );
  return rest.length === 0 ? undefined : rest.join(", ");
}

/**
 * The headers of an object on GET/HEAD (without Content-Length and
 * Content-Range), as a record (lower-case names) the handler completes and
 * hands to `new Response` once: a `Headers` built with `set`s would be walked
 * again by the Response (issue 30).
 */
export function objectHeaders(meta: ObjectMeta): Record<string, string> {
  const h: Record<string, string> = {
    "content-type": meta.contentType ?? "binary/octet-stream",
    etag: meta.etag,
    "last-modified": httpDateText(meta.lastModified.getTime()),
    "accept-ranges": "bytes",
  };
  for (const [header, field] of META_HEADERS) {
    const v = meta[field];
    if (v && field !== "contentType") h[header] = v;
  }
  const user = meta.userMetadata;
  for (const name in user) {
    // Header names are case-insensitive: one header per lower-cased name, the last one kept.
    if (Object.hasOwn(user, name)) h[(META_PREFIX + name).toLowerCase()] = user[name]!;
  }
  const passed = meta.backendHeaders;
  for (const name in passed) if (Object.hasOwn(passed, name)) h[name] = passed[name]!;
  return h;
}

/** Sets Content-Length (and Content-Range for a 206) for the bytes served. */
export function setLengthHeaders(
  h: Record<string, string>,
  size: number,
  range: ByteRange | undefined,
): void {
  if (range && isEmptyRange(range)) {
    h["content-length"] = "0"; // an empty part: no byte, so no Content-Range
  } else if (range) {
    h["content-range"] = `bytes ${range.start}-${range.end}/${size}`;
    h["content-length"] = String(range.end - range.start + 1);
  } else {
    h["content-length"] = String(size);
  }
}

function httpDate(value: string | null): Date | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** If-* read conditions, optionally with a prefix (`x-amz-copy-source-` for copies). */
export function readConditions(headers: Headers, prefix = ""): ReadConditions {
  const c: { -readonly [K in keyof ReadConditions]: ReadConditions[K] } = {};
  const ifMatch = headers.get(prefix + "if-match");
  if (ifMatch) c.ifMatch = ifMatch;
  const ifNoneMatch = headers.get(prefix + "if-none-match");
  if (ifNoneMatch) c.ifNoneMatch = ifNoneMatch;
  const since = httpDate(headers.get(prefix + "if-modified-since"));
  if (since) c.ifModifiedSince = since;
  const unmodified = httpDate(headers.get(prefix + "if-unmodified-since"));
  if (unmodified) c.ifUnmodifiedSince = unmodified;
  return c;
}

/** If-Match / If-None-Match on writes. */
export function writeConditions(headers: Headers): WriteConditions {
  const c: { -readonly [K in keyof WriteConditions]: WriteConditions[K] } = {};
  const ifMatch = headers.get("if-match");
  if (ifMatch) c.ifMatch = ifMatch;
  const ifNoneMatch = headers.get("if-none-match");
  if (ifNoneMatch) c.ifNoneMatch = ifNoneMatch;
  return c;
}

/** Whether any read condition is set. */
export function hasConditions(c: ReadConditions | WriteConditions): boolean {
  return Object.keys(c).length > 0;
}

const RANGE = /^bytes=(\d*)-(\d*)$/;

/**
 * Parses a single-range `Range` header. Anything else (several ranges, other
 * units, garbage) is ignored, as RFC 9110 allows, and the whole object served.
 */
export function parseRangeHeader(value: string | null): RangeSpec | undefined {
  if (!value) return undefined;
  const m = RANGE.exec(value.trim());
  if (!m) return undefined;
  const [, a = "", b = ""] = m;
  if (a === "" && b === "") return undefined;
  if (a === "") return { kind: "suffix", length: Number(b) };
  const start = Number(a);
  if (b === "") return { kind: "from", start };
  const end = Number(b);
  if (end < start) return undefined;
  return { kind: "from", start, end };
}
