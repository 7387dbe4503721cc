/**
 * HTTP field bytes ↔ ByteStrings (one char per byte, as `Headers` holds
 * them). TextDecoder's "latin1" is windows-1252, which maps 0x80–0x9F to
 * chars beyond 0xFF, so it does not do.
 */

const ascii = new TextDecoder();
const encoder = new TextEncoder();

/** Decodes bytes, one char each; `asciiOnly` says no byte is ≥ 0x80 (the fast path). */
export function decodeLatin1(bytes: Uint8Array, asciiOnly: boolean): string {
  if (asciiOnly) return ascii.decode(bytes);
  let s = "";
  for (let at = 0; at < bytes.length; at += 4096) {
    s += String.fromCharCode(...bytes.subarray(at, at + 4096));
  }
  return s;
}

/** Encodes a ByteString; throws TypeError for a char beyond 0xFF. */
export function encodeLatin1(s: string): Uint8Array {
  // deno-lint-ignore no-control-regex -- the test is for non-ASCII chars
  if (!/[^\x00-\x7f]/.test(s)) return encoder.encode(s);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) throw new TypeError(`Cannot send the request head: char U+${c.toString(16)}`);
    out[i] = c;
  }
  return out;
}
