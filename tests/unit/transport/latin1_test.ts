import assert from "node:assert/strict";
import { decodeLatin1, encodeLatin1 } from "../../../src/transport/latin1.ts";

Deno.test("decodeLatin1(): one char per byte, 0x80–0x9F included (not windows-1252)", () => {
  const bytes = new Uint8Array([0x41, 0x80, 0x9f, 0xe9, 0xff]);
  const s = decodeLatin1(bytes, false);
  assert.deepEqual([...s].map((c) => c.charCodeAt(0)), [0x41, 0x80, 0x9f, 0xe9, 0xff]);
  assert.equal(decodeLatin1(new TextEncoder().encode("x-amz-date: 1"), true), "x-amz-date: 1");
});

Deno.test("decodeLatin1(): a field longer than one 4096-byte slice is whole", () => {
  const bytes = new Uint8Array(10_000).map((_, i) => 0x80 + (i % 100));
  const s = decodeLatin1(bytes, false);
  assert.equal(s.length, 10_000);
  assert.equal(s.charCodeAt(4095), 0x80 + (4095 % 100));
  assert.equal(s.charCodeAt(4096), 0x80 + (4096 % 100));
  assert.equal(s.charCodeAt(9999), 0x80 + (9999 % 100));
});

Deno.test("encodeLatin1(): ASCII and chars up to 0xFF become one byte each, round-tripping", () => {
  assert.deepEqual([...encodeLatin1("ab")], [0x61, 0x62]);
  assert.deepEqual([...encodeLatin1("caf\u00e9\u0080")], [0x63, 0x61, 0x66, 0xe9, 0x80]);
  const all = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));
  assert.equal(decodeLatin1(encodeLatin1(all), false), all);
});

Deno.test("encodeLatin1() refuses a char beyond 0xFF with a TypeError naming it", () => {
  assert.throws(() => encodeLatin1("x\u20acy"), {
    name: "TypeError",
    message: "Cannot send the request head: char U+20ac",
  });
});
