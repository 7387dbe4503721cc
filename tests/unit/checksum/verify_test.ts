import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createHasher, toBase64, toHex } from "../../../src/checksum/hasher.ts";
import {
  checksumVerifier,
  readChecksumHeaders,
  validChecksumValue,
} from "../../../src/checksum/verify.ts";
import { ProxyStreamError } from "../../../src/errors.ts";

const CHECK = new TextEncoder().encode("123456789");

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

Deno.test("checksumVerifier() refuses a body longer than its declared length", async () => {
  assert.equal(await through(CHECK, { length: 8 }), "InvalidRequest");
  assert.equal(await through(CHECK, { length: CHECK.length }), "ok");
});

Deno.test("checksumVerifier() takes x-amz-content-sha256 in either case, and a SHA256 checksum with it", async () => {
  const sha = createHash("sha256").update(CHECK).digest();
  const upper = toHex(sha).toUpperCase();
  assert.equal(await through(CHECK, { sha256Hex: upper }), "ok");
  assert.equal(
    await through(CHECK, { checksums: { SHA256: toBase64(sha) }, sha256Hex: toHex(sha) }),
    "ok",
  );
  assert.equal(
    await through(CHECK, { checksums: { SHA256: toBase64(sha) }, sha256Hex: "0".repeat(64) }),
    "XAmzContentSHA256Mismatch",
  );
});

Deno.test("checksumVerifier() passes the bytes through unchanged", async () => {
  const s = new Blob([CHECK as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(checksumVerifier({ length: CHECK.length }));
  assert.deepEqual(new Uint8Array(await new Response(s).arrayBuffer()), CHECK);
});

Deno.test("validChecksumValue() wants canonical base64 of the algorithm's digest length", () => {
  assert.equal(validChecksumValue("CRC32", "AAAAAA=="), true);
  assert.equal(validChecksumValue("CRC32", "AAAAAAAA"), false);
  assert.equal(validChecksumValue("CRC64NVME", "AAAAAAAAAAA="), true);
  assert.equal(validChecksumValue("SHA1", toBase64(new Uint8Array(20))), true);
  assert.equal(validChecksumValue("SHA256", toBase64(new Uint8Array(20))), false);
  assert.equal(validChecksumValue("CRC32", "AAAAAA="), false);
  assert.equal(validChecksumValue("CRC32", "AA-AAA=="), false);
});
