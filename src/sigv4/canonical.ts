/**
 * The deterministic parts of SigV4 (named as in the spec and aws4fetch):
 * URI encoding, canonical URI, canonical query, canonical headers, canonical
 * request, string to sign. Used to verify client signatures and to sign
 * backend requests.
 */
import { decodeQuery, type QueryParam } from "../http/target.ts";
import { hmacHex, hmacHexMatches, sha256HexOfByteString } from "./signing_key.ts";

const EXTRA = /[!'()*]/g;
const UNRESERVED = /^[A-Za-z0-9._~-]*$/;
/** A path of unreserved characters and slashes only: its canonical URI is itself. */
const PLAIN_PATH = /^[A-Za-z0-9._~/-]*$/;

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
  // Nothing to decode and nothing to encode: each segment maps to itself.
  if (PLAIN_PATH.test(rawPath)) return rawPath;
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
  pairs.sort((
    a,
    b,
  ) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join("&");
}

/**
 * Canonical query string of a raw query, for queries bucketgate builds
 * itself (outbound signing); throws a TypeError for one that `decodeQuery`
 * refuses. Incoming requests go through `queryOf`, which answers InvalidURI.
 */
export function canonicalQuery(rawQuery: string, exclude?: string): string {
  const params = decodeQuery(rawQuery);
  if (!params.ok) throw new TypeError(`Cannot canonicalize query: ${params.error.message}`);
  return canonicalQueryOf(params.value, exclude);
}

/** A header value as SigV4 canonicalizes it: trimmed, runs of spaces collapsed. */
export function canonicalHeaderValue(value: string): string {
  const trimmed = value.trim();
  // Most values have no run of spaces: no regex for them.
  return trimmed.includes("  ") ? trimmed.replace(/ {2,}/g, " ") : trimmed;
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

/** The last credential scope made, and its parts: most requests name it again. */
let lastScope = "";
let lastScopeParts = ["", "", ""];

/** `date/region/service/aws4_request`. */
export function credentialScope(date: string, region: string, service: string): string {
  const [d, r, s] = lastScopeParts;
  if (d === date && r === region && s === service && lastScope !== "") return lastScope;
  lastScope = `${date}/${region}/${service}/aws4_request`;
  lastScopeParts = [date, region, service];
  return lastScope;
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

/** Whether `signature` is the one a secret gives for a canonical request, compared in constant time. */
export function signatureMatches(
  signingKey: Uint8Array,
  amzDate: string,
  scope: string,
  canonical: string,
  signature: string,
): boolean {
  return hmacHexMatches(signingKey, stringToSign(amzDate, scope, canonical), signature);
}
