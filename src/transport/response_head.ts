/**
 * The head of an HTTP/1.x response: found in the bytes read so far, then
 * parsed strictly (RFC 9112). A gateway may refuse what it cannot read
 * unambiguously, so obs-fold, a space before the colon, bare CR or LF and
 * control characters in a value are all MalformedResponse, never guessed at.
 */
import { decodeLatin1 } from "./latin1.ts";
import { TransportError } from "./transport_error.ts";

/** A parsed response head. */
export interface ResponseHead {
  readonly version: "1.0" | "1.1";
  readonly status: number;
  readonly reason: string;
  /** The fields in order, names lower-cased, values trimmed. */
  readonly fields: readonly (readonly [string, string])[];
}

/** Where a head ends in `buf`, searched from `from` to `end`. */
export interface HeadEnd {
  /** The index just past the blank line, or -1 while it has not come. */
  readonly end: number;
  /** Whether a byte ≥ 0x80 was seen (so the head is not plain ASCII). */
  readonly highBytes: boolean;
}

/**
 * Finds the blank line ending a head in `buf[0..end)`, looking at bytes from
 * `from` on (pass the previous `end`, so each byte is looked at about once).
 */
export function findHeadEnd(buf: Uint8Array, from: number, end: number): HeadEnd {
  let high = false;
  for (let i = Math.max(from - 3, 0); i < end; i++) {
    const b = buf[i]!;
    if (b >= 0x80) high = true;
    else if (
      b === 0x0a && i >= 3 && buf[i - 1] === 0x0d && buf[i - 2] === 0x0a && buf[i - 3] === 0x0d
    ) {
      return { end: i + 1, highBytes: high };
    }
  }
  return { end: -1, highBytes: high };
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// deno-lint-ignore no-control-regex -- control characters are what the check is for
const BAD_TEXT = /[\x00-\x08\x0a-\x1f\x7f]/;
const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: (.*))?$/;

function malformed(what: string): TransportError {
  return new TransportError("MalformedResponse", `Cannot read the response head: ${what}`);
}

/** Parses a head (its bytes up to and including the blank line); throws MalformedResponse. */
export function parseResponseHead(bytes: Uint8Array, highBytes = true): ResponseHead {
  const text = decodeLatin1(bytes, !highBytes);
  if (!text.endsWith("\r\n\r\n")) throw malformed("it does not end in a blank line");
  const lines = text.slice(0, -4).split("\r\n");
  const m = STATUS_LINE.exec(lines[0]!);
  if (!m || BAD_TEXT.test(m[3] ?? "")) {
    throw malformed(`status line ${JSON.stringify(lines[0]!.slice(0, 80))}`);
  }
  const fields: [string, string][] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(":");
    if (line[0] === " " || line[0] === "\t") throw malformed("a folded field line (obs-fold)");
    const name = line.slice(0, colon);
    if (colon < 1 || !TOKEN.test(name)) {
      throw malformed(`field line ${JSON.stringify(line.slice(0, 80))}`);
    }
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, "");
    if (BAD_TEXT.test(value)) throw malformed(`field ${name}: a control character in its value`);
    fields.push([name.toLowerCase(), value]);
  }
  return {
    version: m[1] === "1" ? "1.1" : "1.0",
    status: Number(m[2]),
    reason: m[3] ?? "",
    fields,
  };
}
