/** SigV4 HMAC primitives on node:crypto, and a bounded cache of derived signing keys. */
import { createHash, createHmac, type Hash } from "node:crypto";

/** HMAC-SHA256 computed once (key derivation). */
function hmacOnce(key: Uint8Array | string, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

/** SHA-256 states after a key's inner and outer pad block (RFC 2104), kept per key object. */
const padded = new WeakMap<Uint8Array, { readonly inner: Hash; readonly outer: Hash }>();

/**
 * HMAC-SHA256 under a derived signing key, in lower-case hex (a signature),
 * as RFC 2104 defines it over SHA-256: the hash states after the key's two
 * pad blocks are computed once per key and copied for each message, which
 * costs about a third of a fresh node:crypto Hmac (a signature check, and
 * every aws-chunked chunk, runs one).
 */
export function hmacHex(key: Uint8Array, data: string): string {
  if (key.length > 64) return createHmac("sha256", key).update(data, "utf8").digest("hex");
  const pads = padsOf(key);
  const inner = pads.inner.copy().update(data, "utf8").digest();
  return pads.outer.copy().update(inner).digest("hex");
}

function padsOf(key: Uint8Array): { readonly inner: Hash; readonly outer: Hash } {
  let pads = padded.get(key);
  if (!pads) {
    const block = new Uint8Array(64);
    block.set(key);
    pads = {
      inner: createHash("sha256").update(block.map((b) => b ^ 0x36)),
      outer: createHash("sha256").update(block.map((b) => b ^ 0x5c)),
    };
    padded.set(key, pads);
  }
  return pads;
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
  const kDate = hmacOnce("AWS4" + secret, date);
  const kRegion = hmacOnce(kDate, region);
  const kService = hmacOnce(kRegion, service);
  return hmacOnce(kService, "aws4_request");
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
