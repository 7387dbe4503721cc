import assert from "node:assert/strict";
import { partsPage, uploadsPage } from "../../../../src/backends/s3/uploads.ts";
import { parseXml } from "../../../../src/backends/s3/xml.ts";
import { statusOf } from "../../../../src/errors.ts";
import { fakeStore } from "./_fake_store.ts";
import { resettingBody } from "../http/_bodies.ts";

Deno.test("listParts() whose ListParts body resets mid-read is a BackendError (503), not a throw", async () => {
  const { backend } = fakeStore(() => ({ status: 200, body: resettingBody("<ListPartsResult>") }));
  const r = await backend.listParts({ key: "k", uploadId: "u-1" }, { maxParts: 10 });
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "BackendError");
  assert.equal(statusOf(r.error), 503);
});

Deno.test("listMultipartUploads() and createMultipartUpload() with a body reset mid-read are BackendErrors", async () => {
  const { backend } = fakeStore(() => ({ status: 200, body: resettingBody("<") }));
  const listed = await backend.listMultipartUploads({ prefix: "", maxUploads: 10 });
  assert.ok(!listed.ok && listed.error.kind === "BackendError");
  const created = await backend.createMultipartUpload("k", { meta: { userMetadata: {} } });
  assert.ok(!created.ok && created.error.kind === "BackendError");
});

Deno.test("partsPage() reads moto's ListPartsResponse root as S3's ListPartsResult", () => {
  for (const root of ["ListPartsResult", "ListPartsResponse"]) {
    const page = partsPage(
      parseXml(
        `<${root}><IsTruncated>true</IsTruncated><NextPartNumberMarker>2</NextPartNumberMarker><Part><PartNumber>2</PartNumber><ETag>"x"</ETag><Size>5</Size><LastModified>2024-01-01T00:00:00Z</LastModified></Part></${root}>`,
      )!,
    );
    assert.deepEqual(page.parts.map((p) => [p.partNumber, p.etag, p.size]), [[2, '"x"', 5]]);
    assert.equal(page.nextPartNumberMarker, 2);
  }
});

Deno.test("uploadsPage() decodes an encoded listing's keys and markers", () => {
  const page = uploadsPage(
    parseXml(
      `<ListMultipartUploadsResult><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated><NextKeyMarker>a%20b</NextKeyMarker><NextUploadIdMarker>u2</NextUploadIdMarker><Upload><Key>a%20b</Key><UploadId>u2</UploadId><Initiated>2024-01-01T00:00:00Z</Initiated></Upload></ListMultipartUploadsResult>`,
    )!,
  );
  assert.deepEqual(page.uploads.map((u) => [u.key, u.uploadId]), [["a b", "u2"]]);
  assert.equal(page.nextKeyMarker, "a b");
  assert.equal(page.nextUploadIdMarker, "u2");
});

Deno.test("completeMultipartUpload() refuses parts out of order before asking the store", async () => {
  const { backend, seen } = fakeStore(() => ({ status: 200, body: "<x/>" }));
  const r = await backend.completeMultipartUpload({ key: "k", uploadId: "u" }, [
    { partNumber: 2, etag: "a" },
    { partNumber: 1, etag: "b" },
  ]);
  assert.ok(!r.ok && r.error.kind === "InvalidPartOrder");
  assert.equal(seen.length, 0);
});
