/** Multipart rules shared by the local backends: validating a completion and paging parts. */
import { type ProxyError, proxyError } from "../errors.ts";
import { err, ok, type Result } from "../result.ts";
import type {
  BackendResult,
  ClaimedChecksum,
  CompletedPart,
  ListPartsOptions,
  ObjectMeta,
  PartInfo,
  PartsPage,
  WriteConditions,
} from "./backend.ts";
import { bareEtag } from "./conditions.ts";
import { MIN_PART_SIZE } from "./etag.ts";

/** What a local backend's CompleteMultipartUpload assembles: the parts, the write's conditions, the claimed checksum. */
export interface Completion {
  readonly parts: readonly CompletedPart[];
  readonly conditions?: WriteConditions | undefined;
  readonly claimed?: ClaimedChecksum | undefined;
}

/** A stored part with its MD5 (hex). */
export interface StoredPart extends PartInfo {
  readonly md5: string;
}

/**
 * Checks a CompleteMultipartUpload part list against the stored parts:
 * InvalidPartOrder unless ascending, InvalidPart for an unknown part or ETag
 * mismatch, EntityTooSmall for a non-last part under 5 MiB. A part number
 * listed several times in a row (a client that retried an upload of it lists
 * each ETag it was given) is one part: the one stored last, whose ETag must be
 * among them, as S3 takes it.
 */
export function validateCompletion(
  requested: readonly CompletedPart[],
  stored: ReadonlyMap<number, StoredPart>,
): Result<StoredPart[], ProxyError> {
  const out: StoredPart[] = [];
  for (let i = 0; i < requested.length;) {
    const n = requested[i]!.partNumber;
    if (out.length > 0 && n <= out.at(-1)!.partNumber) {
      return err(
        proxyError(
          "InvalidPartOrder",
          "The list of parts was not in ascending order. The parts list must be specified in order by part number.",
        ),
      );
    }
    const etags = new Set<string>();
    for (; i < requested.length && requested[i]!.partNumber === n; i++) {
      etags.add(bareEtag(requested[i]!.etag));
    }
    const s = stored.get(n);
    if (!s || !etags.has(bareEtag(s.etag))) {
      return err(
        proxyError(
          "InvalidPart",
          `One or more of the specified parts could not be found or the ETag did not match (part ${n}).`,
        ),
      );
    }
    out.push(s);
  }
  const small = out.slice(0, -1).find((p) => p.size < MIN_PART_SIZE);
  if (small) {
    return err(
      proxyError(
        "EntityTooSmall",
        `Your proposed upload is smaller than the minimum allowed size: part ${small.partNumber} is ${small.size} bytes, every part but the last must be at least ${MIN_PART_SIZE} bytes.`,
      ),
    );
  }
  return ok(out);
}

/**
 * What a completed upload keeps so that the same Complete sent again (an SDK
 * retrying one whose answer was lost) gets the same answer, as from S3.
 */
export interface CompletionRecord {
  readonly key: string;
  /** `completionFingerprint` of the part list it was completed with. */
  readonly parts: string;
  readonly etag: string;
  readonly size: number;
  /** ISO 8601. */
  readonly lastModified: string;
  readonly checksums?: ObjectMeta["checksums"];
  readonly checksumType?: ObjectMeta["checksumType"];
}

/** A part list as one comparable string (numbers and bare ETags). */
export function completionFingerprint(parts: readonly CompletedPart[]): string {
  return parts.map((p) => `${p.partNumber}:${bareEtag(p.etag)}`).join(",");
}

/** The record of a completion, to keep beside (or instead of) the upload. */
export function completionRecord(
  parts: readonly CompletedPart[],
  meta: Pick<ObjectMeta, "key" | "etag" | "size" | "lastModified" | "checksums" | "checksumType">,
): CompletionRecord {
  return {
    key: meta.key,
    parts: completionFingerprint(parts),
    etag: meta.etag,
    size: meta.size,
    lastModified: meta.lastModified.toISOString(),
    ...(meta.checksums ? { checksums: meta.checksums } : {}),
    ...(meta.checksumType ? { checksumType: meta.checksumType } : {}),
  };
}

/**
 * The answer to a Complete of an upload that is no longer in progress: the
 * recorded result (its ETag, size and date) when it was completed with this
 * very part list, else NoSuchUpload (a different list, another key, or no
 * record).
 */
export function replayCompletion(
  record: CompletionRecord | undefined,
  key: string,
  parts: readonly CompletedPart[],
): Result<ObjectMeta, ProxyError> {
  if (!record || record.key !== key || record.parts !== completionFingerprint(parts)) {
    return err(noSuchUpload());
  }
  return ok({
    userMetadata: {},
    key,
    etag: record.etag,
    size: record.size,
    lastModified: new Date(record.lastModified),
    ...(record.checksums ? { checksums: record.checksums } : {}),
    ...(record.checksumType ? { checksumType: record.checksumType } : {}),
  });
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
    parts: page.map(({ partNumber, etag, size, lastModified, checksums }) => ({
      partNumber,
      etag,
      size,
      lastModified,
      ...(checksums ? { checksums } : {}),
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

/** What UploadPart answers: the part's ETag (quoted) and checksums. */
export type StoredPartAnswer = Pick<PartInfo, "etag" | "checksums">;

/** One part of a multipart object, as GetObjectAttributes lists it. */
export type ObjectPart = Pick<PartInfo, "partNumber" | "size" | "checksums">;

/** One page of a multipart object's parts (`partsCount` in all). */
export interface ObjectPartsPage extends Omit<PartsPage, "checksum" | "parts"> {
  readonly partsCount: number;
  readonly parts: readonly ObjectPart[];
}

/** A multipart object's parts from a store that knows them (s3; local ones keep partSizes). */
export interface ObjectPartsSource {
  objectParts(key: string, options: ListPartsOptions): BackendResult<ObjectPartsPage | undefined>;
}
