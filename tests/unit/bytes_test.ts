import assert from "node:assert/strict";
import {
  byteStringEncoding,
  concatBytes,
  constantTimeEqual,
  isAscii,
  utf8ByteString,
} from "../../src/bytes.ts";

Deno.test("concatBytes() joins parts in order", () => {
  const out = concatBytes([new Uint8Array([1, 2]), new Uint8Array([]), new Uint8Array([3])]);
  assert.deepEqual([...out], [1, 2, 3]);
});

Deno.test("concatBytes() of one part is that part itself, of none an empty array", () => {
  const only = new Uint8Array([9]);
  assert.equal(concatBytes([only]), only);
  assert.equal(concatBytes([]).byteLength, 0);
});

Deno.test("concatBytes() respects views into larger buffers", () => {
  const big = new Uint8Array([0, 1, 2, 3, 4, 5]);
  const out = concatBytes([big.subarray(1, 3), big.subarray(4)]);
  assert.deepEqual([...out], [1, 2, 4, 5]);
});

Deno.test("constantTimeEqual() is true only for equal strings", () => {
  assert.equal(constantTimeEqual("secret", "secret"), true);
  assert.equal(constantTimeEqual("", ""), true);
  assert.equal(constantTimeEqual("secret", "secreT"), false);
  assert.equal(constantTimeEqual("secret", "Secret"), false);
});

Deno.test("constantTimeEqual() is false for a prefix or an extension", () => {
  assert.equal(constantTimeEqual("abc", "abcd"), false);
  assert.equal(constantTimeEqual("abcd", "abc"), false);
  assert.equal(constantTimeEqual("", "a"), false);
  // Lengths that differ only in a high bit (1 vs 257) still differ.
  assert.equal(constantTimeEqual("a", "a".repeat(257)), false);
  // Past the shorter string charCodeAt is NaN (0 once |0): a trailing NUL differs only in length.
  assert.equal(constantTimeEqual("a", "a\0"), false);
});

Deno.test("byteStringEncoding() reads one-byte chars as bytes and anything wider as UTF-8", () => {
  assert.equal(byteStringEncoding("plain"), "latin1");
  assert.equal(byteStringEncoding("Hello World\u00c3\u00a9"), "latin1");
  assert.equal(byteStringEncoding("Hello \u20ac"), "utf8");
  assert.ok(isAscii("abc\x7f"));
  assert.ok(!isAscii("\x80"));
});

Deno.test("isAscii() at every length around its short-text buffer, one char anywhere", () => {
  for (const length of [0, 1, 2047, 2048, 4095, 4096, 4097, 9000]) {
    const ascii = "a".repeat(length);
    assert.equal(isAscii(ascii), true, `${length}`);
    for (const wide of ["\xe9", "\u20ac", "\u{1f600}", "\ud800", "\xff", "\x80"]) {
      for (const at of [0, length >> 1, length]) {
        const text = ascii.slice(0, at) + wide + ascii.slice(at);
        assert.equal(isAscii(text), false, `${length} ${at} ${JSON.stringify(wide)}`);
        // Chars replaced, not added: the text's length stays at the boundary.
        if (length > 0 && at < length) {
          const same = ascii.slice(0, at) + wide + ascii.slice(at + wide.length);
          assert.equal(isAscii(same), false, `${length} ${at} ${JSON.stringify(wide)} in place`);
        }
      }
    }
  }
});

Deno.test("utf8ByteString() spells text as its UTF-8 bytes, one char per byte", () => {
  assert.equal(utf8ByteString("abc"), "abc");
  assert.equal(utf8ByteString("é"), "\u00c3\u00a9");
  assert.equal(utf8ByteString("€"), "\u00e2\u0082\u00ac");
});

Deno.test("constantTimeEqual() compares whole strings", () => {
  assert.equal(constantTimeEqual("abc", "abc"), true);
  assert.equal(constantTimeEqual("abc", "abd"), false);
  assert.equal(constantTimeEqual("abc", "ab"), false);
});
