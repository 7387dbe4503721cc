import assert from "node:assert/strict";
import { requestedAttributes } from "../../../../src/s3/ops/object_attributes.ts";

Deno.test("requestedAttributes: names in any case, unknown and missing refused", () => {
  const r = requestedAttributes(new Headers({ "x-amz-object-attributes": "etag, ObjectSize" }));
  assert.ok(r.ok);
  assert.deepEqual([...r.value], ["ETag", "ObjectSize"]);
  for (const v of [undefined, "", "Colour"]) {
    const h = new Headers(v === undefined ? {} : { "x-amz-object-attributes": v });
    const bad = requestedAttributes(h);
    assert.ok(!bad.ok && bad.error.kind === "InvalidArgument", String(v));
  }
});

Deno.test("partsFromMeta: pages the recorded parts; lists none without part checksums, as S3", async () => {
  const { partsFromMeta } = await import("../../../../src/s3/ops/object_attributes.ts");
  const meta = {
    key: "k",
    size: 13,
    etag: '"e-3"',
    lastModified: new Date(0),
    userMetadata: {},
    partsCount: 3,
    partSizes: [5, 5, 3],
  };
  const withSums = { ...meta, checksums: { CRC32: "x-3" }, partChecksums: ["a", "b", "c"] };
  assert.deepEqual(partsFromMeta(withSums, { maxParts: 1, partNumberMarker: 1 }), {
    partsCount: 3,
    parts: [{ partNumber: 2, size: 5, checksums: { CRC32: "b" } }],
    isTruncated: true,
    nextPartNumberMarker: 2,
  });
  assert.deepEqual(partsFromMeta(meta, { maxParts: 10 }), {
    partsCount: 3,
    parts: [],
    isTruncated: false,
  });
  assert.equal(
    partsFromMeta({ key: "k", size: 1, etag: '"e"', lastModified: new Date(0), userMetadata: {} }, {
      maxParts: 1,
    }),
    undefined,
  );
});
