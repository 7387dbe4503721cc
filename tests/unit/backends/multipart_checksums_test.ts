import assert from "node:assert/strict";
import {
  completedChecksum,
  partAlgorithm,
  tapPart,
} from "../../../src/backends/multipart_checksums.ts";
import { checksumOf } from "../../_support/checksums.ts";

const part = (n: number, size: number, crc: string) => ({
  partNumber: n,
  etag: `"e${n}"`,
  size,
  lastModified: new Date(0),
  checksums: { CRC32: crc },
});

Deno.test("partAlgorithm: the upload's; another declared one refused", () => {
  const up = { algorithm: "CRC32", type: "COMPOSITE" } as const;
  assert.deepEqual(partAlgorithm(up, undefined), { ok: true, value: "CRC32" });
  assert.deepEqual(partAlgorithm(undefined, { SHA1: "x" }), { ok: true, value: undefined });
  const bad = partAlgorithm(up, { CRC32C: "AAAAAA==" });
  assert.ok(
    !bad.ok &&
      /expected checksum Type: crc32, actual checksum Type: crc32c/.test(bad.error.message),
  );
});

Deno.test("tapPart: computes the upload's algorithm, else keeps what was declared", async () => {
  const t = tapPart(new Blob(["hello world"]).stream(), "CRC32", undefined);
  await new Response(t.body).arrayBuffer();
  assert.deepEqual(t.checksums(), { CRC32: "DUoRhQ==" });
  const d = tapPart(new Blob(["x"]).stream(), undefined, { SHA1: "v" });
  assert.deepEqual(d.checksums(), { SHA1: "v" });
});

Deno.test("completedChecksum: full-object combines, composite needs every part listed", () => {
  const crc = (t: string) => checksumOf("CRC32", new TextEncoder().encode(t));
  const chosen = [part(1, 6, crc("hello ")), part(2, 5, crc("world"))];
  const full = completedChecksum({ algorithm: "CRC32", type: "FULL_OBJECT" }, chosen, chosen);
  assert.ok(full.ok);
  assert.equal(full.value.checksums?.CRC32, "DUoRhQ==");
  assert.deepEqual(full.value.partChecksums, [crc("hello "), crc("world")]);
  const claimedWrong = completedChecksum(
    { algorithm: "CRC32", type: "FULL_OBJECT" },
    chosen,
    chosen,
    { checksums: { CRC32: "AAAAAA==" } },
  );
  assert.ok(!claimedWrong.ok && claimedWrong.error.kind === "BadDigest");
  const unlisted = chosen.map(({ partNumber, etag }) => ({ partNumber, etag }));
  const comp = completedChecksum({ algorithm: "CRC32", type: "COMPOSITE" }, unlisted, chosen);
  assert.ok(!comp.ok && /missing for part 1/.test(comp.error.message));
  const none = completedChecksum(undefined, chosen, chosen);
  assert.deepEqual(none, { ok: true, value: {} });
});
