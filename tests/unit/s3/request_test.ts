import assert from "node:assert/strict";
import {
  MAX_HEADER_BYTES,
  MAX_USER_METADATA_BYTES,
  parseS3Request,
} from "../../../src/s3/request.ts";
import { requestTarget } from "../../../src/http/target.ts";

function route(method: string, url: string, headers: Record<string, string> = {}, domain?: string) {
  return parseS3Request(
    method,
    requestTarget(url),
    new Headers({ host: new URL(url).host, ...headers }),
    domain ? { domain } : {},
  );
}

Deno.test("requestTarget() keeps the path and query exactly as sent", () => {
  assert.deepEqual(requestTarget("http://h:1/b/a%20b/../c+d?x=a%2Fb&y"), {
    rawPath: "/b/a%20b/../c+d",
    rawQuery: "x=a%2Fb&y",
  });
  assert.deepEqual(requestTarget("http://h/"), { rawPath: "/", rawQuery: "" });
});

Deno.test("parseS3Request() routes every operation", () => {
  const cases: [string, string, Record<string, string>, string][] = [
    ["GET", "http://h/", {}, "ListBuckets"],
    ["HEAD", "http://h/b", {}, "HeadBucket"],
    ["GET", "http://h/b?location", {}, "GetBucketLocation"],
    ["GET", "http://h/b", {}, "ListObjects"],
    ["GET", "http://h/b/?list-type=2", {}, "ListObjectsV2"],
    ["GET", "http://h/b?uploads", {}, "ListMultipartUploads"],
    ["POST", "http://h/b?delete", {}, "DeleteObjects"],
    ["PUT", "http://h/b", {}, "CreateBucket"],
    ["DELETE", "http://h/b", {}, "DeleteBucket"],
    ["GET", "http://h/b/k", {}, "GetObject"],
    ["GET", "http://h/b/k?x-id=GetObject", {}, "GetObject"],
    ["HEAD", "http://h/b/k", {}, "HeadObject"],
    ["PUT", "http://h/b/k", {}, "PutObject"],
    ["PUT", "http://h/b/k", { "x-amz-copy-source": "/b/s" }, "CopyObject"],
    ["DELETE", "http://h/b/k", {}, "DeleteObject"],
    ["POST", "http://h/b/k?uploads", {}, "CreateMultipartUpload"],
    ["PUT", "http://h/b/k?partNumber=1&uploadId=u", {}, "UploadPart"],
    [
      "PUT",
      "http://h/b/k?partNumber=1&uploadId=u",
      { "x-amz-copy-source": "/b/s" },
      "UploadPartCopy",
    ],
    ["POST", "http://h/b/k?uploadId=u", {}, "CompleteMultipartUpload"],
    ["DELETE", "http://h/b/k?uploadId=u", {}, "AbortMultipartUpload"],
    ["GET", "http://h/b/k?uploadId=u", {}, "ListParts"],
  ];
  for (const [method, url, headers, op] of cases) {
    const r = route(method, url, headers);
    assert.ok(r.ok, `${method} ${url}`);
    assert.equal(r.value.op, op, `${method} ${url}`);
  }
});

Deno.test("parseS3Request() decodes keys once: %2F, + and unicode", () => {
  const r = route("GET", "http://h/b/a%2Fb/c+d/%C3%A9%20x");
  assert.ok(r.ok);
  assert.equal(r.value.bucket, "b");
  assert.equal(r.value.key, "a/b/c+d/é x");
});

Deno.test("parseS3Request() uses the Host for virtual-hosted style when a domain is set", () => {
  const r = route("GET", "http://photos.s3.example.com:8080/a/b", {}, "s3.example.com");
  assert.ok(r.ok);
  assert.equal(r.value.bucket, "photos");
  assert.equal(r.value.key, "a/b");
  const path = route("GET", "http://s3.example.com/photos/a", {}, "s3.example.com");
  assert.ok(path.ok);
  assert.equal(path.value.bucket, "photos");
});

