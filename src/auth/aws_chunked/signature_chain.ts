/**
 * The chain of chunk signatures of the signed aws-chunked variants: each
 * chunk's signature covers the previous one, starting from the request's own.
 */
import { proxyError } from "../../errors.ts";
import { EMPTY_SHA256, hmacHexMatches } from "../../sigv4/signing_key.ts";
import { fail } from "./failures.ts";

/** How chunks are signed, when they are. */
export interface ChunkSigning {
  readonly signingKey: Uint8Array;
  readonly amzDate: string;
  readonly scope: string;
  /** The request's own signature, which the chain starts from. */
  readonly seedSignature: string;
}

/** Checks signatures in order; each failure errors the stream. */
export interface SignatureChain {
  /** Checks a chunk's signature over its data's SHA-256 (hex) and moves the chain on. */
  verifyChunk(signature: string, dataHash: string): void;
  /** Checks the trailer's signature over the canonical trailer's SHA-256 (hex). */
  verifyTrailer(canonicalHash: string, signature: string): void;
}

const mismatch = (what: string) =>
  fail(
    proxyError(
      "SignatureDoesNotMatch",
      `The ${what} signature we calculated does not match the signature you provided.`,
    ),
  );

/** A chain that starts from the request's seed signature. */
export function signatureChain(s: ChunkSigning): SignatureChain {
  let previous = s.seedSignature;
  return {
    verifyChunk(signature, dataHash) {
      const sts = `AWS4-HMAC-SHA256-PAYLOAD\n${s.amzDate}\n${s.scope}\n${previous}\n` +
        `${EMPTY_SHA256}\n${dataHash}`;
      if (!hmacHexMatches(s.signingKey, sts, signature)) mismatch("chunk");
      previous = signature;
    },
    verifyTrailer(canonicalHash, signature) {
      const sts =
        `AWS4-HMAC-SHA256-TRAILER\n${s.amzDate}\n${s.scope}\n${previous}\n${canonicalHash}`;
      if (!hmacHexMatches(s.signingKey, sts, signature)) mismatch("trailer");
    },
  };
}
