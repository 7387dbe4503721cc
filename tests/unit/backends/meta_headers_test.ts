import assert from "node:assert/strict";
import { META_HEADERS, USER_META_PREFIX } from "../../../src/backends/meta_headers.ts";

Deno.test("META_HEADERS pairs each stored header with its HttpMeta field", () => {
  assert.deepEqual(Object.fromEntries(META_HEADERS), {
    "content-type": "contentType",
    "content-encoding": "contentEncoding",
    "content-disposition": "contentDisposition",
    "content-language": "contentLanguage",
    "cache-control": "cacheControl",
    "expires": "expires",
  });
  assert.equal(USER_META_PREFIX, "x-amz-meta-");
});
