import assert from "node:assert/strict";
import { isAzInternal } from "../../../../src/backends/az/names.ts";

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
