import assert from "node:assert/strict";
import { findHeadEnd, parseResponseHead } from "../../../src/transport/response_head.ts";
import { TransportError } from "../../../src/transport/transport_error.ts";

const enc = (s: string) => new TextEncoder().encode(s);

function malformed(text: string | Uint8Array, pattern: RegExp) {
  assert.throws(
    () => parseResponseHead(typeof text === "string" ? enc(text) : text),
    (e) => e instanceof TransportError && e.code === "MalformedResponse" && pattern.test(e.message),
  );
}

Deno.test("parseResponseHead() reads the status, reason and fields in order, names lower-cased", () => {
  const head = parseResponseHead(
    enc('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nETag:  "abc" \r\nX-A: 1\r\nx-a: 2\r\n\r\n'),
  );
  assert.deepEqual(head, {
    version: "1.1",
    status: 200,
    reason: "OK",
    fields: [["content-length", "5"], ["etag", '"abc"'], ["x-a", "1"], ["x-a", "2"]],
  });
});

Deno.test("parseResponseHead() takes HTTP/1.0, an empty reason and a missing reason", () => {
  assert.equal(parseResponseHead(enc("HTTP/1.0 404 \r\n\r\n")).version, "1.0");
  assert.equal(parseResponseHead(enc("HTTP/1.1 204\r\n\r\n")).reason, "");
  assert.equal(parseResponseHead(enc("HTTP/1.1 100 Continue\r\n\r\n")).status, 100);
});

Deno.test("parseResponseHead() keeps bytes ≥ 0x80 one char each (latin1, not windows-1252)", () => {
  const bytes = new Uint8Array([
    ...enc("HTTP/1.1 200 OK\r\nx-amz-meta-a: "),
    0x80,
    0xe9,
    ...enc("\r\n\r\n"),
  ]);
  const head = parseResponseHead(bytes, true);
  assert.equal(head.fields[0]![1], "\u0080\u00e9");
  assert.doesNotThrow(() => new Headers(head.fields as [string, string][]));
});

Deno.test("parseResponseHead() refuses a status line that is not HTTP/1.x NNN", () => {
  malformed("HTTP/2 200 OK\r\n\r\n", /status line/);
  malformed("HTTP/1.1 20 OK\r\n\r\n", /status line/);
  malformed("HTTP/1.1 099 Hm\r\n\r\n", /status line/);
  malformed("ICY 200 OK\r\n\r\n", /status line/);
  malformed("HTTP/1.1 200 O\x01K\r\n\r\n", /status line/);
});

Deno.test("parseResponseHead() refuses obs-fold, a space before the colon and a bad name", () => {
  malformed("HTTP/1.1 200 OK\r\nX-A: 1\r\n  folded\r\n\r\n", /obs-fold/);
  malformed("HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\n", /field line/);
  malformed("HTTP/1.1 200 OK\r\n: 5\r\n\r\n", /field line/);
  malformed("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", /field line/);
  malformed("HTTP/1.1 200 OK\r\nX(A): 5\r\n\r\n", /field line/);
});

Deno.test("parseResponseHead() refuses bare CR, bare LF and control characters in a value", () => {
  malformed("HTTP/1.1 200 OK\r\nX-A: a\rb\r\n\r\n", /control character/);
  malformed("HTTP/1.1 200 OK\r\nX-A: a\nb\r\n\r\n", /control character/);
  malformed("HTTP/1.1 200 OK\r\nX-A: a\x00b\r\n\r\n", /control character/);
  malformed("HTTP/1.1 200 OK\r\nX-A: a\x7fb\r\n\r\n", /control character/);
  assert.equal(
    parseResponseHead(enc("HTTP/1.1 200 OK\r\nX-A: a\tb\r\n\r\n")).fields[0]![1],
    "a\tb",
  );
});

Deno.test("parseResponseHead() refuses a head without its blank line", () => {
  malformed("HTTP/1.1 200 OK\r\nX-A: 1\r\n", /blank line/);
});

Deno.test("findHeadEnd() finds the blank line across reads, looking back 3 bytes", () => {
  const text = enc("HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody");
  const cut = text.indexOf(0x0a, 20); // within the final CRLFCRLF
  assert.equal(findHeadEnd(text, 0, cut).end, -1);
  const found = findHeadEnd(text, cut, text.length);
  assert.equal(found.end, text.length - 4);
  assert.equal(found.highBytes, false);
  assert.equal(findHeadEnd(enc("HTTP/1.1 200 OK\n\n"), 0, 17).end, -1, "bare LFs end nothing");
});

Deno.test("findHeadEnd() says when a byte ≥ 0x80 was seen", () => {
  const bytes = new Uint8Array([...enc("HTTP/1.1 200 OK\r\nA: "), 0xff, ...enc("\r\n\r\n")]);
  assert.equal(findHeadEnd(bytes, 0, bytes.length).highBytes, true);
});
