import assert from "node:assert/strict";
import {
  crc32Bytes,
  crc32cUpdate,
  crc32Update,
  crc64Digest,
  crc64Start,
  crc64Update,
} from "../../../src/checksum/crc.ts";
import { createHasher, toHex } from "../../../src/checksum/hasher.ts";

const CHECK = new TextEncoder().encode("123456789");

Deno.test("CRC32C slicing-by-8 matches byte-at-a-time on every length", () => {
  const data = crypto.getRandomValues(new Uint8Array(300));
  for (let n = 0; n <= data.length; n += 7) {
    const whole = createHasher("CRC32C");
    whole.update(data.subarray(0, n));
    const bytes = createHasher("CRC32C");
    for (let i = 0; i < n; i++) bytes.update(data.subarray(i, i + 1));
    assert.equal(toHex(whole.digest()), toHex(bytes.digest()), `length ${n}`);
  }
});

Deno.test("crc32Update() and crc32cUpdate() give the catalogue check values, 0 for nothing", () => {
  assert.equal(crc32Update(0, CHECK), 0xcbf43926);
  assert.equal(crc32cUpdate(0, CHECK), 0xe3069283);
  assert.equal(crc32Update(0, new Uint8Array()), 0);
  assert.equal(crc32cUpdate(0, new Uint8Array()), 0);
});

Deno.test("crc32Update() and crc32cUpdate() continue across split input", () => {
  for (const update of [crc32Update, crc32cUpdate]) {
    const split = update(update(0, CHECK.subarray(0, 5)), CHECK.subarray(5));
    assert.equal(split, update(0, CHECK));
  }
});

Deno.test("crc64Start/Update/Digest gives the CRC-64/NVME check value, in pieces too", () => {
  const s = crc64Start();
  crc64Update(s, CHECK.subarray(0, 3));
  crc64Update(s, CHECK.subarray(3));
  assert.equal(toHex(crc64Digest(s)), "ae8b14860a799888");
  assert.equal(toHex(crc64Digest(crc64Start())), "0000000000000000");
});

Deno.test("crc32Bytes() writes the CRC big-endian, as an unsigned 32-bit value", () => {
  assert.deepEqual([...crc32Bytes(0xcbf43926)], [0xcb, 0xf4, 0x39, 0x26]);
  assert.deepEqual([...crc32Bytes(-1)], [0xff, 0xff, 0xff, 0xff]);
});
