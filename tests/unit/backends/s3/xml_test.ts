import assert from "node:assert/strict";
import { parseXml, readText, str } from "../../../../src/backends/s3/xml.ts";
import { resettingBody } from "./_fake_store.ts";

Deno.test("readText() is a BackendError for a body that resets mid-read, never a throw", async () => {
  const r = await readText(
    { status: 200, headers: new Headers(), body: resettingBody("<ListBucketResult>") },
    "ListObjectsV2",
  );
  assert.ok(!r.ok && r.error.kind === "BackendError");
  assert.match(String(r.error.detail), /ListObjectsV2: HTTP 200, the body failed mid-read/);
  const empty = await readText({ status: 200, headers: new Headers(), body: null }, "x");
  assert.ok(empty.ok && empty.value === "");
});

Deno.test("parseXml() keeps values as text and repeated elements as arrays", () => {
  const doc = parseXml("<R><Contents><Size>007</Size></Contents></R>");
  const r = doc?.R as { Contents: { Size: unknown }[] };
  assert.equal(r.Contents[0]!.Size, "007");
  assert.equal(parseXml("<<<"), undefined);
  assert.equal(str(undefined), "");
  assert.equal(str(5), "5");
});
