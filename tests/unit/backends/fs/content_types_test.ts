import assert from "node:assert/strict";
import { guessType } from "../../../../src/backends/fs/content_types.ts";

Deno.test("guessType(): the Content-Type of a known extension, case-insensitively", () => {
  assert.equal(guessType("a/b/page.html"), "text/html");
  assert.equal(guessType("IMG.JPG"), "image/jpeg");
  assert.equal(guessType("data.tar.gz"), "application/gzip");
  assert.equal(guessType("t.parquet"), "application/octet-stream");
  assert.equal(guessType("scan.tif"), "image/tiff");
});

Deno.test("guessType(): none for no extension or an unknown one", () => {
  assert.equal(guessType("README"), undefined);
  assert.equal(guessType("archive.xyz"), undefined);
  assert.equal(guessType("dir.d/file"), undefined);
  assert.equal(guessType("toString"), undefined);
});

Deno.test({
  name: "guessType(): an extension named like an Object.prototype member is unknown",
  fn() {
    for (const key of ["x.constructor", "x.Constructor"]) {
      assert.equal(guessType(key), undefined, key);
    }
  },
});
