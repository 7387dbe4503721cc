/**
 * The az backend's part checksums against Azurite (issue 27): kept in the
 * blob's metadata while they fit, in a record of the internal namespace when
 * they do not, and read back either way.
 */
import assert from "node:assert/strict";
import { createAzBackend } from "../../src/backends/az/az.ts";
import { checksumOf } from "../_support/checksums.ts";
import { rawBlobs } from "./_az_raw.ts";
import { AZURITE_KEY, azuriteMissing, azuriteOptions, startAzurite } from "../_support/azurite.ts";
import { emulatorSuite } from "../_support/emulator.ts";

const suite = emulatorSuite({
  name: "az (Azurite): part checksums",
  missing: await azuriteMissing(),
  start: startAzurite,
});
const MiB = 1024 * 1024;
let n = 0;

for (const inline of [2048, 10]) {
  suite.test(`part checksums ${inline > 10 ? "in metadata" : "in an internal record"}`, async () => {
    const name = `azsums-${Date.now()}-${n++}`;
    await suite.emulator().createContainer(name);
    const b = createAzBackend(
      azuriteOptions(suite.emulator().endpoint, name, { access_key: AZURITE_KEY }),
      {
        sizes: {
          maxSinglePut: MiB,
          streamedBlock: MiB,
          bufferedBlock: MiB,
          partChecksumsInline: inline,
        },
      },
    );
    const id = await b.createMultipartUpload("obj", {
      meta: { userMetadata: {} },
      checksum: { algorithm: "CRC32", type: "FULL_OBJECT" },
    });
    assert.ok(id.ok);
    const upload = { key: "obj", uploadId: id.value };
    const bodies = [new Uint8Array(5 * MiB).fill(1), new Uint8Array(10).fill(2)];
    const parts = [];
    for (const [i, bytes] of bodies.entries()) {
      const r = await b.uploadPart(upload, {
        partNumber: i + 1,
        body: new Blob([bytes]).stream(),
        contentLength: bytes.length,
      });
      assert.ok(r.ok);
      parts.push({ partNumber: i + 1, etag: r.value.etag });
    }
    const done = await b.completeMultipartUpload(upload, parts);
    assert.ok(done.ok, !done.ok ? done.error.message : "");
    const head = await b.head("obj");
    assert.ok(head.ok);
    assert.deepEqual(head.value.partChecksums, bodies.map((b) => checksumOf("CRC32", b)));
    assert.equal(head.value.checksumType, "FULL_OBJECT");
    const records = await rawBlobs(suite.emulator().endpoint, name, ".bucketgate/partsums/");
    assert.equal(records.size, inline > 10 ? 0 : 1);
  });
}
