import assert from "node:assert/strict";
import { ChunkedDecoder } from "../../../src/transport/chunked_decoder.ts";
import { concatBytes } from "../../_support/bytes.ts";
import { TransportError } from "../../../src/transport/transport_error.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (parts: Uint8Array[]) => new TextDecoder().decode(concatBytes(parts));

/** Feeds `wire` in pieces of `step` bytes; the data, and the bytes after the end. */
function decodeAll(wire: string, step: number): { data: string; rest: string; done: boolean } {
  const d = new ChunkedDecoder();
  const bytes = enc(wire);
  const data: Uint8Array[] = [];
  let rest: Uint8Array | undefined;
  for (let at = 0; at < bytes.length && rest === undefined; at += step) {
    const out = d.push(bytes.subarray(at, at + step));
    data.push(...out.data);
    if (out.rest) rest = concatBytes([out.rest, bytes.subarray(at + step)]);
  }
  return { data: dec(data), rest: rest ? dec([rest]) : "", done: d.done };
}

function malformed(wire: string, pattern: RegExp) {
  assert.throws(
    () => new ChunkedDecoder().push(enc(wire)),
    (e) => e instanceof TransportError && e.code === "MalformedResponse" && pattern.test(e.message),
  );
}

const WIRE =
  "5\r\nhello\r\n1A;name=value\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nx-trailer: 1\r\n\r\nNEXT";

Deno.test("ChunkedDecoder decodes sizes in hex, skips extensions and trailers, whatever the cut", () => {
  for (const step of [1, 2, 3, 7, 64, 1000]) {
    assert.deepEqual(decodeAll(WIRE, step), {
      data: "helloabcdefghijklmnopqrstuvwxyz",
      rest: "NEXT",
      done: true,
    }, `step ${step}`);
  }
});

Deno.test("ChunkedDecoder hands chunk data out as views of the input (no copy)", () => {
  const input = enc("3\r\nabc\r\n0\r\n\r\n");
  const out = new ChunkedDecoder().push(input);
  assert.equal(out.data[0]!.buffer, input.buffer);
  assert.deepEqual(out.rest, new Uint8Array(0));
});

Deno.test("ChunkedDecoder is not done before the last chunk and its blank line", () => {
  assert.equal(decodeAll("5\r\nhello\r\n0\r\n", 100).done, false);
  assert.equal(decodeAll("5\r\nhello\r\n0\r\n\r\n", 100).done, true);
  assert.equal(decodeAll("5\r\nhel", 100).data, "hel");
});

Deno.test("ChunkedDecoder takes upper-case hex, leading zeros and white space before ';'", () => {
  assert.equal(decodeAll("00A \t;x\r\n0123456789\r\n0\r\n\r\n", 4).data, "0123456789");
});

Deno.test("ChunkedDecoder refuses a size that is missing, not hex, or over 13 digits", () => {
  malformed("\r\nabc", /without a size/);
  malformed(";ext\r\n", /without a size/);
  malformed("-5\r\n", /without a size/);
  malformed("5x\r\n", /byte 0x78 in a chunk size/);
  malformed("0x5\r\n", /byte 0x78 in a chunk size/);
  malformed("FFFFFFFFFFFFFF\r\n", /over 13 hex digits/);
  malformed("5 6\r\n", /white space not before an extension/);
});

Deno.test("ChunkedDecoder refuses lines not ended by CRLF", () => {
  malformed("5\nhello\r\n", /byte 0xa in a chunk size/);
  malformed("5;x\nhello\r\n", /in a chunk extension/);
  malformed("5\rhello\r\n", /size line not ended by CRLF/);
  malformed("5\r\nhelloX\r\n", /longer than its size/);
  malformed("5\r\nhello\rX", /not ended by CRLF/);
  malformed("0\r\n\rX", /last chunk not ended/);
  malformed("0\r\nx: 1\rX", /trailer line not ended/);
  malformed("0\r\nx: 1\n", /bare LF/);
  malformed("0\r\n x: 1\r\n\r\n", /trailer line/);
});

Deno.test("ChunkedDecoder refuses control characters in an extension", () => {
  malformed("5;a=\x00\r\n", /in a chunk extension/);
  malformed("5;a=\n\r\n", /in a chunk extension/);
});

Deno.test("ChunkedDecoder bounds a size line and the trailer section", () => {
  const long = `5;${"x".repeat(5000)}\r\n`;
  malformed(long, /size line of over 4096 bytes/);
  assert.throws(
    () =>
      new ChunkedDecoder({ maxTrailerBytes: 100 }).push(enc(`0\r\nx: ${"y".repeat(200)}\r\n\r\n`)),
    /trailer section of over 100 bytes/,
  );
});

Deno.test("ChunkedDecoder decodes nothing after the end: later bytes are all rest", () => {
  const d = new ChunkedDecoder();
  assert.equal(dec([d.push(enc("0\r\n\r\nGARBAGE")).rest!]), "GARBAGE");
  const again = d.push(enc("3\r\nabc\r\n"));
  assert.deepEqual(again.data, []);
  assert.equal(dec([again.rest!]), "3\r\nabc\r\n");
});
