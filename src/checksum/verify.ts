/**
 * Upload integrity: reading the declared Content-MD5 / `x-amz-checksum-*`
 * headers, and a pass-through stream that verifies them (and a byte count)
 * when the body ends.
 */
import { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm, checksumHeaderName } from "./algorithm.ts";
import { constantTimeEqual } from "../bytes.ts";
import { type ProxyError, proxyError, ProxyStreamError } from "../errors.ts";
import { err, ok, type Result } from "../result.ts";
import { createHasher, type Hasher, toBase64, toHex } from "./hasher.ts";

const DIGEST_BYTES: Readonly<Record<ChecksumAlgorithm, number>> = {
  CRC32: 4,
  CRC32C: 4,
  CRC64NVME: 8,
  SHA1: 20,
  SHA256: 32,
};

function base64Length(value: string): number | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) return undefined;
  return Buffer.from(value, "base64").length;
}

/** Whether a base64 value has the digest length of its algorithm. */
export function validChecksumValue(alg: ChecksumAlgorithm, value: string): boolean {
  return base64Length(value) === DIGEST_BYTES[alg];
}

/** Integrity values a request declared. */
export interface DeclaredChecksums {
  /** Content-MD5, base64. */
  readonly md5?: string;
  readonly checksums: Partial<Record<ChecksumAlgorithm, string>>;
}

/** Reads Content-MD5 and `x-amz-checksum-*` request headers, checking their form. */
export function readChecksumHeaders(headers: Headers): Result<DeclaredChecksums, ProxyError> {
  const checksums: Partial<Record<ChecksumAlgorithm, string>> = {};
  for (const alg of CHECKSUM_ALGORITHMS) {
    const v = headers.get(checksumHeaderName(alg));
    if (v === null) continue;
    if (!validChecksumValue(alg, v.trim())) {
      return err(
        proxyError("InvalidRequest", `Value for ${checksumHeaderName(alg)} header is invalid.`),
      );
    }
    checksums[alg] = v.trim();
  }
  const md5 = headers.get("content-md5");
  if (md5 !== null) {
    if (base64Length(md5.trim()) !== 16) {
      return err(proxyError("InvalidDigest", "The Content-MD5 you specified was invalid."));
    }
    return ok({ md5: md5.trim(), checksums });
  }
  return ok({ checksums });
}

/** What `checksumVerifier` checks at the end of the body. */
export interface Expectations {
  /** Content-MD5, base64 → BadDigest. */
  readonly md5?: string;
  /** `x-amz-checksum-*`, base64 → BadDigest. */
  readonly checksums?: Partial<Record<ChecksumAlgorithm, string>>;
  /** x-amz-content-sha256, hex → XAmzContentSHA256Mismatch. */
  readonly sha256Hex?: string;
  /** Exact byte count → IncompleteBody when short. */
  readonly length?: number;
}

/**
 * A pass-through stream that hashes what flows and, at the end, errors with a
 * ProxyStreamError when a declared value does not match, so the backend
 * discards the write.
 */
export function checksumVerifier(e: Expectations): TransformStream<Uint8Array, Uint8Array> {
  const checks: { alg: ChecksumAlgorithm; want: string; h: Hasher }[] = [];
  for (const [alg, want] of Object.entries(e.checksums ?? {})) {
    if (want) {
      checks.push({
        alg: alg as ChecksumAlgorithm,
        want,
        h: createHasher(alg as ChecksumAlgorithm),
      });
    }
  }
  const md5 = e.md5 !== undefined ? createHasher("MD5") : undefined;
  const sha = e.sha256Hex !== undefined && !checks.some((c) => c.alg === "SHA256")
    ? createHasher("SHA256")
    : undefined;
  let seen = 0;
  return new TransformStream({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (e.length !== undefined && seen > e.length) {
        throw new ProxyStreamError(
          proxyError("InvalidRequest", "The request body is longer than its declared length"),
        );
      }
      for (const c of checks) c.h.update(chunk);
      md5?.update(chunk);
      sha?.update(chunk);
      controller.enqueue(chunk);
    },
    flush() {
      if (e.length !== undefined && seen < e.length) {
        throw new ProxyStreamError(
          proxyError(
            "IncompleteBody",
            "You did not provide the number of bytes specified by the Content-Length HTTP header.",
          ),
        );
      }
      let shaHex: string | undefined;
      for (const c of checks) {
        const digest = c.h.digest();
        if (c.alg === "SHA256") shaHex = toHex(digest);
        if (!constantTimeEqual(toBase64(digest), c.want)) {
          throw new ProxyStreamError(
            proxyError(
              "BadDigest",
              `The ${c.alg} you specified did not match the calculated checksum.`,
            ),
          );
        }
      }
      if (md5 && !constantTimeEqual(toBase64(md5.digest()), e.md5!)) {
        throw new ProxyStreamError(
          proxyError("BadDigest", "The Content-MD5 you specified did not match what we received."),
        );
      }
      if (e.sha256Hex !== undefined) {
        const got = shaHex ?? toHex(sha!.digest());
        if (!constantTimeEqual(got, e.sha256Hex.toLowerCase())) {
          throw new ProxyStreamError(
            proxyError(
              "XAmzContentSHA256Mismatch",
              "The provided 'x-amz-content-sha256' header does not match what was computed.",
            ),
          );
        }
      }
    },
  });
}
