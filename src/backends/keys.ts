/** Object-key rules that hold for every backend. */
import { type ProxyError, proxyError } from "../errors.ts";

/** S3's limit on a key's UTF-8 length. */
export const MAX_KEY_BYTES = 1024;

const encoder = new TextEncoder();

/** A key every backend accepts: non-empty, at most 1024 UTF-8 bytes, no NUL. */
export function validateKey(key: string): ProxyError | undefined {
  if (key === "") return proxyError("InvalidRequest", "An object key is required");
  if (encoder.encode(key).length > MAX_KEY_BYTES) {
    return proxyError("KeyTooLong", "Your key is too long");
  }
  if (key.includes("\0")) return proxyError("InvalidArgument", "Object keys cannot contain NUL");
  return undefined;
}

/** Compares strings in UTF-8 byte order (S3's listing order), not UTF-16 code units. */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (astral code points) sort after every BMP character in UTF-8.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** Whether a URL path has a `.` or `..` segment, as sent (`%2E` counts as a dot). */
export function hasDotSegment(path: string): boolean {
  // One pass, no copies: this runs on every s3 and az request (issue 30).
  let dots = 0; // the dots of the segment so far; -1 once it holds anything else
  for (let i = 0; i <= path.length; i++) {
    const c = path.charCodeAt(i); // NaN past the end: the last segment ends there
    if (c === 47 || i === path.length) {
      if (dots === 1 || dots === 2) return true;
      dots = 0;
    } else if (dots < 0) continue;
    else if (c === 46) dots++;
    else if (c === 37 && path.charCodeAt(i + 1) === 50 && (path.charCodeAt(i + 2) | 32) === 101) {
      dots++;
      i += 2;
    } else dots = -1;
  }
  return false;
}

/**
 * Refuses request paths with a `.` or `..` segment on backends reached by URL
 * (s3, az): URL parsing would resolve `a/../b` to `b` (and `%2E%2E` too, so the
 * path is checked as sent), writing where the scopes never allowed.
 */
export function urlPathProblem(path: string, backend: string): ProxyError | undefined {
  if (!hasDotSegment(path)) return undefined;
  return proxyError(
    "InvalidArgument",
    `Object keys with '.' or '..' segments cannot be stored on the ${backend} backend`,
  );
}

/**
 * What a read (GET, HEAD, a copy's source) of a key a backend can never hold
 * answers, on every backend: its internal namespace, or a spelling it cannot
 * store. Such a key does not exist, so the answer is the one for a missing key.
 */
export function unstorableKeyRead(): ProxyError {
  return proxyError("NoSuchKey", "The specified key does not exist.");
}

/** What a write (PUT, copy, CreateMultipartUpload) into a backend's internal namespace answers. */
export function reservedKeyWrite(backend: string, name: string): ProxyError {
  return proxyError(
    "InvalidArgument",
    `Keys under '${name}' (in any spelling) are reserved by the ${backend} backend`,
  );
}
