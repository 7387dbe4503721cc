/**
 * A streaming decoder for `Content-Encoding: aws-chunked` bodies, in every form
 * the SDKs send: signed chunks (STREAMING-AWS4-HMAC-SHA256-PAYLOAD), unsigned
 * chunks with trailing checksums (STREAMING-UNSIGNED-PAYLOAD-TRAILER) and signed
 * chunks with a signed trailer (STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER).
 * The payload flows out as it arrives; every check that fails errors the
 * stream with a ProxyStreamError, so the backend keeps nothing.
 */
import { createHash } from "node:crypto";
import type { ChecksumAlgorithm } from "../checksum/algorithm.ts";
import { createHasher, type Hasher, toBase64 } from "../checksum/hasher.ts";
import { constantTimeEqual } from "../bytes.ts";
import { checksumHeaderName, parseAlgorithm } from "../checksum/verify.ts";
import { type ProxyError, proxyError, ProxyStreamError } from "../errors.ts";
import { EMPTY_SHA256, hmacHex, sha256Hex } from "../sigv4/signing_key.ts";

/** The streaming payload markers of x-amz-content-sha256. */
export const STREAMING_SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
/** Signed chunks with a signed trailer. */
export const STREAMING_SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
/** Unsigned chunks with a trailer. */
export const STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

/** Longest chunk-header or trailer line accepted. */
export const MAX_LINE = 4096;
/** Largest chunk accepted. */
export const MAX_CHUNK = 64 * 1024 * 1024;
/** Largest trailer section accepted. */
export const MAX_TRAILER = 4096;

/** How chunks are signed, when they are. */
export interface ChunkSigning {
  readonly signingKey: Uint8Array;
  readonly amzDate: string;
  readonly scope: string;
  /** The request's own signature, which the chain starts from. */
  readonly seedSignature: string;
}

/** Options of the decoder. */
export interface AwsChunkedOptions {
  /** Present for the signed variants. */
  readonly signing?: ChunkSigning;
  /** Whether a trailer section is expected (the *-TRAILER variants). */
  readonly trailer: boolean;
  /** The checksum header named by x-amz-trailer, if any. */
  readonly trailerChecksum?: ChecksumAlgorithm;
  /** x-amz-decoded-content-length, when given. */
  readonly decodedLength?: number;
}

const fail = (e: ProxyError): never => {
  throw new ProxyStreamError(e);
};
const incomplete = () =>
  proxyError(
    "IncompleteBody",
    "The request body ended before the aws-chunked encoding was complete.",
  );
const badFraming = (m: string) =>
  proxyError("InvalidRequest", `Invalid aws-chunked encoding: ${m}`);

type State = "header" | "data" | "data-crlf" | "trailer" | "done";

/** Parses x-amz-trailer into the checksum algorithm it names. */
export function trailerAlgorithm(header: string | null): ChecksumAlgorithm | undefined | null {
  if (header === null || header.trim() === "") return undefined;
  const name = header.trim().toLowerCase();
  if (!name.startsWith("x-amz-checksum-")) return null;
  return parseAlgorithm(name.slice("x-amz-checksum-".length)) ?? null;
}

