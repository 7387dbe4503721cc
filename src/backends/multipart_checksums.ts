/**
 * Checksums on the local stores (memory, fs, az): what a PUT stores, which
 * checksum a part is stored with, and the object's checksum made at
 * completion from the parts' (composite, or full-object combined), checked
 * against what the client listed and claimed.
 */
import type { ChecksumAlgorithm } from "../checksum/algorithm.ts";
import { combineCrcs, compositeChecksum, isCrc } from "../checksum/combine.ts";
import { hashTap } from "../checksum/hasher.ts";
import { type ProxyError, proxyError } from "../errors.ts";
import { err, ok, type Result } from "../result.ts";
import type {
  Checksums,
  ClaimedChecksum,
  CompletedPart,
  ObjectMeta,
  PartInfo,
  PutOptions,
  UploadChecksum,
} from "./backend.ts";

/**
 * The algorithm a part of `upload` is checksummed with: the upload's, else
 * that of a checksum the part sends in a trailer. A part that declares
 * another one than the upload's is refused, as S3 refuses it.
 */
export function partAlgorithm(
  upload: UploadChecksum | undefined,
  declared: Checksums | undefined,
  trailing?: ChecksumAlgorithm,
): Result<ChecksumAlgorithm | undefined, ProxyError> {
  if (!upload) return ok(trailing);
  const named = [...Object.keys(declared ?? {}), ...(trailing ? [trailing] : [])];
  const other = named.find((a) => a !== upload.algorithm);
  if (other) {
    return err(proxyError(
      "InvalidRequest",
      `Checksum Type mismatch occurred, expected checksum Type: ${upload.algorithm.toLowerCase()}, actual checksum Type: ${other.toLowerCase()}`,
    ));
  }
  return ok(upload.algorithm);
}

/** A part's body hashed with `alg` on the way through, and the part's checksums once it ended. */
export function tapPart(
  body: ReadableStream<Uint8Array>,
  alg: ChecksumAlgorithm | undefined,
  declared: Checksums | undefined,
): { readonly body: ReadableStream<Uint8Array>; checksums(): Checksums | undefined } {
  if (!alg) {
    const given = declared && Object.keys(declared).length > 0 ? declared : undefined;
    return { body, checksums: () => given };
  }
  const tap = hashTap(alg);
  return { body: body.pipeThrough(tap.transform), checksums: () => ({ [alg]: tap.digest() }) };
}

/**
 * A PUT's body, hashed on the way through when `o.computeChecksum` asks for a
 * checksum the client did not declare, and the checksums to store once it
 * ended (all full-object).
 */
export function tapPut(
  body: ReadableStream<Uint8Array>,
  o: Pick<PutOptions, "checksums" | "computeChecksum">,
): { readonly body: ReadableStream<Uint8Array>; stored(): ObjectChecksum } {
  const alg = o.computeChecksum;
  const tap = alg && !o.checksums?.[alg] ? hashTap(alg) : undefined;
  return {
    body: tap ? body.pipeThrough(tap.transform) : body,
    stored: () => {
      const checksums = { ...o.checksums, ...(tap ? { [alg!]: tap.digest() } : {}) };
      return Object.keys(checksums).length > 0 ? { checksums, checksumType: "FULL_OBJECT" } : {};
    },
  };
}

/** What a completed object records about its checksum. */
export type ObjectChecksum = Pick<ObjectMeta, "checksums" | "checksumType" | "partChecksums">;

function missingPartChecksum(alg: ChecksumAlgorithm, n: number): ProxyError {
  return proxyError(
    "InvalidRequest",
    `The upload was created using a ${alg.toLowerCase()} checksum. The complete request must include the checksum for each part. It was missing for part ${n} in the request.`,
  );
}

/** The parts' checksums of `alg`, each checked against what the Complete listed for it. */
function partSums(
  upload: UploadChecksum,
  requested: readonly CompletedPart[],
  chosen: readonly PartInfo[],
): Result<string[] | undefined, ProxyError> {
  const listed = new Map<number, string>();
  for (const p of requested) {
    const v = p.checksums?.[upload.algorithm];
    if (v) listed.set(p.partNumber, v);
  }
  const sums: string[] = [];
  for (const part of chosen) {
    const stored = part.checksums?.[upload.algorithm];
    const given = listed.get(part.partNumber);
    if (given === undefined && upload.type === "COMPOSITE") {
      return err(missingPartChecksum(upload.algorithm, part.partNumber));
    }
    if (given !== undefined && stored !== undefined && given !== stored) {
      return err(proxyError(
        "InvalidPart",
        `One or more of the specified parts could not be found or the checksum did not match (part ${part.partNumber}).`,
      ));
    }
    // A part stored before checksums were kept: the object gets none.
    if (stored === undefined) return ok(undefined);
    sums.push(stored);
  }
  return ok(sums);
}

/**
 * The object's checksum from its parts' (InvalidRequest for a Complete of
 * another checksum type or missing a composite part's checksum, InvalidPart
 * for a part checksum that differs, BadDigest for a claimed whole-object
 * checksum that differs). An upload created without a checksum gets none.
 */
export function completedChecksum(
  upload: UploadChecksum | undefined,
  requested: readonly CompletedPart[],
  chosen: readonly PartInfo[],
  claimed?: ClaimedChecksum,
): Result<ObjectChecksum, ProxyError> {
  if (!upload) return ok({});
  if (claimed?.type && claimed.type !== upload.type) {
    return err(proxyError(
      "InvalidRequest",
      `The upload was created using the ${upload.type} checksum mode. The complete request must use the same checksum mode.`,
    ));
  }
  const sums = partSums(upload, requested, chosen);
  if (!sums.ok || !sums.value) return sums.ok ? ok({}) : sums;
  const alg = upload.algorithm;
  const value = upload.type === "FULL_OBJECT" && isCrc(alg)
    ? combineCrcs(alg, chosen.map((p, i) => ({ checksum: sums.value![i]!, size: p.size })))
    : compositeChecksum(alg, sums.value);
  const want = claimed?.checksums[alg];
  if (want !== undefined && want !== value && want !== value.replace(/-\d+$/, "")) {
    return err(proxyError(
      "BadDigest",
      `The ${alg} you specified did not match the calculated checksum.`,
    ));
  }
  return ok({ checksums: { [alg]: value }, checksumType: upload.type, partChecksums: sums.value });
}
