/** Azure's XML answers (listings, block lists, errors) parsed into plain objects. */
import { XMLParser } from "fast-xml-parser";
import { parsedText, parseWith } from "../../xml.ts";

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  processEntities: true,
  htmlEntities: false,
  parseTagValue: false,
  trimValues: false,
  isArray: (name: string) => name === "Blob" || name === "BlobPrefix" || name === "Block",
});

/** The document of an XML text, or undefined when it is not XML. */
export function parseXml(text: string): Record<string, unknown> | undefined {
  return parseWith(parser, text);
}

/** A parsed value as text ("" for an absent one). */
export const str = parsedText;
