/** The trailer section of an aws-chunked body: its fields, signature and checksum. */
import type { ChecksumAlgorithm } from "../../checksum/algorithm.ts";
import type { Hasher } from "../../checksum/hasher.ts";
import { toBase64 } from "../../checksum/hasher.ts";
import { checksumHeaderName } from "../../checksum/algorithm.ts";
import { constantTimeEqual } from "../../bytes.ts";
import { proxyError } from "../../errors.ts";
import { sha256Hex } from "../../sigv4/signing_key.ts";
import { fail } from "./failures.ts";
import type { SignatureChain } from "./signature_chain.ts";

/** What a trailer is checked against. */
export interface TrailerChecks {
  /** The signature chain of the signed variants (checks x-amz-trailer-signature). */
  readonly chain?: SignatureChain;
  /** The checksum x-amz-trailer announced, with the hasher fed the payload. */
  readonly checksum?: { readonly algorithm: ChecksumAlgorithm; readonly hasher: Hasher };
}

const malformed = (message: string) => fail(proxyError("MalformedTrailerError", message));

/** The trailer's fields by lower-case name; MalformedTrailerError for a line without a name. */
export function trailerFields(lines: readonly string[]): Map<string, string> {
  const fields = new Map<string, string>();
  for (const l of lines) {
    const colon = l.indexOf(":");
    if (colon <= 0) malformed("The request contained trailing data that was not well-formed.");
    fields.set(l.slice(0, colon).trim().toLowerCase(), l.slice(colon + 1).trim());
  }
  return fields;
}

/** The trailer as its signature covers it: every field but the signature, `name:value\n`. */
export function canonicalTrailer(lines: readonly string[]): string {
  let canonical = "";
  for (const l of lines) {
    const colon = l.indexOf(":");
    const name = l.slice(0, colon).trim().toLowerCase();
    if (name === "x-amz-trailer-signature") continue;
    canonical += `${name}:${l.slice(colon + 1).trim()}\n`;
  }
  return canonical;
}

/** Checks a complete trailer section; errors the stream (ProxyStreamError) when it fails. */
export function checkTrailer(lines: readonly string[], checks: TrailerChecks): void {
  const fields = trailerFields(lines);
  if (checks.chain) {
    const sig = fields.get("x-amz-trailer-signature");
    if (!sig) malformed("The trailer is missing x-amz-trailer-signature.");
    checks.chain.verifyTrailer(sha256Hex(canonicalTrailer(lines)), sig!);
  }
  if (checks.checksum) {
    const { algorithm, hasher } = checks.checksum;
    const name = checksumHeaderName(algorithm);
    const want = fields.get(name);
    if (want === undefined) {
      malformed(`The trailer is missing ${name}, which x-amz-trailer announced.`);
    }
    if (!constantTimeEqual(toBase64(hasher.digest()), want!)) {
      fail(
        proxyError(
          "BadDigest",
          `The ${algorithm} you specified did not match the calculated checksum.`,
        ),
      );
    }
  }
}
