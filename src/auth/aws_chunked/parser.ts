/**
 * The aws-chunked framing as a state machine over the bytes of a body:
 * chunk-header lines (`size[;chunk-signature=…]\r\n`), the data and its CRLF,
 * then the trailer section. Payload bytes go out as they arrive; a check that
 * fails throws a ProxyStreamError (see failures.ts).
 */
import { createHash, type Hash } from "node:crypto";
import type { ChecksumAlgorithm } from "../../checksum/algorithm.ts";
import { createHasher, type Hasher } from "../../checksum/hasher.ts";
import { proxyError } from "../../errors.ts";
import { EMPTY_SHA256 } from "../../sigv4/signing_key.ts";
import { badFraming, fail, incomplete } from "./failures.ts";
import { type ChunkSigning, type SignatureChain, signatureChain } from "./signature_chain.ts";
import { checkTrailer } from "./trailer.ts";

/** Longest chunk-header or trailer line accepted. */
export const MAX_LINE = 4096;
/** Largest chunk accepted. */
export const MAX_CHUNK = 64 * 1024 * 1024;
/** Largest trailer section accepted. */
export const MAX_TRAILER = 4096;

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

type State = "header" | "data" | "data-crlf" | "trailer" | "done";

const CR = 0x0d;
const LF = 0x0a;

/** One body's decoding: feed it the body's chunks, then end it. */
export class ChunkedParser {
  #state: State = "header";
  #line: number[] = [];
  #remaining = 0;
  #decoded = 0;
  #crlfSeen = 0;
  #chunkHash: Hash | undefined;
  #chunkSignature = "";
  #trailerLines: string[] = [];
  #trailerBytes = 0;
  readonly #o: AwsChunkedOptions;
  readonly #chain: SignatureChain | undefined;
  readonly #checksum: Hasher | undefined;

  constructor(o: AwsChunkedOptions) {
    this.#o = o;
    this.#chain = o.signing ? signatureChain(o.signing) : undefined;
    this.#checksum = o.trailerChecksum ? createHasher(o.trailerChecksum) : undefined;
  }

  /** Decodes the next bytes of the body, handing payload pieces to `emit`. */
  feed(chunk: Uint8Array, emit: (payload: Uint8Array) => void): void {
    let i = 0;
    while (i < chunk.length) {
      switch (this.#state) {
        case "header":
        case "trailer":
          this.#lineByte(chunk[i++]!);
          break;
        case "data":
          i = this.#data(chunk, i, emit);
          break;
        case "data-crlf":
          this.#dataCrlf(chunk[i++]!);
          break;
        case "done":
          // Tolerate trailing CR/LF; anything else is framing garbage.
          if (chunk[i] !== CR && chunk[i] !== LF) fail(badFraming("data after the final chunk"));
          i++;
          break;
      }
    }
  }

  /** The body ended: IncompleteBody unless the encoding (and its trailer) is complete. */
  end(): void {
    // A body that ends at a line boundary after the final chunk (no closing
    // empty line, as some clients send it) is complete: its trailer is still checked.
    if (this.#state === "trailer" && this.#line.length === 0) this.#finishTrailer();
    if (this.#state !== "done") fail(incomplete());
  }

  #lineByte(b: number): void {
    if (b !== LF) {
      this.#line.push(b);
      if (this.#line.length > MAX_LINE) fail(badFraming("line too long"));
      return;
    }
    if (this.#line.at(-1) !== CR) fail(badFraming("line not ended by CRLF"));
    this.#line.pop();
    const text = new TextDecoder().decode(new Uint8Array(this.#line));
    this.#line = [];
    if (this.#state === "header") this.#headerLine(text);
    else if (text === "") this.#finishTrailer();
    else this.#trailerLine(text);
  }

  #headerLine(text: string): void {
    const semi = text.indexOf(";");
    const sizeText = (semi < 0 ? text : text.slice(0, semi)).trim();
    if (!/^[0-9a-fA-F]{1,16}$/.test(sizeText)) {
      fail(badFraming(`bad chunk size '${sizeText.slice(0, 32)}'`));
    }
    const size = parseInt(sizeText, 16);
    if (size > MAX_CHUNK) fail(badFraming(`chunk of ${size} bytes exceeds ${MAX_CHUNK}`));
    if (this.#chain) {
      const ext = semi < 0 ? "" : text.slice(semi + 1).trim();
      const m = /^chunk-signature=([0-9a-f]{64})$/.exec(ext);
      if (!m) fail(proxyError("SignatureDoesNotMatch", "A chunk is missing its chunk-signature."));
      this.#chunkSignature = m![1]!;
      this.#chunkHash = createHash("sha256");
    }
    if (size === 0) {
      this.#chain?.verifyChunk(this.#chunkSignature, EMPTY_SHA256);
      this.#state = "trailer";
      return;
    }
    this.#remaining = size;
    this.#state = "data";
  }

  #data(chunk: Uint8Array, at: number, emit: (payload: Uint8Array) => void): number {
    const n = Math.min(this.#remaining, chunk.length - at);
    const piece = chunk.subarray(at, at + n);
    this.#remaining -= n;
    this.#decoded += n;
    const limit = this.#o.decodedLength;
    if (limit !== undefined && this.#decoded > limit) {
      fail(badFraming("more bytes than x-amz-decoded-content-length"));
    }
    this.#chunkHash?.update(piece);
    this.#checksum?.update(piece);
    emit(piece.slice());
    if (this.#remaining === 0) {
      this.#state = "data-crlf";
      this.#crlfSeen = 0;
    }
    return at + n;
  }

  #dataCrlf(b: number): void {
    if ((this.#crlfSeen === 0 && b !== CR) || (this.#crlfSeen === 1 && b !== LF)) {
      fail(badFraming("chunk data not followed by CRLF"));
    }
    if (++this.#crlfSeen < 2) return;
    this.#chain?.verifyChunk(this.#chunkSignature, this.#chunkHash!.digest("hex"));
    this.#state = "header";
  }

  #trailerLine(text: string): void {
    this.#trailerBytes += text.length;
    if (this.#trailerBytes > MAX_TRAILER) {
      fail(proxyError("MalformedTrailerError", "The trailer is too large."));
    }
    this.#trailerLines.push(text);
  }

  #finishTrailer(): void {
    const { trailer, trailerChecksum, decodedLength } = this.#o;
    checkTrailer(this.#trailerLines, {
      ...(trailer && this.#chain ? { chain: this.#chain } : {}),
      ...(trailerChecksum
        ? { checksum: { algorithm: trailerChecksum, hasher: this.#checksum! } }
        : {}),
    });
    if (decodedLength !== undefined && this.#decoded !== decodedLength) {
      fail(
        proxyError(
          "IncompleteBody",
          `The decoded body has ${this.#decoded} bytes; x-amz-decoded-content-length says ${decodedLength}.`,
        ),
      );
    }
    this.#state = "done";
  }
}
