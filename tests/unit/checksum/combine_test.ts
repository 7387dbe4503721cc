import assert from "node:assert/strict";
import { checksumOf } from "../../_support/checksums.ts";
import { combineCrcs, compositeChecksum, isCrc } from "../../../src/checksum/combine.ts";

const CRCS = ["CRC32", "CRC32C", "CRC64NVME"] as const;

function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
  return out;
}

Deno.test("combineCrcs: the parts' CRCs combine into the CRC of all the bytes", () => {
  const parts = [bytes(5 * 1024 * 1024, 1), bytes(5 * 1024 * 1024, 2), bytes(12_345, 3)];
  for (const alg of CRCS) {
    const combined = combineCrcs(
      alg,
      parts.map((p) => ({ checksum: checksumOf(alg, p), size: p.length })),
    );
    assert.equal(combined, checksumOf(alg, ...parts), alg);
  }
});

Deno.test("combineCrcs: empty parts, one part and no parts", () => {
  const a = bytes(1000, 4);
  const empty = new Uint8Array();
  for (const alg of CRCS) {
    const one = [{ checksum: checksumOf(alg, a), size: a.length }];
    assert.equal(combineCrcs(alg, one), checksumOf(alg, a));
    const withEmpty = [{ checksum: checksumOf(alg, empty), size: 0 }, ...one];
    assert.equal(combineCrcs(alg, withEmpty), checksumOf(alg, a));
    assert.equal(combineCrcs(alg, []), checksumOf(alg, empty));
  }
});

Deno.test("combineCrcs: many odd-sized parts", () => {
  const parts = Array.from({ length: 40 }, (_, i) => bytes(1 + i * 97, i));
  for (const alg of CRCS) {
    const got = combineCrcs(
      alg,
      parts.map((p) => ({ checksum: checksumOf(alg, p), size: p.length })),
    );
    assert.equal(got, checksumOf(alg, ...parts), alg);
  }
});

Deno.test("compositeChecksum: the checksum of the parts' digests, with -N", () => {
  const parts = [bytes(100, 1), bytes(50, 2)];
  for (const alg of ["CRC32", "SHA256", "SHA1", "CRC32C"] as const) {
    const sums = parts.map((p) => checksumOf(alg, p));
    const raw = sums.map((s) => new Uint8Array(Buffer.from(s, "base64")));
    assert.equal(compositeChecksum(alg, sums), `${checksumOf(alg, ...raw)}-2`);
  }
});

Deno.test("isCrc: only the CRCs combine", () => {
  assert.deepEqual(
    (["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"] as const).filter(isCrc),
    ["CRC32", "CRC32C", "CRC64NVME"],
  );
});
