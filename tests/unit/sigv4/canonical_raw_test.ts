/**
 * The one-pass canonical query (`canonicalQueryRaw`, issue 30) against the
 * decode-then-encode one it replaces on the request path, kept here as the
 * reference: `decodeQuery` (the router's strict decoding), then each name and
 * value RFC 3986-encoded and sorted (`canonicalQueryOf`). On every query,
 * fixed and random, the two must agree to the byte, and the one-pass one must
 * refuse (undefined) exactly the queries `decodeQuery` refuses.
 */
import assert from "node:assert/strict";
import { canonicalQueryOf, canonicalQueryRaw } from "../../../src/sigv4/canonical.ts";
import { decodeQuery } from "../../../src/http/target.ts";
import { Rng } from "../../security/_fuzz.ts";

/** The decode-then-encode canonical query; undefined where the query does not decode. */
function reference(raw: string, exclude?: string): string | undefined {
  const params = decodeQuery(raw);
  return params.ok ? canonicalQueryOf(params.value, exclude) : undefined;
}

function agree(raw: string, exclude?: string): void {
  assert.equal(canonicalQueryRaw(raw, exclude), reference(raw, exclude), JSON.stringify(raw));
}

const FIXED = [
  "",
  "&",
  "&&a=1&&",
  "=",
  "=v",
  "a",
  "a=",
  "a==",
  "a=1=2",
  "uploads",
  "Param2=value2&Param1=value1",
  "a=10&a=9&a=9&a=",
  "b&a=1&a",
  "x=a.b&x=a%2Fb&x=a%2fb&x=a/b",
  "q=a+b&q=a%20b&q=a b&q=a%2Bb&q=a%2bb",
  "k=%41%7e%7E%2D%5F%2E%30&%41=1&A=0",
  "k=!'()*&k=%21%27%28%29%2A&k=:/?@[]$,;",
  "k=%00%01%1F%7F&k=\u0000",
  "k=%25&k=%2525&k=%",
  "k=%G1",
  "k=%2",
  "k=%2g",
  "k=%C3%A9&k=é&k=%c3%a9&k=%E2%82%AC&k=%F0%9F%98%80&k=😀",
  "k=%C3",
  "k=%FF",
  "k=%C0%AF",
  "k=%ED%A0%80",
  "k=\uD800",
  "k=\uDC00x",
  "%EF%BB%BFk=%EF%BB%BF",
  "X-Amz-Signature=abc&b=1",
  "X%2DAmz-Signature=abc&b=1",
  "X-Amz-Signature&X-Amz-Signature=d&x-amz-signature=e",
  "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20250101%2Fus-east-1%2Fs3%2Faws4_request" +
  "&X-Amz-Date=20250101T000000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host%3Bx-amz-checksum-mode" +
  "&X-Amz-Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef&x-id=GetObject",
  "response-content-disposition=attachment%3B%20filename%3D%22r%C3%A9sum%C3%A9.pdf%22",
  "prefix=a%2Fb%2F&delimiter=%2F&list-type=2&continuation-token=1%2B2%3D%3D",
];

Deno.test("canonicalQueryRaw() equals decode-then-encode on fixed and hostile queries", () => {
  for (const raw of FIXED) {
    agree(raw);
    agree(raw, "X-Amz-Signature");
  }
});

/** Pieces a hostile query is built from: every kind of byte, escape and separator. */
const PIECES = [
  "a",
  "Z",
  "0",
  "-",
  ".",
  "_",
  "~",
  "+",
  "=",
  "&",
  "%",
  "%2",
  "%20",
  "%2B",
  "%2b",
  "%2F",
  "%2f",
  "%3D",
  "%26",
  "%25",
  "%41",
  "%7e",
  "%7E",
  "%00",
  "%7F",
  "%80",
  "%C3%A9",
  "%c3%a9",
  "%C3",
  "%A9",
  "%E2%82%AC",
  "%F0%9F%98%80",
  "%ED%A0%80",
  "%C0%AF",
  "%FF",
  "%GG",
  "!",
  "*",
  "'",
  "(",
  "/",
  ":",
  "@",
  " ",
  "\t",
  "é",
  "😀",
  "\uD800",
  "\uFEFF",
  "X-Amz-Signature",
  "X-Amz-Signature=",
  "x-amz-signature=",
];

Deno.test("canonicalQueryRaw() equals decode-then-encode on random queries (seeded)", () => {
  const rng = new Rng(Number(Deno.env.get("FUZZ_SEED") ?? 0x30a7));
  for (let i = 0; i < 20_000; i++) {
    let raw = "";
    const n = rng.int(12);
    for (let j = 0; j < n; j++) raw += rng.pick(PIECES);
    agree(raw, rng.chance(0.5) ? "X-Amz-Signature" : undefined);
  }
});

Deno.test("canonicalQueryRaw() equals decode-then-encode on random printable ASCII (seeded)", () => {
  const rng = new Rng(0x30a8);
  for (let i = 0; i < 20_000; i++) {
    let raw = "";
    const n = rng.int(16);
    for (let j = 0; j < n; j++) raw += String.fromCharCode(rng.range(0x20, 0x7e));
    agree(raw, "X-Amz-Signature");
  }
});
