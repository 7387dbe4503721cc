import assert from "node:assert/strict";
import { MIN_PART_SIZE, multipartEtag, quoteEtag } from "../../../src/backends/etag.ts";

const MD5_A = "0cc175b9c0f1b6a831c399e269772661";
const MD5_B = "92eb5ffee6ae2fec3ad71c777531578f";

Deno.test("quoteEtag() wraps a digest in double quotes", () => {
  assert.equal(quoteEtag(MD5_A), `"${MD5_A}"`);
});

Deno.test("multipartEtag() is the MD5 of the parts' binary MD5s with the part count", () => {
  assert.equal(multipartEtag([MD5_A, MD5_B]), '"96e024ba2074fe77e8e965ba43a704be-2"');
  assert.equal(multipartEtag([MD5_A]), '"b6ff9a06b7e20bcb2858c5b8ff744aea-1"');
});

Deno.test("multipartEtag() depends on the parts' order", () => {
  assert.notEqual(multipartEtag([MD5_A, MD5_B]), multipartEtag([MD5_B, MD5_A]));
});

Deno.test("MIN_PART_SIZE is 5 MiB", () => {
  assert.equal(MIN_PART_SIZE, 5_242_880);
});
