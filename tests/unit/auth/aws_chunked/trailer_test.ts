import assert from "node:assert/strict";
import { ProxyStreamError } from "../../../../src/errors.ts";
import { canonicalTrailer, trailerFields } from "../../../../src/auth/aws_chunked/trailer.ts";

Deno.test("trailerFields() keys fields by lower-case name, values trimmed", () => {
  const f = trailerFields(["X-Amz-Checksum-Crc32: AAAAAA==", "x-amz-trailer-signature:abc "]);
  assert.deepEqual([...f], [["x-amz-checksum-crc32", "AAAAAA=="], [
    "x-amz-trailer-signature",
    "abc",
  ]]);
});

Deno.test("trailerFields() refuses a line without a name as MalformedTrailerError", () => {
  for (const line of ["no colon", ": value"]) {
    assert.throws(
      () => trailerFields([line]),
      (e) => e instanceof ProxyStreamError && e.proxy.kind === "MalformedTrailerError",
      line,
    );
  }
});

Deno.test("canonicalTrailer() is every field but the signature, name:value and a newline each", () => {
  assert.equal(
    canonicalTrailer(["X-Amz-Checksum-Crc32: AAAAAA==", "x-amz-trailer-signature: ff"]),
    "x-amz-checksum-crc32:AAAAAA==\n",
  );
});
