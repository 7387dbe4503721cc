/**
 * Blob names: bucketgate's own namespace in the container (`.bucketgate/`,
 * which no S3 request lists, reads, writes or deletes in any spelling), the
 * paths of upload state under it, and names as List Blobs returns them.
 */
import { type ProxyError, proxyError } from "../../errors.ts";
import { err, ok, type Result } from "../../result.ts";
import { str } from "./xml.ts";

/** Container-level prefix of bucketgate's own blobs (multipart state). */
export const INTERNAL_PREFIX = ".bucketgate/";
/** Where upload state lives: `<UPLOADS><uploadId>/upload`, `/part-NNNNN`, `/completed`. */
export const UPLOADS = `${INTERNAL_PREFIX}uploads/`;
const INTERNAL_NAME = INTERNAL_PREFIX.slice(0, -1);

/**
 * Whether a blob name (a key with any backend_prefix already added) would reach
 * the internal namespace, read the way any hop might read it: `\\` as `/`, `.`
 * and `..` segments resolved (URL parsing), trailing dots of a segment trimmed
 * (Azure's front end does), empty segments dropped (`/x`, `a//x`). The first
 * segment left is compared exactly: Azure blob names are case-sensitive. The
 * one predicate every az entry point and the listing use.
 */
export function isAzInternal(name: string): boolean {
  const segments: string[] = [];
  for (const raw of name.split(/[\\/]/)) {
    if (raw === "..") {
      segments.pop();
      continue;
    }
    const s = raw.replace(/\.+$/, ""); // `.` and trailing dots
    if (s !== "") segments.push(s);
  }
  return segments[0] === INTERNAL_NAME;
}

/** Whether every blob name that starts with `prefix` is internal (`.bucketgate/`, `/.bucketgate/`…). */
export function allInternal(prefix: string): boolean {
  return isAzInternal(prefix + "x");
}

/** The blob holding an upload's record. */
export function uploadPath(uploadId: string): string {
  return `${UPLOADS}${uploadId}/upload`;
}

/** The blob holding the record of part `n` of an upload. */
export function partPath(uploadId: string, n: number): string {
  return `${UPLOADS}${uploadId}/part-${String(n).padStart(5, "0")}`;
}

/** The blob holding the part checksums of the object upload `uploadId` completed, when many. */
export function partChecksumsPath(uploadId: string): string {
  return `${INTERNAL_PREFIX}partsums/${uploadId}`;
}

/** The blob holding what a completed upload answered. */
export function completionPath(uploadId: string): string {
  return `${UPLOADS}${uploadId}/completed`;
}

/**
 * A blob name from a listing: plain text, or percent-encoded when
 * `Encoded="true"`. An encoded name with a malformed escape names no blob we
 * could read back, so it is a backend failure rather than a key to list.
 */
export function listedName(v: unknown): Result<string, ProxyError> {
  if (typeof v !== "object" || v === null) return ok(str(v));
  const o = v as Record<string, unknown>;
  const text = str(o["#text"]);
  if (o["@Encoded"] !== "true") return ok(text);
  try {
    return ok(decodeURIComponent(text));
  } catch {
    return err(
      proxyError("BackendError", "The backend failed", `ListBlobs: malformed encoded name ${text}`),
    );
  }
}
