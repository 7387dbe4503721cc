/**
 * A multipart object's checksum from its parts' checksums, never rereading
 * the bytes: COMPOSITE (the checksum of the parts' digests, with `-N`) and
 * FULL_OBJECT (the CRC of the whole object, combined from the parts' CRCs).
 *
 * The combination is GF(2) polynomial arithmetic. CRC32, CRC32C and CRC64NVME
 * are reflected CRCs whose initial value and final XOR are all ones; for them
 * crc(A‖B) = crc(A)·x^(8·|B|) mod P ⊕ crc(B), where the product is taken in
 * the CRC's own (bit-reversed) representation. x^(8n) mod P comes from the
 * squares x^(2^k) mod P by square-and-multiply, so a part of any size costs
 * a few dozen polynomial products.
 */
import type { ChecksumAlgorithm } from "./algorithm.ts";
import { createHasher, toBase64 } from "./hasher.ts";

/** The algorithms whose checksums combine into a full-object checksum. */
export type CrcAlgorithm = "CRC32" | "CRC32C" | "CRC64NVME";

/** Whether an algorithm's part checksums combine into a full-object checksum. */
export function isCrc(alg: ChecksumAlgorithm): alg is CrcAlgorithm {
  return alg === "CRC32" || alg === "CRC32C" || alg === "CRC64NVME";
}

/** A CRC's width and reversed generator polynomial. */
interface CrcSpec {
  readonly width: bigint;
  readonly poly: bigint;
  /** x^(2^k) mod P for k = 0…63. */
  readonly squares: bigint[];
  /** x^(8n) mod P by n, for part sizes seen before. */
  readonly byLength: Map<number, bigint>;
}

/** a·b mod P, both in the CRC's reflected form (x^0 is the top bit). */
function mulmod(spec: CrcSpec, a: bigint, b: bigint): bigint {
  let product = 0n;
  for (let bit = spec.width - 1n; bit >= 0n; bit--) {
    if ((a >> bit) & 1n) product ^= b;
    b = b & 1n ? (b >> 1n) ^ spec.poly : b >> 1n;
  }
  return product;
}

function specOf(width: bigint, poly: bigint): CrcSpec {
  const spec: CrcSpec = { width, poly, squares: [], byLength: new Map() };
  let p = 1n << (width - 2n); // x^1
  for (let k = 0; k < 64; k++) {
    spec.squares.push(p);
    p = mulmod(spec, p, p);
  }
  return spec;
}

const SPECS: Readonly<Record<CrcAlgorithm, CrcSpec>> = {
  CRC32: specOf(32n, 0xedb88320n),
  CRC32C: specOf(32n, 0x82f63b78n),
  CRC64NVME: specOf(64n, 0x9a6c9329ac4bc9b5n),
};

/** x^(8·bytes) mod P. */
function shiftFor(spec: CrcSpec, bytes: number): bigint {
  const known = spec.byLength.get(bytes);
  if (known !== undefined) return known;
  let p = 1n << (spec.width - 1n); // x^0
  let n = BigInt(bytes) * 8n;
  for (let k = 0; n > 0n; k++, n >>= 1n) {
    if (n & 1n) p = mulmod(spec, spec.squares[k]!, p);
  }
  if (spec.byLength.size < 64) spec.byLength.set(bytes, p);
  return p;
}

function toBigInt(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

function fromBigInt(v: bigint, width: bigint): Uint8Array {
  const out = new Uint8Array(Number(width / 8n));
  for (let i = out.length - 1; i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

/** One part as the combination needs it: its checksum (base64) and its size. */
export interface PartChecksum {
  readonly checksum: string;
  readonly size: number;
}

/** The CRC (base64) of the parts' bytes in order, from their CRCs and sizes. */
export function combineCrcs(alg: CrcAlgorithm, parts: readonly PartChecksum[]): string {
  const spec = SPECS[alg];
  let crc = 0n; // the CRC of no bytes
  for (const p of parts) {
    const next = toBigInt(Buffer.from(p.checksum, "base64"));
    crc = mulmod(spec, shiftFor(spec, p.size), crc) ^ next;
  }
  return toBase64(fromBigInt(crc, spec.width));
}

/** The composite checksum: the checksum of the parts' digests, then `-N`. */
export function compositeChecksum(alg: ChecksumAlgorithm, parts: readonly string[]): string {
  const h = createHasher(alg);
  for (const p of parts) h.update(Buffer.from(p, "base64"));
  return `${toBase64(h.digest())}-${parts.length}`;
}
