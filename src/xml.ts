/** XML helpers: escaping for the hand-built S3 responses and a safe parser for request bodies. */
import { XMLParser } from "fast-xml-parser";

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};
// XML 1.0 cannot carry most C0 controls even escaped; S3 keys may hold them, so
// they become character references (clients decode them back).
// deno-lint-ignore no-control-regex
const NEEDS_ESCAPE = /[&<>"'\u0000-\u0008\u000B\u000C\u000E-\u001F]/g;

// deno-lint-ignore no-control-regex
const HAS_ESCAPE = /[&<>"'\u0000-\u0008\u000B\u000C\u000E-\u001F]/;

/** Escapes text for an XML element or attribute. */
export function xmlEscape(text: string): string {
  if (!HAS_ESCAPE.test(text)) return text;
  return text.replace(NEEDS_ESCAPE, (c) => ESCAPES[c] ?? `&#x${c.charCodeAt(0).toString(16)};`);
}

/** `<Name>escaped value</Name>`. */
export function el(name: string, value: string | number | boolean): string {
  return `<${name}>${typeof value === "string" ? xmlEscape(value) : String(value)}</${name}>`;
}

/** The XML declaration every S3 response starts with. */
export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** The S3 namespace of every S3 response document. */
export const S3_XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/";

// Elements that may repeat in request bodies; parsed as arrays even when single.
const ARRAY_ELEMENTS = new Set(["Object", "Part"]);

const parser = new XMLParser({
  ignoreAttributes: true,
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  removeNSPrefix: true,
  isArray: (name: string) => ARRAY_ELEMENTS.has(name),
});

/** Parses a small XML request body; returns undefined when it is not XML. No entity is expanded. */
export function parseXml(text: string): unknown {
  return parseWith(parser, text, true);
}

/**
 * Parses XML with a given parser (a backend's answers); undefined for
 * anything with a DTD (no entity is ever declared or expanded) or not XML.
 */
export function parseWith(
  p: XMLParser,
  text: string,
  validate = false,
): Record<string, unknown> | undefined {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) return undefined;
  try {
    return p.parse(text, validate) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** A parsed value as text: "" for an absent one (a backend's answers). */
export function parsedText(v: unknown): string {
  return typeof v === "string" ? v : v === undefined || v === null ? "" : String(v);
}

const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/**
 * Decodes the predefined and numeric character references of a parsed text
 * value (the parser leaves them alone so no DTD entity is ever expanded).
 * Undefined when a reference is not one XML defines.
 */
export function xmlText(raw: string): string | undefined {
  if (/&(?!#x[0-9a-fA-F]+;|#[0-9]+;|[a-zA-Z]+;)/.test(raw)) return undefined;
  let bad = false;
  const out = raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (_m, ref: string) => {
    if (ref.startsWith("#")) {
      const code = ref[1] === "x" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
        bad = true;
        return "";
      }
      return String.fromCodePoint(code);
    }
    const named = NAMED[ref];
    if (named === undefined) bad = true;
    return named ?? "";
  });
  return bad ? undefined : out;
}
