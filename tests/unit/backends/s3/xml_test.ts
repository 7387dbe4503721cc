import assert from "node:assert/strict";
import { parseXml, str } from "../../../../src/backends/s3/xml.ts";

Deno.test("parseXml() keeps values as text and repeated elements as arrays", () => {
  const doc = parseXml("<R><Contents><Size>007</Size></Contents></R>");
  const r = doc?.R as { Contents: { Size: unknown }[] };
  assert.equal(r.Contents[0]!.Size, "007");
  assert.equal(parseXml("<<<"), undefined);
  assert.equal(str(undefined), "");
  assert.equal(str(5), "5");
});
