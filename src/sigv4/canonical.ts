/**
 * The deterministic parts of SigV4 (named as in the spec and aws4fetch):
 * URI encoding, canonical URI, canonical query, canonical headers, canonical
 * request, string to sign. Used to verify client signatures and to sign
 * backend requests.
 */
import { decodeQuery, decodeQueryComponent, type QueryParam } from "../http/target.ts";
import { hmacHex, sha256HexOfByteString } from "./signing_key.ts";

const EXTRA = /[!'()*]/g;
const UNRESERVED = /^[A-Za-z0-9._~-]*$/;

/** RFC 3986 percent-encoding of everything but unreserved characters (and `/` when kept). */
export function uriEncode(text: string, keepSlash = false): string {
  if (UNRESERVED.test(text)) return text;
  let out: string;
  try {
    out = encodeURIComponent(text);
  } catch {
    out = encodeURIComponent(text.toWellFormed());
  }
  out = out.replace(EXTRA, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
  return keepSlash ? out.replace(/%2F/g, "/") : out;
}

function safeDecode(s: string): string {
  if (!s.includes("%")) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * S3's canonical URI for a raw path: each segment decoded once and encoded
 * again with the RFC 3986 rules (S3 neither normalizes `.`/`..` nor double-encodes).
 */
export function canonicalUri(rawPath: string): string {
  if (rawPath === "") return "/";
  return rawPath.split("/").map((seg) => uriEncode(safeDecode(seg))).join("/");
}

/**
 * Canonical query string of decoded parameters (`decodeQuery`, the one
 * decoding the router reads too): each name and value RFC 3986-encoded,
 * sorted by name then value; `exclude` drops a parameter by name
 * (X-Amz-Signature).
 */
export function canonicalQueryOf(params: Iterable<QueryParam>, exclude?: string): string {
  const pairs: [string, string][] = [];
  for (const [name, value] of params) {
    if (exclude !== undefined && name === exclude) continue;
    pairs.push([uriEncode(name), uriEncode(value)]);
  }
  pairs.sort(byNameThenValue);
  return pairs.map(([n, v]) => `${n}=${v}`).join("&");
}

const HEX = "0123456789ABCDEF";
/** 1 at each RFC 3986 unreserved ASCII code: A–Z a–z 0–9 - . _ ~ */
const UNRESERVED_CODES = Uint8Array.from(
  { length: 128 },
  (_, c) => /[A-Za-z0-9._~-]/.test(String.fromCharCode(c)) ? 1 : 0,
);

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/** A component through `decodeQueryComponent` and `uriEncode`: what holds a non-ASCII byte. */
function reencoded(raw: string): string | undefined {
  const decoded = decodeQueryComponent(raw);
  return decoded.ok ? uriEncode(decoded.value) : undefined;
}

/**
 * `raw[start, end)`, one raw name or value, as the canonical query has it, in
 * one pass and with no decoding: unreserved characters kept, `+` → `%20`, an
 * escape of an ASCII byte → the character if unreserved, else the escape
 * upper-cased, any other ASCII character escaped. What holds a non-ASCII byte
 * is decoded and encoded again (its UTF-8 checked as `decodeQuery` checks it).
 * Undefined where `decodeQuery` refuses it (a malformed escape, not UTF-8).
 */
function canonicalComponent(raw: string, start: number, end: number): string | undefined {
  let out = "";
  let from = start; // raw[from, i) is copied as it is
  for (let i = start; i < end; i++) {
    const c = raw.charCodeAt(i);
    if (c < 0x80 && UNRESERVED_CODES[c] === 1) continue;
    if (c >= 0x80) return reencoded(raw.slice(start, end));
    let b = c;
    if (c === 0x25) {
      const hi = i + 2 < end ? hexValue(raw.charCodeAt(i + 1)) : -1;
      const lo = i + 2 < end ? hexValue(raw.charCodeAt(i + 2)) : -1;
      if (hi < 0 || lo < 0) return undefined;
      b = hi * 16 + lo;
      if (b >= 0x80) return reencoded(raw.slice(start, end));
      // Already canonical (upper-case, of a reserved byte): kept as it is, nothing copied.
      if (
        UNRESERVED_CODES[b] === 0 && raw.charCodeAt(i + 1) === HEX.charCodeAt(hi) &&
        raw.charCodeAt(i + 2) === HEX.charCodeAt(lo)
      ) {
        i += 2;
        continue;
      }
    } else if (c === 0x2b) {
      b = 0x20;
    }
    out += raw.slice(from, i) +
      (UNRESERVED_CODES[b] === 1 ? String.fromCharCode(b) : "%" + HEX[b >> 4] + HEX[b & 15]);
    if (c === 0x25) i += 2;
    from = i + 1;
  }
  return from === start ? raw.slice(start, end) : out + raw.slice(from, end);
}

const byNameThenValue = (a: [string, string], b: [string, string]) =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;

/**
 * Canonical query string of a raw query in one pass, without decoding it
 * into parameters first: equal to `canonicalQueryOf(decodeQuery(rawQuery))`
 * (tests/unit/sigv4/canonical_raw_test.ts holds them equal), undefined
 * where `decodeQuery` refuses the query. `exclude` drops a parameter by its
 * decoded name (X-Amz-Signature), whose value must decode all the same.
 */
export function canonicalQueryRaw(rawQuery: string, exclude?: string): string | undefined {
  const skip = exclude === undefined ? undefined : uriEncode(exclude);
  const pairs: [string, string][] = [];
  const n = rawQuery.length;
  for (let start = 0; start < n;) {
    let end = rawQuery.indexOf("&", start);
    if (end < 0) end = n;
    if (end > start) {
      let eq = rawQuery.indexOf("=", start);
      if (eq < 0 || eq > end) eq = end;
      const name = canonicalComponent(rawQuery, start, eq);
      const value = eq < end ? canonicalComponent(rawQuery, eq + 1, end) : "";
      if (name === undefined || value === undefined) return undefined;
      if (name !== skip) pairs.push([name, value]);
    }
    start = end + 1;
  }
  // An SDK's query comes sorted already: checked in one pass, sorted only if not.
  for (let i = 1; i < pairs.length; i++) {
    if (byNameThenValue(pairs[i - 1]!, pairs[i]!) > 0) {
      pairs.sort(byNameThenValue);
      break;
    }
  }
  let out = "";
  for (let i = 0; i < pairs.length; i++) {
    out += (i === 0 ? "" : "&") + pairs[i]![0] + "=" + pairs[i]![1];
  }
  return out;
}

/**
 * Canonical query string of a raw query, for queries bucketgate builds
 * itself (outbound signing); throws a TypeError for one that `decodeQuery`
 * refuses. Incoming requests are checked by `queryOf` too, which answers InvalidURI.
 */
export function canonicalQuery(rawQuery: string, exclude?: string): string {
  const query = canonicalQueryRaw(rawQuery, exclude);
  if (query !== undefined) return query;
  const params = decodeQuery(rawQuery);
  throw new TypeError(
    `Cannot canonicalize query: ${params.ok ? "it does not decode" : params.error.message}`,
  );
}

/** A header value as SigV4 canonicalizes it: trimmed, runs of spaces collapsed. */
export function canonicalHeaderValue(value: string): string {
  return value.trim().replace(/ {2,}/g, " ");
}

/** Canonical headers block (each `name:value\n`) for the signed names, in order. */
export function canonicalHeaders(
  signedHeaders: readonly string[],
  get: (name: string) => string | null,
): string {
  let out = "";
  for (const name of signedHeaders) out += `${name}:${canonicalHeaderValue(get(name) ?? "")}\n`;
  return out;
}

/** The parts of a canonical request. */
export interface CanonicalParts {
  readonly method: string;
  readonly uri: string;
  readonly query: string;
  readonly headers: string;
  readonly signedHeaders: string;
  readonly payloadHash: string;
}

/** The canonical request. */
export function canonicalRequest(p: CanonicalParts): string {
  return `${p.method}\n${p.uri}\n${p.query}\n${p.headers}\n${p.signedHeaders}\n${p.payloadHash}`;
}

/** `date/region/service/aws4_request`. */
export function credentialScope(date: string, region: string, service: string): string {
  return `${date}/${region}/${service}/aws4_request`;
}

/** The string to sign for a canonical request, hashed over the bytes it stands for. */
export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256HexOfByteString(canonical)}`;
}

/** The signature a secret gives for a canonical request. */
export function computeSignature(
  signingKey: Uint8Array,
  amzDate: string,
  scope: string,
  canonical: string,
): string {
  return hmacHex(signingKey, stringToSign(amzDate, scope, canonical));
}
