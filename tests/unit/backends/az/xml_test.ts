import assert from "node:assert/strict";
import { parseXml, str } from "../../../../src/backends/az/xml.ts";

Deno.test("parseXml() keeps listing elements as arrays and attributes under @", () => {
  const doc = parseXml('<R><Blobs><Blob><Name Encoded="true">a%20b</Name></Blob></Blobs></R>');
  const blobs = (doc?.R as { Blobs: { Blob: unknown[] } }).Blobs.Blob;
  assert.equal(blobs.length, 1);
  assert.deepEqual((blobs[0] as { Name: unknown }).Name, { "#text": "a%20b", "@Encoded": "true" });
  assert.equal(parseXml("<!DOCTYPE x><x/>"), undefined, "no DTDs");
});

Deno.test("str() reads absent values as empty", () => {
  assert.deepEqual([str(undefined), str(null), str("a"), str(5)], ["", "", "a", "5"]);
});
