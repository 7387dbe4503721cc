import assert from "node:assert/strict";
import {
  metaFromHeaders,
  objectHeaders,
  parseRangeHeader,
  setLengthHeaders,
  stripAwsChunked,
} from "../../../src/s3/headers.ts";
import { parseXml, xmlEscape, xmlText } from "../../../src/xml.ts";
import { decodeToken, encodeToken } from "../../../src/s3/ops/list_objects.ts";
import { parseDeleteBody } from "../../../src/s3/ops/delete.ts";
import { parseCompleteBody } from "../../../src/s3/ops/multipart.ts";
import { toResponse, toStsResponse } from "../../../src/errors.ts";

Deno.test("parseRangeHeader() reads single byte ranges and ignores the rest", () => {
  assert.deepEqual(parseRangeHeader("bytes=0-9"), { kind: "from", start: 0, end: 9 });
  assert.deepEqual(parseRangeHeader("bytes=5-"), { kind: "from", start: 5 });
  assert.deepEqual(parseRangeHeader("bytes=-3"), { kind: "suffix", length: 3 });
  for (const v of ["bytes=5-1", "bytes=0-1,3-4", "items=0-1", "bytes=-", "garbage", ""]) {
    assert.equal(parseRangeHeader(v), undefined, v);
  }
});

Deno.test("metaFromHeaders() keeps object metadata and drops aws-chunked", () => {
  const m = metaFromHeaders(
    new Headers({
      "content-type": "text/plain",
      "content-encoding": "aws-chunked,gzip",
      "x-amz-meta-Color": "blue",
      "x-amz-date": "ignored",
    }),
  );
  assert.equal(m.contentType, "text/plain");
  assert.equal(m.contentEncoding, "gzip");
  assert.deepEqual({ ...m.userMetadata }, { color: "blue" });
  assert.equal(stripAwsChunked("aws-chunked"), undefined);
});

Deno.test("objectHeaders() and setLengthHeaders() give a Response the object's headers in order", () => {
  const h = objectHeaders({
    key: "k",
    size: 10,
    etag: '"e"',
    lastModified: new Date(Date.UTC(2026, 10, 24, 12)),
    cacheControl: "no-cache",
    userMetadata: { Color: "red", b: " two " },
    backendHeaders: { "x-amz-storage-class": "GLACIER" },
  });
  setLengthHeaders(h, 10, { start: 2, end: 5 });
  // Names lower-case (as Headers would make them), values trimmed by the Response.
  assert.deepEqual(Object.keys(h), [
    "content-type",
    "etag",
    "last-modified",
    "accept-ranges",
    "cache-control",
    "x-amz-meta-color",
    "x-amz-meta-b",
    "x-amz-storage-class",
    "content-range",
    "content-length",
  ]);
  const res = new Response(null, { headers: h });
  assert.equal(res.headers.get("content-type"), "binary/octet-stream");
  assert.equal(res.headers.get("last-modified"), "Tue, 24 Nov 2026 12:00:00 GMT");
  const later = { key: "k", size: 0, etag: '"e"', userMetadata: {} };
  for (
    const [at, text] of [[1, "Tue, 24 Nov 2026 12:00:01 GMT"], [
      0,
      "Tue, 24 Nov 2026 12:00:00 GMT",
    ]] as const
  ) {
    const lastModified = new Date(Date.UTC(2026, 10, 24, 12, 0, at));
    assert.equal(
      objectHeaders({ ...later, lastModified })["last-modified"],
      text,
      "each instant its own",
    );
  }
  assert.equal(res.headers.get("x-amz-meta-b"), "two");
  assert.equal(res.headers.get("content-range"), "bytes 2-5/10");
  assert.equal(res.headers.get("content-length"), "4");
  const empty = objectHeaders({
    key: "k",
    size: 0,
    etag: '""',
    lastModified: new Date(0),
    userMetadata: {},
  });
  setLengthHeaders(empty, 0, { start: 0, end: -1 });
  assert.equal(empty["content-length"], "0");
  assert.equal(empty["content-range"], undefined);
});

