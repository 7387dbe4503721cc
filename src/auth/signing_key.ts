/** SigV4 HMAC primitives on node:crypto, and a bounded cache of derived signing keys. */
import { createHash, createHmac } from "node:crypto";

/** HMAC-SHA256. */
export function hmac(key: Uint8Array | string, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

/** Lower-case hex SHA-256 of a string or bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** SHA-256 of the empty string, which chunk signatures use. */
export const EMPTY_SHA256 = sha256Hex("");

/** Derives the signing key for a date (yyyymmdd), region and service. */
export function deriveSigningKey(
  secret: string,
  date: string,
  region: string,
  service: string,
): Buffer {
  const kDate = hmac("AWS4" + secret, date);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  return hmac(kService, "aws4_request");
}

/** A bounded cache of derived signing keys. */
export interface SigningKeyCache {
  /** The derived key, computed once per (secret, date, region, service). */
  get(secret: string, date: string, region: string, service: string): Buffer;
}

/** Creates a cache holding at most `max` derived keys (oldest evicted first). */
export function createSigningKeyCache(max = 1024): SigningKeyCache {
  const keys = new Map<string, Buffer>();
  return {
    get(secret, date, region, service) {
      const id = `${date}\0${region}\0${service}\0${secret}`;
      let key = keys.get(id);
      if (key === undefined) {
        key = deriveSigningKey(secret, date, region, service);
        if (keys.size >= max) keys.delete(keys.keys().next().value!);
        keys.set(id, key);
      }
      return key;
    },
  };
}
