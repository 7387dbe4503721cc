import assert from "node:assert/strict";
import { partsFromAttributes } from "../../../../src/backends/s3/attributes.ts";
import { parseXml } from "../../../../src/backends/s3/xml.ts";
import { fakeStore } from "./_fake_store.ts";

Deno.test("partsFromAttributes() reads ObjectParts with part checksums; none for no parts", () => {
  const page = partsFromAttributes(
    parseXml(
      `<GetObjectAttributesResponse><ObjectParts><IsTruncated>true</IsTruncated><NextPartNumberMarker>1</NextPartNumberMarker><PartsCount>3</PartsCount><Part><PartNumber>1</PartNumber><Size>5</Size><ChecksumCRC32>DUoRhQ==</ChecksumCRC32></Part></ObjectParts></GetObjectAttributesResponse>`,
    )!,
  );
  assert.deepEqual(page, {
    partsCount: 3,
    parts: [{ partNumber: 1, size: 5, checksums: { CRC32: "DUoRhQ==" } }],
    isTruncated: true,
    nextPartNumberMarker: 1,
  });
  assert.equal(partsFromAttributes(parseXml("<GetObjectAttributesResponse/>")!), undefined);
});

Deno.test("objectParts() asks the store with headers, and passes its answer on", async () => {
  const { backend, seen } = fakeStore(() => ({
    status: 200,
    headers: { "content-type": "application/xml" },
    body:
      `<GetObjectAttributesResponse><ObjectParts><PartsCount>1</PartsCount><Part><PartNumber>2</PartNumber><Size>7</Size></Part></ObjectParts></GetObjectAttributesResponse>`,
  }));
  const r = await backend.objectParts!("k", { maxParts: 5, partNumberMarker: 1 });
  assert.ok(r.ok);
  assert.deepEqual(r.value?.parts, [{ partNumber: 2, size: 7 }]);
  assert.equal(seen[0]!.url.search, "?attributes=");
  assert.equal(seen[0]!.headers["x-amz-max-parts"], "5");
  assert.equal(seen[0]!.headers["x-amz-part-number-marker"], "1");
});

Deno.test("objectParts() composes from reads by part number when the store lacks the operation", async () => {
  const sizes = [5, 5, 3];
  const { backend, seen } = fakeStore((req) => {
    if (req.url.search === "?attributes=") {
      return { status: 501, body: "<Error><Code>NotImplemented</Code></Error>" };
    }
    const n = Number(req.url.searchParams.get("partNumber"));
    return {
      status: 206,
      headers: {
        "content-length": String(sizes[n - 1]),
        "x-amz-mp-parts-count": "3",
        "x-amz-checksum-crc32": `c${n}`,
      },
    };
  });
  const r = await backend.objectParts!("k", { maxParts: 2 });
  assert.ok(r.ok);
  assert.deepEqual(r.value, {
    partsCount: 3,
    parts: [
      { partNumber: 1, size: 5, checksums: { CRC32: "c1" } },
      { partNumber: 2, size: 5, checksums: { CRC32: "c2" } },
    ],
    isTruncated: true,
    nextPartNumberMarker: 2,
  });
  assert.equal(seen.length, 3, "the attributes call, then parts 1 and 2");
  const missing = fakeStore(() => ({ status: 404, body: "<Error><Code>NoSuchKey</Code></Error>" }));
  const gone = await missing.backend.objectParts!("k", { maxParts: 2 });
  assert.ok(!gone.ok && gone.error.kind === "NoSuchKey");
});

Deno.test("objectParts() composes when the store ignores ?attributes and sends the object", async () => {
  const { backend } = fakeStore((req) =>
    req.url.search === "?attributes="
      ? { status: 200, headers: { "content-type": "application/octet-stream" }, body: "bytes" }
      : { status: 200, headers: { "content-length": "5" } }
  );
  const r = await backend.objectParts!("k", { maxParts: 2 });
  assert.deepEqual(r, { ok: true, value: undefined }, "not multipart: no parts count");
});

Deno.test("objectParts() composed for an object without checksums lists no part, as S3", async () => {
  const { backend, seen } = fakeStore((req) =>
    req.url.search === "?attributes="
      ? { status: 501, body: "<Error><Code>NotImplemented</Code></Error>" }
      : { status: 206, headers: { "content-length": "5", "x-amz-mp-parts-count": "4" } }
  );
  const r = await backend.objectParts!("k", { maxParts: 10 });
  assert.deepEqual(r, { ok: true, value: { partsCount: 4, parts: [], isTruncated: false } });
  assert.equal(seen.length, 2, "no read of the other parts");
});