/** Creates the decoding stream. */
export function awsChunkedDecoder(o: AwsChunkedOptions): TransformStream<Uint8Array, Uint8Array> {
  let state: State = "header";
  let line: number[] = [];
  let remaining = 0;
  let chunkHash: ReturnType<typeof createHash> | undefined;
  let chunkSignature = "";
  let prevSignature = o.signing?.seedSignature ?? "";
  let decoded = 0;
  const checksum: Hasher | undefined = o.trailerChecksum
    ? createHasher(o.trailerChecksum)
    : undefined;
  const trailerLines: string[] = [];
  let trailerBytes = 0;
  let crlfSeen = 0;

  const verifyChunk = (dataHash: string) => {
    const s = o.signing!;
    const sts =
      `AWS4-HMAC-SHA256-PAYLOAD\n${s.amzDate}\n${s.scope}\n${prevSignature}\n${EMPTY_SHA256}\n${dataHash}`;
    const expected = hmacHex(s.signingKey, sts);
    if (!constantTimeEqual(expected, chunkSignature)) {
      fail(
        proxyError(
          "SignatureDoesNotMatch",
          "The chunk signature we calculated does not match the signature you provided.",
        ),
      );
    }
    prevSignature = chunkSignature;
  };

  const onHeaderLine = (text: string) => {
    const semi = text.indexOf(";");
    const sizeText = (semi < 0 ? text : text.slice(0, semi)).trim();
    if (!/^[0-9a-fA-F]{1,16}$/.test(sizeText)) {
      fail(badFraming(`bad chunk size '${sizeText.slice(0, 32)}'`));
    }
    const size = parseInt(sizeText, 16);
    if (size > MAX_CHUNK) fail(badFraming(`chunk of ${size} bytes exceeds ${MAX_CHUNK}`));
    if (o.signing) {
      const ext = semi < 0 ? "" : text.slice(semi + 1).trim();
      const m = /^chunk-signature=([0-9a-f]{64})$/.exec(ext);
      if (!m) fail(proxyError("SignatureDoesNotMatch", "A chunk is missing its chunk-signature."));
      chunkSignature = m![1]!;
      chunkHash = createHash("sha256");
    }
    if (size === 0) {
      if (o.signing) verifyChunk(EMPTY_SHA256);
      state = "trailer";
      return;
    }
    remaining = size;
    state = "data";
  };

  const finishTrailer = () => {
    const fields = new Map<string, string>();
    for (const l of trailerLines) {
      const colon = l.indexOf(":");
      if (colon <= 0) {
        fail(
          proxyError(
            "MalformedTrailerError",
            "The request contained trailing data that was not well-formed.",
          ),
        );
      }
      fields.set(l.slice(0, colon).trim().toLowerCase(), l.slice(colon + 1).trim());
    }
    if (o.trailer && o.signing) {
      const sig = fields.get("x-amz-trailer-signature");
      if (!sig) {
        fail(
          proxyError("MalformedTrailerError", "The trailer is missing x-amz-trailer-signature."),
        );
      }
      let canonical = "";
      for (const l of trailerLines) {
        const colon = l.indexOf(":");
        const name = l.slice(0, colon).trim().toLowerCase();
        if (name === "x-amz-trailer-signature") continue;
        canonical += `${name}:${l.slice(colon + 1).trim()}\n`;
      }
      const s = o.signing;
      const sts = `AWS4-HMAC-SHA256-TRAILER\n${s.amzDate}\n${s.scope}\n${prevSignature}\n${
        sha256Hex(canonical)
      }`;
      if (!constantTimeEqual(hmacHex(s.signingKey, sts), sig!)) {
        fail(
          proxyError(
            "SignatureDoesNotMatch",
            "The trailer signature we calculated does not match the signature you provided.",
          ),
        );
      }
    }
    if (o.trailerChecksum) {
      const name = checksumHeaderName(o.trailerChecksum);
      const want = fields.get(name);
      if (want === undefined) {
        fail(
          proxyError(
            "MalformedTrailerError",
            `The trailer is missing ${name}, which x-amz-trailer announced.`,
          ),
        );
      }
      if (!constantTimeEqual(toBase64(checksum!.digest()), want!)) {
        fail(
          proxyError(
            "BadDigest",
            `The ${o.trailerChecksum} you specified did not match the calculated checksum.`,
          ),
        );
      }
    }
    if (o.decodedLength !== undefined && decoded !== o.decodedLength) {
      fail(
        proxyError(
          "IncompleteBody",
          `The decoded body has ${decoded} bytes; x-amz-decoded-content-length says ${o.decodedLength}.`,
        ),
      );
    }
    state = "done";
  };

  return new TransformStream({
    transform(chunk, controller) {
      let i = 0;
      while (i < chunk.length) {
        switch (state) {
          case "header":
          case "trailer": {
            const b = chunk[i++]!;
            if (b === 0x0a) {
              if (line.at(-1) !== 0x0d) fail(badFraming("line not ended by CRLF"));
              line.pop();
              const text = new TextDecoder().decode(new Uint8Array(line));
              line = [];
              if (state === "header") {
                onHeaderLine(text);
              } else if (text === "") {
                finishTrailer();
              } else {
                trailerBytes += text.length;
                if (trailerBytes > MAX_TRAILER) {
                  fail(proxyError("MalformedTrailerError", "The trailer is too large."));
                }
                trailerLines.push(text);
              }
            } else {
              line.push(b);
              if (line.length > MAX_LINE) fail(badFraming("line too long"));
            }
            break;
          }
          case "data": {
            const n = Math.min(remaining, chunk.length - i);
            const piece = chunk.subarray(i, i + n);
            i += n;
            remaining -= n;
            decoded += n;
            if (o.decodedLength !== undefined && decoded > o.decodedLength) {
              fail(badFraming("more bytes than x-amz-decoded-content-length"));
            }
            chunkHash?.update(piece);
            checksum?.update(piece);
            controller.enqueue(piece.slice());
            if (remaining === 0) {
              state = "data-crlf";
              crlfSeen = 0;
            }
            break;
          }
          case "data-crlf": {
            const b = chunk[i++]!;
            if ((crlfSeen === 0 && b !== 0x0d) || (crlfSeen === 1 && b !== 0x0a)) {
              fail(badFraming("chunk data not followed by CRLF"));
            }
            if (++crlfSeen === 2) {
              if (o.signing) verifyChunk(chunkHash!.digest("hex"));
              state = "header";
            }
            break;
          }
          case "done":
            // Tolerate trailing CR/LF; anything else is framing garbage.
            if (chunk[i] !== 0x0d && chunk[i] !== 0x0a) {
              fail(badFraming("data after the final chunk"));
            }
            i++;
            break;
        }
      }
    },
    flush() {
      // A body that ends at a line boundary after the final chunk (no closing
      // empty line, as some clients send it) is complete: its trailer is still checked.
      if (state === "trailer" && line.length === 0) finishTrailer();
      if (state !== "done") fail(incomplete());
    },
  });
}
