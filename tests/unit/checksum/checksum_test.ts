import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createHasher, toBase64, toHex } from "../../../src/checksum/hasher.ts";
import { checksumVerifier, readChecksumHeaders } from "../../../src/checksum/verify.ts";
import { constantTimeEqual } from "../../../src/bytes.ts";
import { ProxyStreamError } from "../../../src/errors.ts";

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

Deno.test("readChecksumHeaders() validates formats", () => {
  const md5 = createHash("md5").update("x").digest("base64");
  const ok = readChecksumHeaders(
    new Headers({ "content-md5": md5, "x-amz-checksum-crc32": "AAAAAA==" }),
  );
  assert.ok(ok.ok);
  assert.deepEqual(ok.value, { md5, checksums: { CRC32: "AAAAAA==" } });
  const badMd5 = readChecksumHeaders(new Headers({ "content-md5": "nope" }));
  assert.ok(!badMd5.ok);
  assert.equal(badMd5.error.kind, "InvalidDigest");
  const badCrc = readChecksumHeaders(new Headers({ "x-amz-checksum-crc32": "AAAA" }));
  assert.ok(!badCrc.ok);
  assert.equal(badCrc.error.kind, "InvalidRequest");
});

async function through(
  data: Uint8Array,
  e: Parameters<typeof checksumVerifier>[0],
): Promise<string> {
  const s = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(checksumVerifier(e));
  try {
    await new Response(s).arrayBuffer();
    return "ok";
  } catch (err) {
    return err instanceof ProxyStreamError ? err.proxy.kind : String(err);
  }
}

Deno.test("checksumVerifier() passes matching bodies and names the mismatch otherwise", async () => {
  const sha = createHash("sha256").update(CHECK).digest();
  const crc = createHasher("CRC32");
  crc.update(CHECK);
  const crc32 = toBase64(crc.digest());
  assert.equal(await through(CHECK, { checksums: { CRC32: crc32 }, sha256Hex: toHex(sha) }), "ok");
  assert.equal(await through(CHECK, { checksums: { CRC32: "AAAAAA==" } }), "BadDigest");
  assert.equal(
    await through(CHECK, { md5: createHash("md5").update("x").digest("base64") }),
    "BadDigest",
  );
  assert.equal(await through(CHECK, { sha256Hex: "0".repeat(64) }), "XAmzContentSHA256Mismatch");
  assert.equal(await through(CHECK, { length: 10 }), "IncompleteBody");
});

Deno.test("constantTimeEqual() compares whole strings", () => {
  assert.equal(constantTimeEqual("abc", "abc"), true);
  assert.equal(constantTimeEqual("abc", "abd"), false);
  assert.equal(constantTimeEqual("abc", "ab"), false);
});
