/** SigV4 HMAC primitives (short messages hashed in JavaScript, keys derived on node:crypto), and a bounded cache of derived signing keys. */
import { createHash, createHmac } from "node:crypto";
import { byteStringEncoding, constantTimeEqual, isAscii } from "../bytes.ts";
import { hmacHexOf, type HmacKey, hmacKey, hmacMatchesHex, sha256HexOf } from "./sha256.ts";

/** HMAC-SHA256 computed once (key derivation). */
function hmacOnce(key: Uint8Array | string, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

/** Pad states per derived key object (RFC 2104), computed once. */
const padded = new WeakMap<Uint8Array, HmacKey>();

/**
 * HMAC-SHA256 under a derived signing key, in lower-case hex (a signature):
 * the key's pad states are computed once per key and the message is hashed
 * in JavaScript (sha256.ts), with no node:crypto object per call (a signature
 * check, and every aws-chunked chunk, runs one).
 */
export function hmacHex(key: Uint8Array, data: string): string {
  if (key.length > 64) return createHmac("sha256", key).update(data, "utf8").digest("hex");
  return hmacHexOf(padsOf(key), data);
}

function padsOf(key: Uint8Array): HmacKey {
  let pads = padded.get(key);
  if (!pads) {
    pads = hmacKey(key);
    padded.set(key, pads);
  }
  return pads;
}

/**
 * Whether `expected` is `hmacHex(key, data)`, compared in constant time
 * (a signature check), without making the hex string.
 */
export function hmacHexMatches(key: Uint8Array, data: string, expected: string): boolean {
  if (key.length > 64) return constantTimeEqual(hmacHex(key, data), expected);
  return hmacMatchesHex(padsOf(key), data, expected);
}

/** Longest string hashed in JavaScript; longer ones and all bytes go to node:crypto. */
const SHORT_TEXT = 4096;

/** Lower-case hex SHA-256 of a string or bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  if (typeof data === "string" && data.length <= SHORT_TEXT) return sha256HexOf(data);
  return createHash("sha256").update(data).digest("hex");
}

/**
 * Lower-case hex SHA-256 of a byte string: a canonical request, whose header
 * values are the bytes the client sent, one char per byte (see
 * `byteStringEncoding`).
 */
export function sha256HexOfByteString(text: string): string {
  // node:crypto, not sha256.ts: for a canonical request's few hundred bytes
  // the native hash is now ~1.1 µs against JavaScript's ~2.9 (Deno 2.9).
  const encoding = isAscii(text) ? "utf8" : byteStringEncoding(text);
  return createHash("sha256").update(text, encoding).digest("hex");
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
  // The last key asked for and its parts: most requests ask for it again, and
  // four compares cost less than joining them into a map key. The secret's is
  // constant-time: no compare of a secret may exit early.
  let last:
    | { secret: string; date: string; region: string; service: string; key: Buffer }
    | undefined;
  return {
    get(secret, date, region, service) {
      if (
        last !== undefined && last.date === date && last.region === region &&
        last.service === service && constantTimeEqual(last.secret, secret)
      ) {
        return last.key;
      }
      const id = `${date}\0${region}\0${service}\0${secret}`;
      let key = keys.get(id);
      if (key === undefined) {
        key = deriveSigningKey(secret, date, region, service);
        if (keys.size >= max) keys.delete(keys.keys().next().value!);
        keys.set(id, key);
      }
      last = { secret, date, region, service, key };
      return key;
    },
  };
}
