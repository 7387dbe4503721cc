/**
 * The JavaScript SHA-256 and HMAC-SHA256 of the signature check: FIPS 180-4's
 * and RFC 4231's published vectors, and agreement with node:crypto on random
 * texts of every length around the block and padding boundaries.
 */
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { hmacHexOf, hmacKey, hmacMatchesHex, sha256HexOf } from "../../../src/sigv4/sha256.ts";
import {
  hmacHex,
  hmacHexMatches,
  sha256Hex,
  sha256HexOfByteString,
} from "../../../src/sigv4/signing_key.ts";

const hexBytes = (hex: string) => Uint8Array.from(hex.match(/../g)!, (b) => parseInt(b, 16));

Deno.test("sha256HexOf matches the FIPS 180-4 example messages", () => {
  assert.equal(
    sha256HexOf(""),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
  assert.equal(
    sha256HexOf("abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  // 56 bytes: the length no longer fits the first padded block.
  assert.equal(
    sha256HexOf("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  );
  assert.equal(
    sha256HexOf("a".repeat(1_000_000)),
    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
  );
});

Deno.test("hmacHexOf matches RFC 4231 test cases 1 and 2, and a 64-byte key", () => {
  assert.equal(
    hmacHexOf(hmacKey(new Uint8Array(20).fill(0x0b)), "Hi There"),
    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
  );
  assert.equal(
    hmacHexOf(hmacKey(new TextEncoder().encode("Jefe")), "what do ya want for nothing?"),
    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
  );
  // A 64-byte key is used as is; a longer one is refused (the caller hashes it first).
  const key64 = hexBytes("0b".repeat(64));
  assert.equal(
    hmacHexOf(hmacKey(key64), "x"),
    createHmac("sha256", key64).update("x").digest("hex"),
  );
  assert.throws(() => hmacKey(new Uint8Array(65)), RangeError);
});

Deno.test("sha256HexOf and hmacHexOf agree with node:crypto on random UTF-8 texts", () => {
  const chars = ["a", "/", "\n", "é", "€", "😀", "\u0000", "~"];
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  for (let length = 0; length < 400; length++) {
    let text = "";
    while (text.length < length) text += chars[next() % chars.length];
    const key = Uint8Array.from({ length: 32 }, () => next() & 0xff);
    assert.equal(sha256HexOf(text), createHash("sha256").update(text, "utf8").digest("hex"));
    assert.equal(
      hmacHexOf(hmacKey(key), text),
      createHmac("sha256", key).update(text, "utf8").digest("hex"),
    );
  }
  // A long text after short ones: the scratch buffer grows and is used at once.
  const long = "€".repeat(5000);
  assert.equal(sha256HexOf(long), createHash("sha256").update(long, "utf8").digest("hex"));
});

Deno.test("signing_key's sha256Hex and hmacHex give the same answers on both of their paths", () => {
  const long = "x".repeat(10_000); // node:crypto
  const bytes = new TextEncoder().encode("bytes go to node:crypto");
  assert.equal(sha256Hex(long), createHash("sha256").update(long).digest("hex"));
  assert.equal(sha256Hex(bytes), createHash("sha256").update(bytes).digest("hex"));
  const key = new Uint8Array(32).fill(7);
  assert.equal(
    hmacHex(key, "AWS4-HMAC-SHA256"),
    createHmac("sha256", key).update("AWS4-HMAC-SHA256").digest("hex"),
  );
  const longKey = new Uint8Array(100).fill(9);
  assert.equal(hmacHex(longKey, "m"), createHmac("sha256", longKey).update("m").digest("hex"));
});

Deno.test("sha256HexOfByteString() hashes a byte string's bytes, not their UTF-8", () => {
  const utf8 = new Uint8Array([0x48, 0xc3, 0xa9]); // "Hé" as sent
  assert.equal(sha256HexOfByteString("H\u00c3\u00a9"), sha256Hex(utf8));
  assert.equal(sha256HexOfByteString("ascii only"), sha256Hex("ascii only"));
  assert.equal(sha256HexOfByteString("\u20ac"), sha256Hex(new TextEncoder().encode("\u20ac")));
});

Deno.test("hmacHexOf under one key: messages sharing their first block, or not, each hashed whole", () => {
  // The key keeps the inner state after the last first block: alternate
  // messages that share it with messages that do not, across lengths.
  const key = Uint8Array.from({ length: 32 }, (_, i) => i * 13);
  const pads = hmacKey(key);
  const head = "AWS4-HMAC-SHA256\n20261208T005404Z\n20261208/us-east-1/s3/aws4_req"; // 64 bytes
  assert.equal(head.length, 64);
  const texts = [head, head + "uest\nabc", "x" + head, head + "uest\ndef", "short", head];
  for (let length = 0; length < 140; length++) {
    texts.push(head.slice(0, length) + "y".repeat(length));
  }
  for (let round = 0; round < 2; round++) {
    for (const text of texts) {
      assert.equal(hmacHexOf(pads, text), createHmac("sha256", key).update(text).digest("hex"));
    }
  }
});

Deno.test("hmacMatchesHex is true for the HMAC's lower-case hex only", () => {
  const key = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
  const pads = hmacKey(key);
  for (const text of ["", "abc", "AWS4-HMAC-SHA256\n".repeat(9)]) {
    const want = createHmac("sha256", key).update(text).digest("hex");
    assert.equal(hmacMatchesHex(pads, text, want), true);
    assert.equal(hmacHexMatches(key, text, want), true);
    // Every digit changed in turn, and each other way of not being that hex.
    for (let i = 0; i < 64; i++) {
      const other = want.slice(0, i) + (want[i] === "0" ? "1" : "0") + want.slice(i + 1);
      assert.equal(hmacMatchesHex(pads, text, other), false, `digit ${i}`);
    }
    // A char that is no digit reads as 15: in place of an "f" it must still fail.
    const f = want.indexOf("f");
    assert.ok(f >= 0);
    for (const c of ["g", "F", "\u0166", "\u0066\u0300"]) {
      assert.equal(hmacMatchesHex(pads, text, want.slice(0, f) + c + want.slice(f + 1)), false);
    }
    for (
      const bad of [
        want.toUpperCase(),
        want.slice(0, 63),
        want + "0",
        "",
        want.slice(0, 63) + "g",
        want.slice(0, 63) + String.fromCharCode(want.charCodeAt(63) + 0x100),
      ]
    ) {
      if (bad !== want) assert.equal(hmacMatchesHex(pads, text, bad), false, bad);
    }
  }
  const longKey = new Uint8Array(100).fill(9); // node:crypto's path
  const want = createHmac("sha256", longKey).update("m").digest("hex");
  assert.equal(hmacHexMatches(longKey, "m", want), true);
  assert.equal(hmacHexMatches(longKey, "m", want.replace(/.$/, "x")), false);
});
