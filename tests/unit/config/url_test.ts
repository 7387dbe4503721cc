import assert from "node:assert/strict";
import { isHttpUrl } from "../../../src/config/url.ts";

Deno.test("isHttpUrl() accepts http and https URLs", () => {
  for (const v of ["http://127.0.0.1:9000", "https://s3.example.com/path?x=1", "HTTPS://A.B"]) {
    assert.equal(isHttpUrl(v), true, v);
  }
});

Deno.test("isHttpUrl() refuses other schemes, relative URLs and non-strings", () => {
  for (
    const v of [
      "ftp://a",
      "file:///etc/passwd",
      "s3.example.com",
      "",
      "javascript:x",
      42,
      null,
      undefined,
    ]
  ) {
    assert.equal(isHttpUrl(v), false, String(v));
  }
});
