import assert from "node:assert/strict";
import {
  allInternal,
  completionPath,
  isAzInternal,
  listedName,
  partPath,
  uploadPath,
} from "../../../../src/backends/az/names.ts";

Deno.test("isAzInternal() sees .bucketgate/ through slashes, dot segments, backslashes and trailing dots", () => {
  for (
    const name of [
      ".bucketgate",
      ".bucketgate/",
      ".bucketgate/uploads/x/upload",
      "/.bucketgate/uploads/",
      "//.bucketgate/x",
      "./.bucketgate/x",
      "a/../.bucketgate/x",
      "v2/../.bucketgate/x",
      ".bucketgate./x",
      ".bucketgate\\uploads\\x",
      "\\.bucketgate/x",
      ".../.bucketgate/x",
    ]
  ) {
    assert.ok(isAzInternal(name), name);
  }
  for (
    const name of [".Bucketgate/x", ".BUCKETGATE/x", "v2/.bucketgate/x", ".bucketgatex", "x", ""]
  ) {
    assert.ok(!isAzInternal(name), name);
  }
});

Deno.test("listedName() decodes an Encoded name and refuses a malformed escape as BackendError", () => {
  assert.deepEqual(listedName({ "#text": "a%0Bb", "@Encoded": "true" }), {
    ok: true,
    value: "a\vb",
  });
  assert.deepEqual(listedName({ "#text": "a%20b" }), { ok: true, value: "a%20b" }, "not encoded");
  assert.deepEqual(listedName("plain"), { ok: true, value: "plain" });
  for (const text of ["a%ZZb", "%", "%E0%A4%A"]) {
    const r = listedName({ "#text": text, "@Encoded": "true" });
    assert.ok(!r.ok, text);
    assert.equal(r.error.kind, "BackendError");
  }
});

Deno.test("upload state paths stay under .bucketgate/uploads/ with five-digit part numbers", () => {
  const id = "0".repeat(48);
  assert.equal(uploadPath(id), `.bucketgate/uploads/${id}/upload`);
  assert.equal(partPath(id, 7), `.bucketgate/uploads/${id}/part-00007`);
  assert.equal(completionPath(id), `.bucketgate/uploads/${id}/completed`);
  for (const p of [uploadPath(id), partPath(id, 1), completionPath(id)]) assert.ok(isAzInternal(p));
  assert.ok(allInternal(".bucketgate/") && allInternal("/.bucketgate/u"));
  assert.ok(!allInternal(".bucket") && !allInternal(""));
});
