/**
 * The access log's two line formats. Both write exactly one line per request
 * whatever a client put in its key, bucket, headers or STS parameters: a
 * reader that splits on any line terminator (`\n`, `\r`, NEL, U+2028/2029, as
 * Python's `splitlines` does) sees one line, and a terminal shows no escape
 * sequence a client sent.
 */
import { isAscii } from "../bytes.ts";
import type { AccessLogEntry } from "./entry.ts";

/** Characters the text format escapes (a space only quotes its field). */
const TEXT_ESCAPED = /[\\"\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Zs}]/gu;

/**
 * Characters JSON.stringify leaves raw that a reader may take for a line
 * break or a control: DEL, C1 (NEL, the 8-bit CSI), format characters (bidi
 * overrides, zero-width), U+2028/2029.
 */
const JSON_ESCAPED = /[\u007f-\u009f\p{Cf}\p{Zl}\p{Zp}]/gu;

const SHORT: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function hex(c: string): string {
  const code = c.codePointAt(0)!;
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * One field of a text line: backslash, control, format (bidi, zero-width),
 * line and paragraph separator, lone surrogate and non-ASCII space
 * characters become `\n`, `\xHH` or `\uHHHH`, a backslash `\\`; a field that
 * is empty or holds a space or `"` is quoted (`"` inside as `\"`), so fields
 * stay split by single spaces.
 */
export function textField(value: string): string {
  let quote = value === "";
  const escaped = value.replace(TEXT_ESCAPED, (c) => {
    if (c === " ") {
      quote = true;
      return c;
    }
    if (c === '"') {
      quote = true;
      return '\\"';
    }
    if (c === "\\") return "\\\\";
    return SHORT[c] ?? hex(c);
  });
  return quote ? `"${escaped}"` : escaped;
}

/**
 * Free text at the end of a line (a 5xx's detail): escaped as `textField`
 * does, but spaces and quotes stay as they are, for reading.
 */
function trailingText(value: string): string {
  return value.replace(
    TEXT_ESCAPED,
    (c) => c === " " || c === '"' ? c : c === "\\" ? "\\\\" : SHORT[c] ?? hex(c),
  );
}

/**
 * The text format (`--log-format text`):
 * `time id METHOD /bucket/key status [ErrorCode] principal Nms [sub=… role=… key=…] [(detail)]`,
 * every field escaped (`textField`); the `sub=`, `role=` and `key=` fields
 * (a session's, or a successful STS call's) only when known; the detail of a
 * refusal by policy is its deciding statement (`deniedBy`).
 */
export function accessLogText(e: AccessLogEntry): string {
  const where = e.bucket ? `/${e.bucket}${e.key ? "/" + e.key : ""}` : "/";
  const fields = [
    e.time,
    e.requestId,
    e.method,
    where,
    String(e.status),
    ...(e.errorCode ? [e.errorCode] : []),
    e.principal ?? e.authMode ?? "-",
    `${e.totalMs}ms`,
    ...(e.subject !== undefined ? [`sub=${e.subject}`] : []),
    ...(e.role !== undefined ? [`role=${e.role}`] : []),
    ...(e.accessKeyId !== undefined ? [`key=${e.accessKeyId}`] : []),
  ].map(textField);
  const detail = e.detail ?? e.deniedBy;
  return fields.join(" ") + (detail ? ` (${trailingText(detail)})` : "");
}

/** `\uXXXX` of each UTF-16 unit of `c` (two for a character beyond U+FFFF). */
function jsonEscape(c: string): string {
  let out = "";
  for (let i = 0; i < c.length; i++) out += `\\u${c.charCodeAt(i).toString(16).padStart(4, "0")}`;
  return out;
}

/**
 * The JSON format (the default): JSON.stringify, which escapes C0 controls
 * and lone surrogates but not `JSON_ESCAPED`; those become `\uXXXX` too
 * (they can only occur inside strings, so the value is unchanged).
 */
export function accessLogJson(e: AccessLogEntry): string {
  const line = JSON.stringify(e);
  // Nearly every line is ASCII below DEL, where nothing `JSON_ESCAPED` matches:
  // told by its UTF-8 byte count and a DEL search (0.11 against a regex's 0.30 µs).
  return isAscii(line) && !line.includes("\u007f") ? line : line.replace(JSON_ESCAPED, jsonEscape);
}
