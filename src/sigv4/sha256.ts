/**
 * SHA-256 (FIPS 180-4) in JavaScript, for the short messages of SigV4 that
 * start from a cached state: an HMAC under a derived key (a string to sign,
 * a chunk's), whose pad states are computed once. node:crypto makes a native
 * Hmac per call, whose key setup and garbage cost more (5.2 against 1.9 µs
 * for a string to sign, Deno 2.9). A canonical request, hashed from the
 * start, goes to node:crypto (signing_key.ts), which now beats this for a
 * few hundred bytes (1.1 against 2.9 µs); so do long inputs (bodies).
 */

/** The first 32 bits of the fractional parts of the roots of the first primes (FIPS 180-4 §4.2.2, §5.3.3). */
function rootConstants(count: number, root: (p: number) => number): Int32Array {
  const out = new Int32Array(count);
  let found = 0;
  for (let n = 2; found < count; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (!prime) continue;
    const r = root(n);
    out[found++] = ((r - Math.floor(r)) * 0x100000000) | 0;
  }
  return out;
}

const K = rootConstants(64, Math.cbrt);
const INITIAL = rootConstants(8, Math.sqrt);
const W = new Int32Array(64);

/** Σ1 and Σ0 of FIPS 180-4 §4.1.2 (small enough for V8 to inline). */
const bigSigma1 = (e: number) =>
  ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
const bigSigma0 = (a: number) =>
  ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));

/**
 * Runs the compression function over the 64-byte block of `bytes` at `at`:
 * the rounds eight at a time, each round's names rotated in place of moving
 * eight values (a round sets only the next `d` and `h`).
 */
