import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createHasher, toBase64, toHex } from "../../../src/checksum/hasher.ts";

const CHECK = new TextEncoder().encode("123456789");

Deno.test("createHasher() gives the standard check values for 123456789", () => {
  const expected = {
    CRC32: "cbf43926",
    CRC32C: "e3069283",
    CRC64NVME: "ae8b14860a799888",
  } as const;
  for (const [alg, hex] of Object.entries(expected)) {
    const h = createHasher(alg as keyof typeof expected);
    h.update(CHECK.subarray(0, 4));
    h.update(CHECK.subarray(4));
    assert.equal(toHex(h.digest()), hex, alg);
  }
});

Deno.test("createHasher() MD5, SHA1 and SHA256 agree with node:crypto over split input", () => {
  for (const [name, node] of [["MD5", "md5"], ["SHA1", "sha1"], ["SHA256", "sha256"]] as const) {
    const h = createHasher(name);
    h.update(CHECK.subarray(0, 2));
    h.update(CHECK.subarray(2));
    const digest = h.digest();
    assert.ok(digest instanceof Uint8Array, name);
    assert.equal(toHex(digest), createHash(node).update(CHECK).digest("hex"), name);
  }
});

Deno.test("toBase64() and toHex() spell bytes, honouring a view's offset", () => {
  const view = new Uint8Array([0, 0xfb, 0xff, 0x01, 9]).subarray(1, 4);
  assert.equal(toHex(view), "fbff01");
  assert.equal(toBase64(view), "+/8B");
  assert.equal(toHex(new Uint8Array()), "");
  assert.equal(toBase64(new Uint8Array()), "");
});

Deno.test("hashTap: passes the bytes through and digests them", async () => {
  const { hashTap } = await import("../../../src/checksum/hasher.ts");
  const tap = hashTap("CRC32");
  const out = await new Response(new Blob(["hello ", "world"]).stream().pipeThrough(tap.transform))
    .text();
  assert.equal(out, "hello world");
  assert.equal(tap.digest(), "DUoRhQ==");
});