Deno.test("parseS3Request() refuses bad encodings, unsupported subresources, odd methods", () => {
  const bad = route("GET", "http://h/b/%E0%A4%A");
  assert.ok(!bad.ok);
  assert.equal(bad.error.kind, "InvalidURI");
  const acl = route("GET", "http://h/b?acl");
  assert.ok(!acl.ok);
  assert.equal(acl.error.kind, "NotImplemented");
  const objectPost = route("POST", "http://h/b/k");
  assert.ok(!objectPost.ok);
  assert.equal(objectPost.error.kind, "NotImplemented");
  const patch = route("PATCH", "http://h/b/k");
  assert.ok(!patch.ok);
  assert.equal(patch.error.kind, "MethodNotAllowed");
});

Deno.test("user metadata counts bytes as they came on the wire: UTF-8 is not counted twice", () => {
  const target = requestTarget("http://h/bucket/key");
  // Deno hands header values over as byte strings: "é" arrives as the two chars of its UTF-8 bytes.
  const e = "\u00c3\u00a9";
  const meta = (pairs: number) => new Headers({ "x-amz-meta-k": e.repeat(pairs) + "v" });
  assert.ok(parseS3Request("PUT", target, meta(1023)).ok, "1 + 2046 + 1 bytes");
  const over = parseS3Request("PUT", target, meta(1024));
  assert.ok(!over.ok && over.error.kind === "MetadataTooLarge", "2050 bytes");
});

Deno.test("parseS3Request() limits user metadata to 2 KiB and the header section to 16 KiB", () => {
  const target = requestTarget("http://h/bucket/key");
  const meta = (n: number) => new Headers({ "x-amz-meta-k": "v".repeat(n - 1) });
  assert.ok(parseS3Request("PUT", target, meta(MAX_USER_METADATA_BYTES)).ok, "exactly 2 KiB");
  const big = parseS3Request("PUT", target, meta(MAX_USER_METADATA_BYTES + 1));
  assert.ok(!big.ok && big.error.kind === "MetadataTooLarge");
  const huge = parseS3Request(
    "GET",
    target,
    new Headers({ "x-junk": "j".repeat(MAX_HEADER_BYTES) }),
  );
  assert.ok(!huge.ok && huge.error.kind === "HeadersTooLarge");
});

Deno.test("parseS3Request() routes a POST to a bucket (either addressing style) to PostObject", () => {
  const path = route("POST", "http://h/b");
  assert.ok(path.ok);
  assert.equal(path.value.op, "PostObject");
  assert.equal(path.value.bucket, "b");
  const target = requestTarget("http://b.s3.test/");
  const vhost = parseS3Request("POST", target, new Headers({ host: "b.s3.test" }), {
    domain: "s3.test",
  });
  assert.ok(vhost.ok);
  assert.equal(vhost.value.op, "PostObject");
  assert.equal(vhost.value.bucket, "b");
  const del = route("POST", "http://h/b?delete");
  assert.ok(del.ok);
  assert.equal(del.value.op, "DeleteObjects");
});

Deno.test("parseS3Request() tells whether any If-* header was sent, so a read without one skips its conditions", () => {
  const plain = route("GET", "http://h/b/k", {
    range: "bytes=0-1",
    "x-amz-date": "20261208T000000Z",
  });
  assert.ok(plain.ok && plain.value.conditional === false);
  for (const h of ["if-match", "if-none-match", "if-modified-since", "if-unmodified-since"]) {
    const r = route("GET", "http://h/b/k", { [h]: "x" });
    assert.ok(r.ok && r.value.conditional === true, h);
  }
});

Deno.test("parseS3Request() names the first listed subresource whatever the query's order", () => {
  const both = route("GET", "http://h/b/k?tagging&acl");
  assert.ok(!both.ok && both.error.message.includes("'acl'"), "acl is listed before tagging");
  const tagging = route("GET", "http://h/b/k?tagging&x-id=GetObjectTagging");
  assert.ok(tagging.ok && tagging.value.op === "GetObjectTagging");
  const bucket = route("PUT", "http://h/b?website&cors");
  assert.ok(!bucket.ok && bucket.error.message.includes("'cors'"), "cors is listed before website");
});
