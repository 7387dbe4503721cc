import assert from "node:assert/strict";
import { badFraming, fail, incomplete } from "../../../../src/auth/aws_chunked/failures.ts";
import { proxyError, ProxyStreamError } from "../../../../src/errors.ts";

Deno.test("fail() throws the error as a ProxyStreamError carrying it unchanged", () => {
  const e = proxyError("BadDigest", "m");
  assert.throws(
    () => fail(e),
    (thrown) => thrown instanceof ProxyStreamError && thrown.proxy === e,
  );
});

Deno.test("incomplete() is IncompleteBody, badFraming() an InvalidRequest that names what", () => {
  assert.equal(incomplete().kind, "IncompleteBody");
  assert.match(incomplete().message, /aws-chunked encoding was complete/);
  const b = badFraming("bad chunk size 'zz'");
  assert.equal(b.kind, "InvalidRequest");
  assert.equal(b.message, "Invalid aws-chunked encoding: bad chunk size 'zz'");
});
