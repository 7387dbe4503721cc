/** Request ids: the `x-amz-request-id` of every response and the log's key to it. */

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0").toUpperCase());
// Random bytes drawn 4 KiB at a time: one getRandomValues call per 512 ids.
const pool = new Uint8Array(4096);
let poolAt = pool.length;

/** A random 16-hex-digit request id. */
export function randomRequestId(): string {
  if (poolAt === pool.length) {
    crypto.getRandomValues(pool);
    poolAt = 0;
  }
  let id = "";
  for (let i = 0; i < 8; i++) id += HEX[pool[poolAt++]!];
  return id;
}
