/** Reading the store's XML answers: the parser of S3's documents. */
import { XMLParser } from "fast-xml-parser";
import { parsedText, parseWith } from "../../xml.ts";

const parser = new XMLParser({
  ignoreAttributes: true,
  processEntities: true,
  htmlEntities: false,
  parseTagValue: false,
  trimValues: false,
  removeNSPrefix: true,
  isArray: (name: string) => ["Contents", "CommonPrefixes", "Part", "Upload"].includes(name),
});

/** A parsed XML document, or undefined for text that is not XML. */
export function parseXml(text: string): Record<string, unknown> | undefined {
  return parseWith(parser, text);
}

/** A parsed value as text ("" for an absent one). */
export const str = parsedText;