Deno.test("xmlEscape() escapes markup and control characters", () => {
  assert.equal(xmlEscape(`a<b>&"'\u0001`), "a&lt;b&gt;&amp;&quot;&apos;&#x1;");
});

Deno.test("xmlText() decodes predefined and numeric references, refuses unknown entities", () => {
  assert.equal(xmlText("a &amp; b&#x41;&#66;&lt;"), "a & bAB<");
  assert.equal(xmlText("&custom;"), undefined);
  assert.equal(xmlText("bare & amp"), undefined);
});

Deno.test("parseXml() refuses DOCTYPE and entity declarations", () => {
  assert.equal(parseXml(`<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>`), undefined);
  assert.equal(parseXml("<a><b></a>"), undefined);
});

Deno.test("continuation tokens round-trip any key and reject foreign ones", () => {
  for (const k of ["", "a", "é/😀 x", "a+b/c=d"]) assert.equal(decodeToken(encodeToken(k)), k);
  assert.equal(decodeToken("!!"), undefined);
});

Deno.test("parseDeleteBody() reads keys, quiet and refuses bad documents", () => {
  const ok = parseDeleteBody(
    "<Delete><Quiet>true</Quiet><Object><Key> 007 </Key></Object><Object><Key>a&amp;b</Key><ETag>&quot;e&quot;</ETag></Object></Delete>",
  );
  assert.ok(ok.ok);
  assert.deepEqual(ok.value, { keys: [" 007 ", "a&b"], etags: [undefined, '"e"'], quiet: true });
  assert.equal(parseDeleteBody("<Delete><Object><Key></Key></Object></Delete>").ok, false);
  assert.equal(parseDeleteBody("<Other/>").ok, false);
});

Deno.test("parseCompleteBody() reads parts in order and refuses bad numbers", () => {
  const ok = parseCompleteBody(
    `<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><ETag>"a"</ETag><PartNumber>1</PartNumber></Part><Part><PartNumber>2</PartNumber><ETag>&quot;b&quot;</ETag></Part></CompleteMultipartUpload>`,
  );
  assert.ok(ok.ok);
  assert.deepEqual(ok.value, [{ partNumber: 1, etag: '"a"' }, { partNumber: 2, etag: '"b"' }]);
  const bad = parseCompleteBody(
    "<CompleteMultipartUpload><Part><PartNumber>0</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>",
  );
  assert.equal(bad.ok, false);
});

Deno.test("toResponse() hides 5xx detail and gives 304/HEAD no body", async () => {
  const five = toResponse({ kind: "Internal", message: "secret path /etc/x" }, "RID");
  assert.equal(five.status, 500);
  const text = await five.text();
  assert.doesNotMatch(text, /secret/);
  assert.match(text, /<Code>InternalError<\/Code>/);
  assert.equal(five.headers.get("x-amz-request-id"), "RID");
  assert.equal(toResponse({ kind: "NotModified", message: "" }, "R").body, null);
  assert.equal(toResponse({ kind: "NoSuchKey", message: "" }, "R", { head: true }).body, null);
  const backend = toResponse({ kind: "BackendError", message: "x" }, "R");
  assert.equal(backend.status, 503);
  assert.match(await backend.text(), /ServiceUnavailable/);
});

Deno.test("toStsResponse() renders the STS error shape", async () => {
  const r = toStsResponse({ kind: "RoleNotFound", message: "no role" }, "RID");
  assert.equal(r.status, 400);
  const text = await r.text();
  assert.match(
    text,
    /<ErrorResponse[^>]*><Error><Type>Sender<\/Type><Code>MalformedPolicyDocument<\/Code>/,
  );
  assert.match(text, /<RequestId>RID<\/RequestId>/);
});
