import assert from "node:assert/strict";
import {
  FORWARDED_WRITE_HEADERS,
  PASSED_RESPONSE_HEADERS,
  pickHeaders,
} from "../../../src/backends/passthrough.ts";

Deno.test("pickHeaders() picks the named headers that are present", () => {
  const h = new Headers({
    "x-amz-storage-class": "STANDARD_IA",
    "x-amz-tagging": "a=b",
    "x-amz-acl": "public-read",
  });
  assert.deepEqual(pickHeaders(h, FORWARDED_WRITE_HEADERS), {
    "x-amz-storage-class": "STANDARD_IA",
    "x-amz-tagging": "a=b",
  });
});

Deno.test("pickHeaders() is undefined when none is present", () => {
  assert.equal(
    pickHeaders(new Headers({ "content-type": "x" }), FORWARDED_WRITE_HEADERS),
    undefined,
  );
  assert.equal(pickHeaders(new Headers(), []), undefined);
});

Deno.test("FORWARDED_WRITE_HEADERS never forwards an ACL or grant header", () => {
  for (const name of FORWARDED_WRITE_HEADERS) {
    assert.ok(!/acl|grant/.test(name), name);
    assert.equal(name, name.toLowerCase());
  }
  assert.equal(FORWARDED_WRITE_HEADERS.length, 11);
});

Deno.test("PASSED_RESPONSE_HEADERS passes the store's storage, encryption and parts answers", () => {
  for (
    const name of [
      "x-amz-storage-class",
      "x-amz-tagging-count",
      "x-amz-server-side-encryption",
      "x-amz-mp-parts-count",
    ]
  ) {
    assert.ok(PASSED_RESPONSE_HEADERS.includes(name), name);
  }
  assert.ok(!PASSED_RESPONSE_HEADERS.includes("x-amz-request-id"));
});
