/** unsignedAmzHeaders() and the `<HeadersNotSigned>` element of the error it leads to. */
import assert from "node:assert/strict";
import { unsignedAmzHeaders } from "../../../src/auth/sigv4.ts";
import { headersNotSigned, proxyError, s3ErrorXml, toResponse } from "../../../src/errors.ts";

const header = (signed: string) => ({ presigned: false, signedHeaders: signed.split(";") });
const presigned = (signed: string) => ({ presigned: true, signedHeaders: signed.split(";") });

Deno.test("unsignedAmzHeaders() names each x-amz-* header the signature does not list, sorted", () => {
  const h = new Headers({
    host: "gateway.test",
    "X-Amz-Tagging": "a=b",
    "x-amz-copy-source": "/private/secret",
    "x-amz-meta-x": "1",
    "content-type": "text/plain",
  });
  assert.deepEqual(unsignedAmzHeaders(header("host;x-amz-meta-x"), h), [
    "x-amz-copy-source",
    "x-amz-tagging",
  ]);
  assert.deepEqual(
    unsignedAmzHeaders(header("host;x-amz-copy-source;x-amz-meta-x;x-amz-tagging"), h),
    [],
  );
});

Deno.test("unsignedAmzHeaders() exempts x-amz-content-sha256 always, x-amz-date for header auth only", () => {
  const h = new Headers({
    "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
    "x-amz-date": "20261124T120000Z",
    "x-amzn-trace-id": "Root=1-67891233-abcdef012345678912345678",
  });
  assert.deepEqual(unsignedAmzHeaders(header("host"), h), []);
  assert.deepEqual(unsignedAmzHeaders(presigned("host"), h), ["x-amz-date"]);
});

Deno.test("s3ErrorXml() renders HeadersNotSigned escaped, between Message and RequestId", () => {
  const xml = s3ErrorXml("AccessDenied", "m", "RID", { headersNotSigned: ["x-amz-a", "b<&>"] });
  assert.match(
    xml,
    /<Message>m<\/Message><HeadersNotSigned>x-amz-a, b&lt;&amp;&gt;<\/HeadersNotSigned><RequestId>RID<\/RequestId>/,
  );
  assert.doesNotMatch(s3ErrorXml("AccessDenied", "m", "RID"), /HeadersNotSigned/);
});

Deno.test("toResponse() of headersNotSigned() is S3's 403 AccessDenied; other errors carry no HeadersNotSigned", async () => {
  const res = toResponse(headersNotSigned(["x-amz-copy-source", "x-amz-meta-x"]), "RID");
  assert.equal(res.status, 403);
  const text = await res.text();
  assert.match(text, /<Code>AccessDenied<\/Code>/);
  assert.match(
    text,
    /<Message>There were headers present in the request which were not signed<\/Message>/,
  );
  assert.match(text, /<HeadersNotSigned>x-amz-copy-source, x-amz-meta-x<\/HeadersNotSigned>/);
  const plain = await toResponse(proxyError("AccessDenied", "Access Denied"), "RID").text();
  assert.doesNotMatch(plain, /HeadersNotSigned/);
});
