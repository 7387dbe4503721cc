/** One incremental interface over every checksum S3 knows, plus MD5. */
import { createHash } from "node:crypto";
import type { ChecksumAlgorithm } from "./algorithm.ts";
import {
  crc32Bytes,
  crc32cUpdate,
  crc32Update,
  crc64Digest,
  crc64Start,
  crc64Update,
} from "./crc.ts";

/** An incremental checksum. */
export interface Hasher {
  update(chunk: Uint8Array): void;
  /** The digest bytes; call once. */
  digest(): Uint8Array;
}

/** Every algorithm bucketgate can compute: S3's checksums and MD5. */
export type HashName = ChecksumAlgorithm | "MD5";

/** Creates a hasher for an algorithm. */
export function createHasher(name: HashName): Hasher {
  switch (name) {
    case "CRC32": {
      let c = 0;
      return { update: (d) => (c = crc32Update(c, d)), digest: () => crc32Bytes(c) };
    }
    case "CRC32C": {
      let c = 0;
      return { update: (d) => (c = crc32cUpdate(c, d)), digest: () => crc32Bytes(c) };
    }
    case "CRC64NVME": {
      const s = crc64Start();
      return { update: (d) => crc64Update(s, d), digest: () => crc64Digest(s) };
    }
    case "SHA1":
    case "SHA256":
    case "MD5": {
      const h = createHash(name === "MD5" ? "md5" : name === "SHA1" ? "sha1" : "sha256");
      return { update: (d) => h.update(d), digest: () => new Uint8Array(h.digest()) };
    }
    default: {
      const never: never = name;
      return never;
    }
  }
}

/** Base64 of bytes. */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64");
}

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

/** A pass-through stream that hashes what flows through it. */
export interface HashTap {
  readonly transform: TransformStream<Uint8Array, Uint8Array>;
  /** The digest (base64) of what flowed; call once, after the stream ended. */
  digest(): string;
}

/** A `HashTap` for one algorithm. */
export function hashTap(name: HashName): HashTap {
  const h = createHasher(name);
  return {
    transform: new TransformStream({
      transform(chunk, c) {
        h.update(chunk);
        c.enqueue(chunk);
      },
    }),
    digest: () => toBase64(h.digest()),
  };
}
