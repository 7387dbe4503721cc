/**
 * The head of an HTTP/1.1 request, as bytes. Checked so that nothing a
 * caller passes can split it (CR, LF, NUL) or frame the body otherwise than
 * by its length: the transport never sends a body chunked (S3 refuses
 * chunked PutObject and UploadPart with 501) and always asks for the
 * identity encoding (bodies are relayed byte for byte, checksums included).
 */
import { encodeLatin1 } from "./latin1.ts";

/** Header fields as a caller passes them. */
export type HeaderFields =
  | Headers
  | Readonly<Record<string, string>>
  | readonly (readonly [
    string,
    string,
  ])[];

/** What a request head is made of. */
export interface RequestHeadInit {
  readonly method: string;
  /** The origin-form target: path and query (`/bucket/key?x=1`). */
  readonly target: string;
  /** The Host field (`host:port`); a `host` among `headers` takes its place. */
  readonly host: string;
  readonly headers?: HeaderFields;
  /** The body's length in bytes; undefined for none. */
  readonly contentLength?: number | undefined;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// deno-lint-ignore no-control-regex -- control characters are what the check is for
const BAD_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/;
// deno-lint-ignore no-control-regex -- as above; space too: a target has none
const BAD_TARGET = /[\x00-\x20\x7f]/;

/** Fields the transport sets itself or never sends: a caller's is a bug. */
const OWN = new Set([
  "transfer-encoding",
  "connection",
  "keep-alive",
  "upgrade",
  "te",
  "trailer",
  "proxy-connection",
]);

/** Methods whose request without a body still says `content-length: 0` (as fetch does). */
const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);

function entries(h: HeaderFields | undefined): Iterable<readonly [string, string]> {
  if (h === undefined) return [];
  if (h instanceof Headers || Array.isArray(h)) return h as Iterable<readonly [string, string]>;
  return Object.entries(h);
}

/** Whether the caller asked for `Expect: 100-continue`. */
export function expectsContinue(h: HeaderFields | undefined): boolean {
  for (const [name, value] of entries(h)) {
    if (name.toLowerCase() === "expect" && value.trim().toLowerCase() === "100-continue") {
      return true;
    }
  }
  return false;
}

/**
 * Serializes a request head (ending in the blank line). Throws TypeError for
 * a method, target or field that is not valid HTTP, for a field the
 * transport owns (Transfer-Encoding, Connection and the other hop-by-hop
 * ones), and for a Content-Length other than the body's. A caller's
 * Accept-Encoding is replaced by `identity`.
 */
export function serializeRequestHead(init: RequestHeadInit): Uint8Array {
  if (!TOKEN.test(init.method)) {
    throw new TypeError(`Cannot send a request: method ${JSON.stringify(init.method)}`);
  }
  if (!(init.target.startsWith("/") || init.target === "*") || BAD_TARGET.test(init.target)) {
    throw new TypeError(`Cannot send a request: target ${JSON.stringify(init.target)}`);
  }
  let host = init.host;
  let lines = "";
  for (const [rawName, rawValue] of entries(init.headers)) {
    const name = rawName.toLowerCase();
    const value = rawValue.trim();
    if (!TOKEN.test(name)) throw new TypeError(`Cannot send header ${JSON.stringify(rawName)}`);
    if (BAD_VALUE.test(value)) {
      throw new TypeError(`Cannot send header ${name}: its value has a control character`);
    }
    if (OWN.has(name)) throw new TypeError(`Cannot send header ${name}: the transport owns it`);
    if (name === "host") host = value;
    else if (name === "content-length") {
      if (value !== String(init.contentLength ?? 0)) {
        throw new TypeError(
          `Cannot send header content-length: ${value}, the body is ${
            init.contentLength ?? 0
          } bytes`,
        );
      }
    } else if (name !== "accept-encoding") lines += `${name}: ${value}\r\n`;
  }
  if (host === "" || BAD_TARGET.test(host)) {
    throw new TypeError(`Cannot send a request: host ${JSON.stringify(host)}`);
  }
  const length = init.contentLength ??
    (BODY_METHODS.has(init.method.toUpperCase()) ? 0 : undefined);
  if (length !== undefined && !(Number.isSafeInteger(length) && length >= 0)) {
    throw new RangeError(`Cannot send a body of length ${length}`);
  }
  return encodeLatin1(
    `${init.method} ${init.target} HTTP/1.1\r\nhost: ${host}\r\n${lines}` +
      `accept-encoding: identity\r\n` +
      (length === undefined ? "" : `content-length: ${length}\r\n`) + "\r\n",
  );
}
