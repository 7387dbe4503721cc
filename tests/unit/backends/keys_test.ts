import assert from "node:assert/strict";
import {
  compareKeys,
  hasDotSegment,
  MAX_KEY_BYTES,
  urlPathProblem,
  validateKey,
} from "../../../src/backends/keys.ts";

Deno.test("validateKey() accepts keys up to 1024 UTF-8 bytes", () => {
  assert.equal(MAX_KEY_BYTES, 1024);
  assert.equal(validateKey("a".repeat(1024)), undefined);
  assert.equal(validateKey("é".repeat(512)), undefined);
  assert.equal(validateKey("a/b c/😀"), undefined);
});

Deno.test("validateKey() counts UTF-8 bytes, not characters, against the limit", () => {
  assert.equal(validateKey("a".repeat(1025))?.kind, "KeyTooLong");
  const e = validateKey("é".repeat(513));
  assert.equal(e?.kind, "KeyTooLong");
  assert.equal(e?.message, "Your key is too long");
});

Deno.test("validateKey() refuses an empty key and a NUL", () => {
  assert.equal(validateKey("")?.kind, "InvalidRequest");
  assert.equal(validateKey("a\0b")?.kind, "InvalidArgument");
});

Deno.test("compareKeys() orders by UTF-8 bytes: astral characters after every BMP one", () => {
  // In UTF-16 "\u{1F600}" (a surrogate pair, 0xD83D…) sorts before "\uFFFF"; in UTF-8 after.
  assert.ok(compareKeys("\u{1F600}", "\uFFFF") > 0);
  assert.ok(compareKeys("\uFFFF", "\u{1F600}") < 0);
  assert.deepEqual(
    ["b", "\u{1F600}", "a/", "\uE000", "a", "ab"].sort(compareKeys),
    ["a", "a/", "ab", "b", "\uE000", "\u{1F600}"],
  );
});

Deno.test("compareKeys() is zero for equal keys and puts a prefix first", () => {
  assert.equal(compareKeys("abc", "abc"), 0);
  assert.ok(compareKeys("ab", "abc") < 0);
  assert.ok(compareKeys("a", "B") > 0);
});

Deno.test("urlPathProblem() refuses . and .. segments, encoded or not", () => {
  for (const path of ["a/../b", "../a", "a/.", "./a", "a/%2E%2E/b", "a/%2e/b", "/x/.%2E/y"]) {
    const e = urlPathProblem(path, "s3");
    assert.equal(e?.kind, "InvalidArgument", path);
    assert.equal(
      e?.message,
      "Object keys with '.' or '..' segments cannot be stored on the s3 backend",
    );
  }
});

Deno.test("urlPathProblem() allows dots inside segments", () => {
  for (const path of ["a..b", "a/.b", "a/b.", "...", "a/...", "", "/bucket/key.txt"]) {
    assert.equal(urlPathProblem(path, "az"), undefined, path);
  }
});

Deno.test("hasDotSegment() agrees with decoding %2E and splitting, on random paths", () => {
  const reference = (path: string) =>
    path.replace(/%2e/gi, ".").split("/").some((s) => s === "." || s === "..");
  const pieces = [".", "..", "%2e", "%2E", "%2", "%", "e", "E", "/", "a", "%2f", "%2e%2e"];
  for (const path of ["%2E%2e", "%2e.", ".%2E", "%2e%2e%2e", "%2e%2", "/%2e/", "a/%2"]) {
    assert.equal(hasDotSegment(path), reference(path), path);
  }
  for (let i = 0; i < 20_000; i++) {
    let path = "";
    for (let n = Math.floor(Math.random() * 7); n > 0; n--) {
      path += pieces[Math.floor(Math.random() * pieces.length)];
    }
    assert.equal(hasDotSegment(path), reference(path), path);
  }
});
