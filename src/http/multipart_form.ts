/**
 * The head of a `multipart/form-data` body (RFC 7578), read as it streams:
 * the text fields up to the part named `file`, bounded in size, and the rest
 * of the body (the file's data and what follows it) left unread for the
 * caller to stream on. Built for S3's browser POST uploads, where the file
 * is the last field and everything before it is small.
 */
import { type ProxyError, proxyError, ProxyStreamError } from "../errors.ts";
import { err, ok, type Result } from "../result.ts";

/** One text field of the form, as sent (the name keeps its case). */
export interface FormField {
  readonly name: string;
  readonly value: string;
}

/** The form up to the file's data. */
export interface FormHead {
  /** The fields before the file, in order. */
  readonly fields: readonly FormField[];
  /** The file part's `filename` parameter (absent when it has none). */
  readonly filename?: string;
  /** Bytes of the body before the file's first byte. */
  readonly offset: number;
  /** The body from the file's first byte on. */
  readonly rest: ReadableStream<Uint8Array>;
}

/** Options of `readFormHead`. */
export interface FormHeadOptions {
  /** The boundary from the Content-Type. */
  readonly boundary: string;
  /** Most bytes allowed before the file's data. */
  readonly maxBytes: number;
}

const MALFORMED = "The body of your POST request is not well-formed multipart/form-data.";

/** MalformedPOSTRequest with S3's message. */
export function malformedPost(detail?: string): ProxyError {
  return proxyError("MalformedPOSTRequest", MALFORMED, detail);
}

/**
 * The boundary of a `multipart/form-data` Content-Type (RFC 2046: 1 to 70
 * characters, possibly quoted); undefined for any other type.
 */
export function formBoundary(contentType: string | null): string | undefined {
  if (!contentType) return undefined;
  const [type, ...params] = contentType.split(";");
  if (type!.trim().toLowerCase() !== "multipart/form-data") return undefined;
  for (const p of params) {
    const eq = p.indexOf("=");
    if (eq < 0 || p.slice(0, eq).trim().toLowerCase() !== "boundary") continue;
    let value = p.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      value = value.slice(1, -1);
    }
    return /^[0-9A-Za-z'()+_,\-./:=? ]{1,70}$/.test(value) && !value.endsWith(" ")
      ? value
      : undefined;
  }
  return undefined;
}

const encoder = new TextEncoder();
const utf8 = new TextDecoder("utf-8", { fatal: true });
const CRLF2 = encoder.encode("\r\n\r\n");

/**
 * Index of `needle` in `hay` at or after `from`, or -1: Boyer-Moore-Horspool,
 * which skips up to the needle's length per step (a file's bytes are
 * searched for the boundary at several hundred MB/s).
 */
export function indexOfBytes(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  const n = needle.length;
  if (n === 0) return from <= hay.length ? from : -1;
  const skip = new Int32Array(256).fill(n);
  for (let i = 0; i < n - 1; i++) skip[needle[i]!] = n - 1 - i;
  const last = needle[n - 1]!;
  for (let i = from; i <= hay.length - n;) {
    const c = hay[i + n - 1]!;
    if (c === last) {
      let j = n - 2;
      while (j >= 0 && hay[i + j] === needle[j]) j--;
      if (j < 0) return i;
    }
    i += skip[c]!;
  }
  return -1;
}

/** A part's headers: the Content-Disposition's name and filename, and its Content-Type. */
interface PartHeaders {
  readonly name: string;
  readonly filename?: string;
}

/**
 * A `name="value"` (or unquoted) parameter of a Content-Disposition. Browsers
 * percent-encode a quote in a file name and leave backslashes alone (a
 * Windows path), so a quoted value runs to the next quote.
 */
function dispositionParam(value: string, param: string): string | undefined {
  const m = new RegExp(`;\\s*${param}\\s*=\\s*(?:"([^"]*)"|([^;\\s]*))`, "i").exec(value);
  if (!m) return undefined;
  return m[1] ?? m[2];
}

function parsePartHeaders(text: string): PartHeaders | undefined {
  let disposition: string | undefined;
  for (const line of text.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) return undefined;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === "content-disposition") disposition = value;
  }
  if (!disposition || !/^form-data\s*(;|$)/i.test(disposition)) return undefined;
  const name = dispositionParam(disposition, "name");
  if (name === undefined) return undefined;
  const filename = dispositionParam(disposition, "filename");
  return {
    name,
    ...(filename !== undefined ? { filename } : {}),
  };
}

/** Where the parse of the buffered bytes stands. */
type Step =
  | { readonly kind: "more" }
  | { readonly kind: "field"; readonly field: FormField; readonly next: number }
  | { readonly kind: "file"; readonly part: PartHeaders; readonly offset: number }
  | { readonly kind: "error"; readonly error: ProxyError };

/** A form's boundary as it starts the body (`--boundary`) and ends each part (CRLF `--boundary`). */
interface Delimiters {
  readonly first: Uint8Array;
  readonly next: Uint8Array;
}

