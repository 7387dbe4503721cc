import assert from "node:assert/strict";
import { expectsContinue, serializeRequestHead } from "../../../src/transport/request_head.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const base = { method: "GET", target: "/b/k?x=1", host: "127.0.0.1:9000" };

Deno.test("serializeRequestHead() writes the request line, host, fields, identity encoding", () => {
  assert.equal(
    text(serializeRequestHead({ ...base, headers: { "X-Amz-Date": "20250101T000000Z" } })),
    "GET /b/k?x=1 HTTP/1.1\r\nhost: 127.0.0.1:9000\r\nx-amz-date: 20250101T000000Z\r\n" +
      "accept-encoding: identity\r\n\r\n",
  );
});

Deno.test("serializeRequestHead() frames a body by its length, never chunked", () => {
  const head = text(serializeRequestHead({ ...base, method: "PUT", contentLength: 1 << 30 }));
  assert.match(head, /\r\ncontent-length: 1073741824\r\n\r\n$/);
  assert.doesNotMatch(head, /transfer-encoding/i);
});

Deno.test("serializeRequestHead() sends content-length: 0 for a PUT or POST without a body only", () => {
  assert.match(text(serializeRequestHead({ ...base, method: "PUT" })), /content-length: 0\r\n/);
  assert.match(text(serializeRequestHead({ ...base, method: "POST" })), /content-length: 0\r\n/);
  assert.doesNotMatch(text(serializeRequestHead(base)), /content-length/);
  assert.doesNotMatch(text(serializeRequestHead({ ...base, method: "DELETE" })), /content-length/);
});

Deno.test("serializeRequestHead() takes the caller's Host (a signed one) and replaces Accept-Encoding", () => {
  const head = text(
    serializeRequestHead({
      ...base,
      headers: [["Host", "bucket.s3.example"], ["Accept-Encoding", "gzip"]],
    }),
  );
  assert.match(head, /^GET \/b\/k\?x=1 HTTP\/1\.1\r\nhost: bucket\.s3\.example\r\n/);
  assert.equal(head.match(/accept-encoding/g)?.length, 1);
  assert.match(head, /accept-encoding: identity/);
});

Deno.test("serializeRequestHead() takes a Headers object and a matching Content-Length", () => {
  const h = new Headers({ "content-length": "3", "x-a": "b" });
  assert.match(
    text(serializeRequestHead({ ...base, method: "PUT", headers: h, contentLength: 3 })),
    /x-a: b\r\naccept-encoding: identity\r\ncontent-length: 3\r\n\r\n$/,
  );
});

Deno.test("serializeRequestHead() refuses CR, LF and NUL anywhere a caller put them", () => {
  assert.throws(
    () => serializeRequestHead({ ...base, headers: { "x-a": "1\r\nx-b: 2" } }),
    TypeError,
  );
  assert.throws(() => serializeRequestHead({ ...base, headers: { "x-a": "1\u0000" } }), TypeError);
  assert.throws(() => serializeRequestHead({ ...base, headers: { "x-a\r\nx": "1" } }), TypeError);
  assert.throws(() => serializeRequestHead({ ...base, target: "/a HTTP/1.1\r\nx: y" }), TypeError);
  assert.throws(() => serializeRequestHead({ ...base, target: "/a b" }), TypeError);
  assert.throws(() => serializeRequestHead({ ...base, target: "http://x/" }), TypeError);
  assert.throws(() => serializeRequestHead({ ...base, method: "GET /" }), TypeError);
  assert.throws(() => serializeRequestHead({ ...base, host: "a\r\nb" }), TypeError);
  assert.throws(() => serializeRequestHead({ ...base, headers: { host: "" } }), TypeError);
});

Deno.test("serializeRequestHead() refuses the fields the transport owns and a wrong length", () => {
  for (
    const name of ["Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "TE", "Trailer"]
  ) {
    assert.throws(
      () => serializeRequestHead({ ...base, headers: { [name]: "x" } }),
      /owns it/,
      name,
    );
  }
  assert.throws(
    () =>
      serializeRequestHead({
        ...base,
        method: "PUT",
        headers: { "content-length": "4" },
        contentLength: 3,
      }),
    /the body is 3 bytes/,
  );
  assert.throws(() => serializeRequestHead({ ...base, contentLength: -1 }), RangeError);
  assert.throws(() => serializeRequestHead({ ...base, contentLength: 1.5 }), RangeError);
});

Deno.test("serializeRequestHead() sends latin1 values byte for byte, refuses chars beyond 0xFF", () => {
  const head = serializeRequestHead({ ...base, headers: { "x-amz-meta-a": "\u00e9" } });
  assert.ok(head.includes(0xe9));
  assert.throws(
    () => serializeRequestHead({ ...base, headers: { "x-amz-meta-a": "\u20ac" } }),
    TypeError,
  );
});

Deno.test("expectsContinue() finds Expect: 100-continue in any case", () => {
  assert.equal(expectsContinue({ Expect: "100-Continue" }), true);
  assert.equal(expectsContinue(new Headers({ expect: "100-continue" })), true);
  assert.equal(expectsContinue({ "x-expect": "100-continue" }), false);
  assert.equal(expectsContinue(undefined), false);
});
