/**
 * A streaming decoder for `Content-Encoding: aws-chunked` bodies, in every form
 * the SDKs send: signed chunks (STREAMING-AWS4-HMAC-SHA256-PAYLOAD), unsigned
 * chunks with trailing checksums (STREAMING-UNSIGNED-PAYLOAD-TRAILER) and signed
 * chunks with a signed trailer (STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER).
 * The payload flows out as it arrives; every check that fails errors the
 * stream with a ProxyStreamError, so the backend keeps nothing. The framing
 * lives in aws_chunked/parser.ts, the signature chain and the trailer beside it.
 */
import type { ChecksumAlgorithm } from "../checksum/algorithm.ts";
import { parseAlgorithm } from "../checksum/algorithm.ts";
import { type AwsChunkedOptions, ChunkedParser } from "./aws_chunked/parser.ts";

export { type AwsChunkedOptions, MAX_CHUNK, MAX_LINE, MAX_TRAILER } from "./aws_chunked/parser.ts";
export type { ChunkSigning } from "./aws_chunked/signature_chain.ts";

/** The streaming payload markers of x-amz-content-sha256. */
export const STREAMING_SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
/** Signed chunks with a signed trailer. */
export const STREAMING_SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
/** Unsigned chunks with a trailer. */
export const STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

/** Parses x-amz-trailer into the checksum algorithm it names. */
export function trailerAlgorithm(header: string | null): ChecksumAlgorithm | undefined | null {
  if (header === null || header.trim() === "") return undefined;
  const name = header.trim().toLowerCase();
  if (!name.startsWith("x-amz-checksum-")) return null;
  return parseAlgorithm(name.slice("x-amz-checksum-".length)) ?? null;
}

/** Creates the decoding stream. */
export function awsChunkedDecoder(o: AwsChunkedOptions): TransformStream<Uint8Array, Uint8Array> {
  const parser = new ChunkedParser(o);
  return new TransformStream({
    transform(chunk, controller) {
      parser.feed(chunk, (payload) => controller.enqueue(payload));
    },
    flush() {
      parser.end();
    },
  });
}