/**
 * Parses the part whose `--boundary` starts at `at`: a field and where the
 * next part's `--boundary` starts, the file part, or "more" when the buffer
 * does not hold it all yet.
 */
function parsePart(buf: Uint8Array, at: number, d: Delimiters): Step {
  const afterDelimiter = at + d.first.length;
  if (buf.length < afterDelimiter + 2) return { kind: "more" };
  if (buf[afterDelimiter] === 0x2d && buf[afterDelimiter + 1] === 0x2d) {
    return { kind: "error", error: noFile() };
  }
  if (buf[afterDelimiter] !== 0x0d || buf[afterDelimiter + 1] !== 0x0a) {
    return { kind: "error", error: malformedPost("no CRLF after a boundary") };
  }
  const headersEnd = indexOfBytes(buf, CRLF2, afterDelimiter + 2);
  if (headersEnd < 0) return { kind: "more" };
  let headerText: string;
  try {
    headerText = utf8.decode(buf.subarray(afterDelimiter + 2, headersEnd));
  } catch {
    return { kind: "error", error: malformedPost("part headers are not UTF-8") };
  }
  const part = parsePartHeaders(headerText);
  if (!part) return { kind: "error", error: malformedPost("a part without form-data name") };
  const dataStart = headersEnd + 4;
  if (part.name.toLowerCase() === "file") return { kind: "file", part, offset: dataStart };
  // The CRLF before the next boundary belongs to the delimiter, not to the value.
  const end = indexOfBytes(buf, d.next, dataStart);
  if (end < 0) return { kind: "more" };
  try {
    return {
      kind: "field",
      field: { name: part.name, value: utf8.decode(buf.subarray(dataStart, end)) },
      next: end + 2,
    };
  } catch {
    return { kind: "error", error: malformedPost(`field ${part.name} is not UTF-8`) };
  }
}

/** IncompleteBody: the body ended before the bytes its Content-Length announced. */
export function incompleteBody(detail?: unknown): ProxyError {
  return proxyError(
    "IncompleteBody",
    "You did not provide the number of bytes specified by the Content-Length HTTP header",
    detail,
  );
}

/** A body that failed while read: its own error, or a body cut short. */
function readFailure(e: unknown): ProxyError {
  return e instanceof ProxyStreamError ? e.proxy : incompleteBody(e);
}

function noFile(): ProxyError {
  return proxyError(
    "IncorrectNumberOfFiles",
    "POST requires exactly one file upload per request.",
  );
}

function tooLarge(): ProxyError {
  return proxyError(
    "MaxPostPreDataLengthExceeded",
    "Your POST request fields preceding the upload file were too large.",
  );
}

/** The rest of a body: the bytes already read past `offset`, then the reader's. */
function restOf(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  first: Uint8Array,
): ReadableStream<Uint8Array> {
  let pending: Uint8Array | undefined = first.length > 0 ? first : undefined;
  return new ReadableStream<Uint8Array>({
    async pull(c) {
      if (pending) {
        c.enqueue(pending);
        pending = undefined;
        return;
      }
      const { done, value } = await reader.read();
      if (done) c.close();
      else c.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

/**
 * Reads a form's fields up to its `file` part (the name compared without
 * case), at most `maxBytes` of it. The body must start with its first
 * boundary (no preamble: no browser or SDK sends one).
 */
export async function readFormHead(
  body: ReadableStream<Uint8Array>,
  options: FormHeadOptions,
): Promise<Result<FormHead, ProxyError>> {
  const d: Delimiters = {
    first: encoder.encode("--" + options.boundary),
    next: encoder.encode("\r\n--" + options.boundary),
  };
  const reader = body.getReader();
  const fields: FormField[] = [];
  let buf = new Uint8Array(0);
  let at = 0;
  const fail = (e: ProxyError) => {
    void reader.cancel().catch(() => {});
    return err(e);
  };
  for (;;) {
    if (at === 0 && buf.length >= d.first.length && indexOfBytes(buf, d.first) !== 0) {
      return fail(malformedPost("the body does not start with its boundary"));
    }
    const step = parsePart(buf, at, d);
    if (step.kind === "error") return fail(step.error);
    if (step.kind === "field") {
      fields.push(step.field);
      at = step.next;
      continue;
    }
    if (step.kind === "file") {
      if (step.offset > options.maxBytes) return fail(tooLarge());
      const { filename } = step.part;
      return ok({
        fields,
        ...(filename !== undefined ? { filename } : {}),
        offset: step.offset,
        rest: restOf(reader, buf.subarray(step.offset)),
      });
    }
    if (buf.length > options.maxBytes) return fail(tooLarge());
    let read: ReadableStreamReadResult<Uint8Array>;
    try {
      read = await reader.read();
    } catch (e) {
      return err(readFailure(e));
    }
    const { done, value } = read;
    if (done) return fail(at === 0 && buf.length === 0 ? noFile() : malformedPost("body ended"));
    const grown = new Uint8Array(buf.length + value.length);
    grown.set(buf);
    grown.set(value, buf.length);
    buf = grown;
  }
}
