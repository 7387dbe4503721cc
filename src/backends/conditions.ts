/** Conditional requests (RFC 9110 §13, as S3 applies them) over an object's ETag and date. */
import { type ProxyError, proxyError, withHeaders } from "../errors.ts";
import type { ObjectMeta, ReadConditions, WriteConditions } from "./backend.ts";

/** Strips quotes and a weak prefix: `W/"abc"` → `abc`. */
export function bareEtag(etag: string): string {
  return etag.trim().replace(/^W\//, "").replace(/^"(.*)"$/, "$1");
}

/** Whether an If-Match / If-None-Match list (`"a", "b"` or `*`) names the ETag. */
export function etagListMatches(list: string, etag: string): boolean {
  const want = bareEtag(etag);
  return list.split(",").some((item) => {
    const t = item.trim();
    return t === "*" || (t !== "" && bareEtag(t) === want);
  });
}

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

function preconditionFailed(): ProxyError {
  return proxyError(
    "PreconditionFailed",
    "At least one of the pre-conditions you specified did not hold",
  );
}

/** The validators a 304 or 412 carries: the object's ETag and Last-Modified. */
export function validatorHeaders(
  meta: Pick<ObjectMeta, "etag" | "lastModified">,
): Record<string, string> {
  return { etag: meta.etag, "last-modified": meta.lastModified.toUTCString() };
}

/** The validators a remote store's 304 or 412 answer carried, to pass on to the client. */
export function storeValidators(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ["etag", "last-modified"]) {
    const v = headers.get(name);
    if (v !== null) out[name] = v;
  }
  return out;
}

/**
 * Evaluates read conditions with S3's precedence: If-Match, then
 * If-Unmodified-Since (ignored when If-Match is present), then If-None-Match,
 * then If-Modified-Since (ignored when If-None-Match is present). A failure
 * carries the object's validators.
 */
export function checkReadConditions(
  meta: ObjectMeta,
  c: ReadConditions,
): ProxyError | undefined {
  const failed = readConditionFailure(meta, c);
  return failed && withHeaders(failed, validatorHeaders(meta));
}

function readConditionFailure(meta: ObjectMeta, c: ReadConditions): ProxyError | undefined {
  if (c.ifMatch !== undefined) {
    if (!etagListMatches(c.ifMatch, meta.etag)) return preconditionFailed();
  } else if (
    c.ifUnmodifiedSince !== undefined &&
    seconds(meta.lastModified) > seconds(c.ifUnmodifiedSince)
  ) {
    return preconditionFailed();
  }
  if (c.ifNoneMatch !== undefined) {
    if (etagListMatches(c.ifNoneMatch, meta.etag)) return proxyError("NotModified", "Not Modified");
  } else if (
    c.ifModifiedSince !== undefined &&
    seconds(meta.lastModified) <= seconds(c.ifModifiedSince)
  ) {
    return proxyError("NotModified", "Not Modified");
  }
  return undefined;
}

/**
 * Evaluates write conditions against the current object (undefined when
 * absent): If-None-Match: * needs no object; If-Match needs a matching one
 * (NoSuchKey when absent, as S3 answers).
 */
export function checkWriteConditions(
  existing: ObjectMeta | undefined,
  c: WriteConditions | undefined,
): ProxyError | undefined {
  if (!c) return undefined;
  if (c.ifNoneMatch !== undefined) {
    if (c.ifNoneMatch.trim() !== "*") {
      return proxyError("NotImplemented", "If-None-Match on writes supports only *");
    }
    if (existing) return preconditionFailed();
  }
  if (c.ifMatch !== undefined) {
    if (!existing) return proxyError("NoSuchKey", "The specified key does not exist.");
    if (!etagListMatches(c.ifMatch, existing.etag)) return preconditionFailed();
  }
  return undefined;
}