function compress(h: Int32Array, bytes: Uint8Array, at: number): void {
  for (let i = 0; i < 16; i++) {
    const j = at + i * 4;
    W[i] = (bytes[j]! << 24) | (bytes[j + 1]! << 16) | (bytes[j + 2]! << 8) | bytes[j + 3]!;
  }
  for (let i = 16; i < 64; i++) {
    const x = W[i - 15]!;
    const y = W[i - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0;
  }
  let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!, e = h[4]!, f = h[5]!, g = h[6]!, k = h[7]!;
  let t = 0;
  for (let i = 0; i < 64; i += 8) {
    t = (k + bigSigma1(e) + ((e & f) ^ (~e & g)) + K[i]! + W[i]!) | 0;
    d = (d + t) | 0;
    k = (t + bigSigma0(a) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    t = (g + bigSigma1(d) + ((d & e) ^ (~d & f)) + K[i + 1]! + W[i + 1]!) | 0;
    c = (c + t) | 0;
    g = (t + bigSigma0(k) + ((k & a) ^ (k & b) ^ (a & b))) | 0;
    t = (f + bigSigma1(c) + ((c & d) ^ (~c & e)) + K[i + 2]! + W[i + 2]!) | 0;
    b = (b + t) | 0;
    f = (t + bigSigma0(g) + ((g & k) ^ (g & a) ^ (k & a))) | 0;
    t = (e + bigSigma1(b) + ((b & c) ^ (~b & d)) + K[i + 3]! + W[i + 3]!) | 0;
    a = (a + t) | 0;
    e = (t + bigSigma0(f) + ((f & g) ^ (f & k) ^ (g & k))) | 0;
    t = (d + bigSigma1(a) + ((a & b) ^ (~a & c)) + K[i + 4]! + W[i + 4]!) | 0;
    k = (k + t) | 0;
    d = (t + bigSigma0(e) + ((e & f) ^ (e & g) ^ (f & g))) | 0;
    t = (c + bigSigma1(k) + ((k & a) ^ (~k & b)) + K[i + 5]! + W[i + 5]!) | 0;
    g = (g + t) | 0;
    c = (t + bigSigma0(d) + ((d & e) ^ (d & f) ^ (e & f))) | 0;
    t = (b + bigSigma1(g) + ((g & k) ^ (~g & a)) + K[i + 6]! + W[i + 6]!) | 0;
    f = (f + t) | 0;
    b = (t + bigSigma0(c) + ((c & d) ^ (c & e) ^ (d & e))) | 0;
    t = (a + bigSigma1(f) + ((f & g) ^ (~f & k)) + K[i + 7]! + W[i + 7]!) | 0;
    e = (e + t) | 0;
    a = (t + bigSigma0(b) + ((b & c) ^ (b & d) ^ (c & d))) | 0;
  }
  h[0] = (h[0]! + a) | 0;
  h[1] = (h[1]! + b) | 0;
  h[2] = (h[2]! + c) | 0;
  h[3] = (h[3]! + d) | 0;
  h[4] = (h[4]! + e) | 0;
  h[5] = (h[5]! + f) | 0;
  h[6] = (h[6]! + g) | 0;
  h[7] = (h[7]! + k) | 0;
}

/** Scratch space for messages (grown on demand) and the final padded block. */
let scratch = new Uint8Array(1024);
const tail = new Uint8Array(128);
const encoder = new TextEncoder();

/**
 * Continues `h` (after `prior` bytes hashed, a multiple of 64) over
 * `bytes[from, length)` and pads: `h` is then the digest.
 */
function finish(
  h: Int32Array,
  prior: number,
  bytes: Uint8Array,
  from: number,
  length: number,
): void {
  const whole = length - ((length - from) % 64);
  for (let at = from; at < whole; at += 64) compress(h, bytes, at);
  const rest = length - whole;
  tail.fill(0);
  for (let i = 0; i < rest; i++) tail[i] = bytes[whole + i]!;
  tail[rest] = 0x80;
  const blocks = rest < 56 ? 1 : 2;
  const bits = (prior + length - from) * 8;
  const end = blocks * 64;
  // The length in bits, big-endian in the last 8 bytes (below 2^53: two 32-bit halves).
  const high = Math.floor(bits / 0x100000000);
  tail[end - 8] = high >>> 24;
  tail[end - 7] = high >>> 16;
  tail[end - 6] = high >>> 8;
  tail[end - 5] = high;
  tail[end - 4] = bits >>> 24;
  tail[end - 3] = bits >>> 16;
  tail[end - 2] = bits >>> 8;
  tail[end - 1] = bits;
  compress(h, tail, 0);
  if (blocks === 2) compress(h, tail, 64);
}

/** The UTF-8 bytes of `text` in the scratch buffer; returns their count. */
function encode(text: string): number {
  if (scratch.length < text.length * 3) scratch = new Uint8Array(text.length * 3);
  return encoder.encodeInto(text, scratch).written;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

function hex(h: Int32Array): string {
  let s = "";
  for (let i = 0; i < 8; i++) {
    const w = h[i]!;
    s += HEX[(w >>> 24) & 0xff]! + HEX[(w >>> 16) & 0xff]! + HEX[(w >>> 8) & 0xff]! +
      HEX[w & 0xff]!;
  }
  return s;
}

function writeBytes(h: Int32Array, out: Uint8Array): void {
  for (let i = 0; i < 8; i++) {
    const w = h[i]!;
    out[i * 4] = w >>> 24;
    out[i * 4 + 1] = w >>> 16;
    out[i * 4 + 2] = w >>> 8;
    out[i * 4 + 3] = w;
  }
}

const result = new Int32Array(8);

/** Lower-case hex SHA-256 of a string's UTF-8 bytes. */
export function sha256HexOf(text: string): string {
  const length = encode(text); // first: it may replace the scratch buffer
  result.set(INITIAL);
  finish(result, 0, scratch, 0, length);
  return hex(result);
}

/**
 * A key's hash states after its inner and outer pad blocks (RFC 2104), and
 * the inner state after the first block of the last message hashed under it
 * that had one: SigV4's strings to sign under one key share their first 64
 * bytes (the algorithm, x-amz-date and the scope) for a second at a time.
 * Only hashing is kept: every message is hashed to its end.
 */
export interface HmacKey {
  readonly inner: Int32Array;
  readonly outer: Int32Array;
  /** The first 64 bytes of that last message (valid once `primed`). */
  readonly lastBlock: Uint8Array;
  /** The inner state after them. */
  readonly afterLast: Int32Array;
  primed: boolean;
}

/** Precomputes the pad states of an HMAC-SHA256 key of at most 64 bytes. */
export function hmacKey(key: Uint8Array): HmacKey {
  if (key.length > 64) throw new RangeError("HMAC keys longer than 64 bytes are hashed first");
  const block = new Uint8Array(64);
  const pad = (byte: number) => {
    for (let i = 0; i < 64; i++) block[i] = (key[i] ?? 0) ^ byte;
    const h = Int32Array.from(INITIAL);
    compress(h, block, 0);
    return h;
  };
  return {
    inner: pad(0x36),
    outer: pad(0x5c),
    lastBlock: new Uint8Array(64),
    afterLast: new Int32Array(8),
    primed: false,
  };
}

/**
 * Sets `h` to the inner hash state of `bytes[0, length)` under `key` after
 * its first block, when it has one; returns how many bytes that consumed.
 * The comparison with the last first block is not constant-time: it reads
 * the message, which the signer sent, never the key.
 */
function innerState(key: HmacKey, bytes: Uint8Array, length: number, h: Int32Array): number {
  if (length < 64) {
    h.set(key.inner);
    return 0;
  }
  const last = key.lastBlock;
  let same = key.primed;
  for (let i = 0; same && i < 64; i++) same = bytes[i] === last[i];
  if (same) {
    h.set(key.afterLast);
    return 64;
  }
  h.set(key.inner);
  compress(h, bytes, 0);
  for (let i = 0; i < 64; i++) last[i] = bytes[i]!;
  key.afterLast.set(h);
  key.primed = true;
  return 64;
}

const innerDigest = new Uint8Array(32);

/** HMAC-SHA256 of a string's UTF-8 bytes under a precomputed key, into `result`. */
function hmacOf(key: HmacKey, text: string): void {
  const length = encode(text); // first: it may replace the scratch buffer
  const at = innerState(key, scratch, length, result);
  finish(result, 64 + at, scratch, at, length);
  writeBytes(result, innerDigest);
  result.set(key.outer);
  finish(result, 64, innerDigest, 0, 32);
}

/** HMAC-SHA256 of a string's UTF-8 bytes under a precomputed key, in lower-case hex. */
export function hmacHexOf(key: HmacKey, text: string): string {
  hmacOf(key, text);
  return hex(result);
}

/** Each lower-case hex digit's value by char code; -1 for every other char. */
const NIBBLE = new Int8Array(256).fill(-1);
for (let i = 0; i < 16; i++) NIBBLE[i.toString(16).charCodeAt(0)] = i;

/**
 * Whether `expected` is the lower-case hex HMAC-SHA256 of `text` under
 * `key`, compared in constant time (every word, no early exit), with no hex
 * string made: a signature check.
 */
export function hmacMatchesHex(key: HmacKey, text: string, expected: string): boolean {
  hmacOf(key, text);
  let diff = expected.length ^ 64;
  for (let w = 0; w < 8; w++) {
    let word = 0;
    for (let i = w * 8; i < w * 8 + 8; i++) {
      const c = expected.charCodeAt(i); // NaN past the end: not below 256
      const v = c < 256 ? NIBBLE[c]! : -1;
      diff |= v >>> 31; // 1 when not a digit
      word = (word << 4) | (v & 15);
    }
    diff |= word ^ result[w]!;
  }
  return diff === 0;
}
