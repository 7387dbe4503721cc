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
