/**
 * The checksum headers of multipart uploads: CreateMultipartUpload's
 * `x-amz-checksum-algorithm` and `x-amz-checksum-type` (with S3's defaults and
 * refusals), CompleteMultipartUpload's whole-object checksum, and the
 * `<ChecksumCRC32>`… elements of the XML answers.
 */
import {
  CHECKSUM_ALGORITHMS,
  type ChecksumAlgorithm,
  checksumHeaderName,
  type ChecksumType,
  defaultChecksumType,
  parseAlgorithm,
  parseChecksumType,
} from "../checksum/algorithm.ts";
import { validChecksumValue } from "../checksum/verify.ts";
import type { Checksums, ClaimedChecksum, UploadChecksum } from "../backends/backend.ts";
import { type ProxyError, proxyError } from "../errors.ts";
import { err, ok, type Result } from "../result.ts";
import { el } from "../xml.ts";

const invalid = (header: string) =>
  proxyError("InvalidRequest", `Value for ${header} header is invalid.`);

function parseType(headers: Headers): Result<ChecksumType | undefined, ProxyError> {
  const raw = headers.get("x-amz-checksum-type");
  if (raw === null) return ok(undefined);
  const type = parseChecksumType(raw);
  return type ? ok(type) : err(invalid("x-amz-checksum-type"));
}

/** Whether an algorithm's multipart checksum may be of a type. */
function allowed(alg: ChecksumAlgorithm, type: ChecksumType): boolean {
  if (alg === "CRC64NVME") return type === "FULL_OBJECT";
  if (alg === "SHA1" || alg === "SHA256") return type === "COMPOSITE";
  return true;
}

/**
 * CreateMultipartUpload's checksum: the algorithm with its type, which
 * defaults to FULL_OBJECT for CRC64NVME and to COMPOSITE for the others.
 */
export function uploadChecksumOf(headers: Headers): Result<UploadChecksum | undefined, ProxyError> {
  const type = parseType(headers);
  if (!type.ok) return type;
  const raw = headers.get("x-amz-checksum-algorithm");
  if (raw === null) {
    return type.value === undefined ? ok(undefined) : err(proxyError(
      "InvalidRequest",
      "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.",
    ));
  }
  const algorithm = parseAlgorithm(raw);
  if (!algorithm) return err(invalid("x-amz-checksum-algorithm"));
  const chosen = type.value ?? defaultChecksumType(algorithm);
  if (!allowed(algorithm, chosen)) {
    return err(proxyError(
      "InvalidRequest",
      `The ${chosen} checksum type cannot be used with the ${algorithm.toLowerCase()} checksum algorithm.`,
    ));
  }
  return ok({ algorithm, type: chosen });
}

/** A checksum value, with the `-N` of a composite one allowed. */
function validClaim(alg: ChecksumAlgorithm, value: string): boolean {
  return validChecksumValue(alg, value.replace(/-\d{1,5}$/, ""));
}

/** CompleteMultipartUpload's claimed whole-object checksum (`x-amz-checksum-*`, `-type`). */
export function claimedChecksumOf(
  headers: Headers,
): Result<ClaimedChecksum | undefined, ProxyError> {
  const type = parseType(headers);
  if (!type.ok) return type;
  const checksums: Partial<Record<ChecksumAlgorithm, string>> = {};
  for (const alg of CHECKSUM_ALGORITHMS) {
    const v = headers.get(checksumHeaderName(alg))?.trim();
    if (v === undefined) continue;
    if (!validClaim(alg, v)) return err(invalid(checksumHeaderName(alg)));
    checksums[alg] = v;
  }
  if (type.value === undefined && Object.keys(checksums).length === 0) return ok(undefined);
  return ok({ ...(type.value ? { type: type.value } : {}), checksums });
}

/** The `<ChecksumCRC32>`… elements of checksums, then `<ChecksumType>` when given. */
export function checksumXml(checksums: Checksums | undefined, type?: ChecksumType): string {
  let out = "";
  for (const alg of CHECKSUM_ALGORITHMS) {
    const v = checksums?.[alg];
    if (v) out += el(`Checksum${alg}`, v);
  }
  return out + (type && out ? el("ChecksumType", type) : "");
}

/** The part checksums of a parsed `<Part>` (`ChecksumCRC32`…), each checked for form. */
export function partChecksumsOf(
  part: Readonly<Record<string, unknown>>,
): Result<Checksums | undefined, ProxyError> {
  const out: Partial<Record<ChecksumAlgorithm, string>> = {};
  for (const alg of CHECKSUM_ALGORITHMS) {
    const v = part[`Checksum${alg}`];
    if (typeof v !== "string") continue;
    if (!validChecksumValue(alg, v.trim())) {
      return err(proxyError(
        "InvalidRequest",
        `Value for Checksum${alg} of part ${String(part.PartNumber ?? "").trim()} is invalid.`,
      ));
    }
    out[alg] = v.trim();
  }
  return ok(Object.keys(out).length > 0 ? out : undefined);
}
