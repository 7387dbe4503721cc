/**
 * Incremental CRCs S3 uses for `x-amz-checksum-*`: CRC32 (native, node:zlib),
 * CRC32C (Castagnoli) and CRC64NVME, table-driven (slicing-by-8 for CRC32C).
 */
import { crc32 as zlibCrc32 } from "node:zlib";

function crc32cTables(): Uint32Array[] {
  const tables = Array.from({ length: 8 }, () => new Uint32Array(256));
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    tables[0]![i] = c >>> 0;
  }
  for (let i = 0; i < 256; i++) {
    let c = tables[0]![i]!;
    for (let t = 1; t < 8; t++) {
      c = tables[0]![c & 0xff]! ^ (c >>> 8);
      tables[t]![i] = c >>> 0;
    }
  }
  return tables;
}

const C = crc32cTables();
const [T0, T1, T2, T3, T4, T5, T6, T7] = C as [
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
];

/** Continues a CRC32C over `data` (start with 0). */
export function crc32cUpdate(crc: number, data: Uint8Array): number {
  let c = ~crc >>> 0;
  let i = 0;
  const n = data.length;
  for (; i + 8 <= n; i += 8) {
    const a =
      (c ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24))) >>> 0;
    c = T7[a & 0xff]! ^ T6[(a >>> 8) & 0xff]! ^ T5[(a >>> 16) & 0xff]! ^ T4[a >>> 24]! ^
      T3[data[i + 4]!]! ^ T2[data[i + 5]!]! ^ T1[data[i + 6]!]! ^ T0[data[i + 7]!]!;
  }
  for (; i < n; i++) c = T0[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** Continues a CRC32 over `data` (start with 0). */
export function crc32Update(crc: number, data: Uint8Array): number {
  return zlibCrc32(data, crc) >>> 0;
}

// CRC-64/NVME: reflected polynomial 0x9a6c9329ac4bc9b5, init and xorout all ones.
// Kept as two 32-bit halves so the inner loop needs no BigInt.
const NVME_HI = new Uint32Array(256);
const NVME_LO = new Uint32Array(256);
{
  const poly = 0x9a6c9329ac4bc9b5n;
  for (let i = 0; i < 256; i++) {
    let c = BigInt(i);
    for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ poly : c >> 1n;
    NVME_HI[i] = Number(c >> 32n);
    NVME_LO[i] = Number(c & 0xffffffffn);
  }
}

/** A running CRC64NVME as two 32-bit halves. */
export interface Crc64 {
  hi: number;
  lo: number;
}

/** A fresh CRC64NVME state. */
export function crc64Start(): Crc64 {
  return { hi: 0xffffffff, lo: 0xffffffff };
}

/** Continues a CRC64NVME over `data`. */
export function crc64Update(s: Crc64, data: Uint8Array): void {
  let hi = s.hi;
  let lo = s.lo;
  for (let i = 0; i < data.length; i++) {
    const idx = (lo ^ data[i]!) & 0xff;
    // (hi:lo) >> 8
    lo = ((lo >>> 8) | ((hi & 0xff) << 24)) >>> 0;
    hi = hi >>> 8;
    hi = (hi ^ NVME_HI[idx]!) >>> 0;
    lo = (lo ^ NVME_LO[idx]!) >>> 0;
  }
  s.hi = hi;
  s.lo = lo;
}

/** The final CRC64NVME as 8 big-endian bytes. */
export function crc64Digest(s: Crc64): Uint8Array {
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint32(0, ~s.hi >>> 0);
  view.setUint32(4, ~s.lo >>> 0);
  return out;
}

/** A 32-bit CRC as 4 big-endian bytes (how S3 encodes it before base64). */
export function crc32Bytes(crc: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, crc >>> 0);
  return out;
}
