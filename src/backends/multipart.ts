/** Multipart rules shared by the local backends: validating a completion and paging parts. */
import { type ProxyError, proxyError } from "../errors.ts";
import { err, ok, type Result } from "../result.ts";
import type { CompletedPart, PartInfo, PartsPage } from "./backend.ts";
import { bareEtag } from "./conditions.ts";
import { MIN_PART_SIZE } from "./etag.ts";

/** A stored part with its MD5 (hex). */
export interface StoredPart extends PartInfo {
  readonly md5: string;
}

/**
 * Checks a CompleteMultipartUpload part list against the stored parts:
 * InvalidPartOrder unless strictly ascending, InvalidPart for an unknown part
 * or ETag mismatch, EntityTooSmall for a non-last part under 5 MiB.
 */
export function validateCompletion(
  requested: readonly CompletedPart[],
  stored: ReadonlyMap<number, StoredPart>,
): Result<StoredPart[], ProxyError> {
  const out: StoredPart[] = [];
  let prev = 0;
  for (const p of requested) {
    if (p.partNumber <= prev) {
      return err(
        proxyError(
          "InvalidPartOrder",
          "The list of parts was not in ascending order. The parts list must be specified in order by part number.",
        ),
      );
    }
    prev = p.partNumber;
    const s = stored.get(p.partNumber);
    if (!s || bareEtag(s.etag) !== bareEtag(p.etag)) {
      return err(
        proxyError(
          "InvalidPart",
          `One or more of the specified parts could not be found or the ETag did not match (part ${p.partNumber}).`,
        ),
      );
    }
    out.push(s);
  }
  for (let i = 0; i < out.length - 1; i++) {
    if (out[i]!.size < MIN_PART_SIZE) {
      return err(
        proxyError(
          "EntityTooSmall",
          `Your proposed upload is smaller than the minimum allowed size: part ${
            out[i]!.partNumber
          } is ${
            out[i]!.size
          } bytes, every part but the last must be at least ${MIN_PART_SIZE} bytes.`,
        ),
      );
    }
  }
  return ok(out);
}

/** Pages parts (sorted by number) after a marker. */
export function pageParts(
  parts: readonly PartInfo[],
  o: { readonly partNumberMarker?: number; readonly maxParts: number },
): PartsPage {
  const after = parts.filter((p) => p.partNumber > (o.partNumberMarker ?? 0));
  const page = after.slice(0, o.maxParts);
  const truncated = after.length > page.length;
  return {
    parts: page.map(({ partNumber, etag, size, lastModified }) => ({
      partNumber,
      etag,
      size,
      lastModified,
    })),
    isTruncated: truncated,
    ...(truncated && page.length > 0 ? { nextPartNumberMarker: page.at(-1)!.partNumber } : {}),
  };
}

/** A fresh, path-safe upload id. */
export function newUploadId(): string {
  return crypto.randomUUID().replace(/-/g, "") + crypto.randomUUID().replace(/-/g, "").slice(0, 16);
}

/** Whether a client-supplied upload id has our shape (so it is safe in a path). */
export function isUploadId(id: string): boolean {
  return /^[0-9a-f]{48}$/.test(id);
}

/** The error for an unknown upload. */
export function noSuchUpload(): ProxyError {
  return proxyError(
    "NoSuchUpload",
    "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
  );
}
