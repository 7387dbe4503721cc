import assert from "node:assert/strict";
import { emptyResponse, xmlResponse } from "../../../src/s3/response.ts";

Deno.test("xmlResponse() is a 200 with application/xml over any given content type", async () => {
  const res = xmlResponse("<a/>", { "content-type": "text/plain", "x-amz-extra": "1" });
  assert.equal(res.status, 200);
  assert.deepEqual(Object.fromEntries(res.headers), {
    "content-type": "application/xml",
    "x-amz-extra": "1",
  });
  assert.equal(await res.text(), "<a/>");
});

Deno.test("xmlResponse() takes a Headers object and leaves it unchanged", () => {
  const given = new Headers({ etag: '"x"' });
  const res = xmlResponse("<a/>", given);
  assert.equal(res.headers.get("etag"), '"x"');
  assert.equal(given.get("content-type"), null);
});

Deno.test("emptyResponse() has the status, the headers and no body", () => {
  const res = emptyResponse(204);
  assert.equal(res.status, 204);
  assert.equal(res.body, null);
  assert.deepEqual([...res.headers], []);
  const withHeaders = emptyResponse(200, { etag: '"e"' });
  assert.equal(withHeaders.status, 200);
  assert.deepEqual(Object.fromEntries(withHeaders.headers), { etag: '"e"' });
});
