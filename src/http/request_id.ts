/** Request ids: the `x-amz-request-id` of every response and the log's key to it. */

/** The character codes of the upper-case hex digits. */
const DIGIT = Uint8Array.from("0123456789ABCDEF", (c) => c.charCodeAt(0));
// Random bytes drawn 4 KiB at a time: one getRandomValues call per 512 ids.
const pool = new Uint8Array(4096);
let poolAt = pool.length;

/** A random 16-hex-digit request id. */
export function randomRequestId(): string {
  if (poolAt === pool.length) {
    crypto.getRandomValues(pool);
    poolAt = 0;
  }
  const p = pool, i = poolAt;
  poolAt += 8;
  const b0 = p[i]!, b1 = p[i + 1]!, b2 = p[i + 2]!, b3 = p[i + 3]!;
  const b4 = p[i + 4]!, b5 = p[i + 5]!, b6 = p[i + 6]!, b7 = p[i + 7]!;
  // One string of 16 character codes, not the 7 intermediate strings of a concatenation (issue 30).
  const d = DIGIT;
  return String.fromCharCode(
    d[b0 >> 4]!,
    d[b0 & 15]!,
    d[b1 >> 4]!,
    d[b1 & 15]!,
    d[b2 >> 4]!,
    d[b2 & 15]!,
    d[b3 >> 4]!,
    d[b3 & 15]!,
    d[b4 >> 4]!,
    d[b4 & 15]!,
    d[b5 >> 4]!,
    d[b5 & 15]!,
    d[b6 >> 4]!,
    d[b6 & 15]!,
    d[b7 >> 4]!,
    d[b7 & 15]!,
  );
}
