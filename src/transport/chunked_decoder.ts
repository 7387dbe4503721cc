/**
 * The chunked transfer coding (RFC 9112 §7.1), decoded as bytes arrive:
 * a state machine fed whatever a read returned. Chunk data comes out as
 * views of the input (no copy). Size lines are bounded (extensions are
 * skipped), trailer fields are read and dropped within a bound, and anything
 * else than the grammar is MalformedResponse.
 */
import { TransportError } from "./transport_error.ts";

/** What one `push` decoded. */
export interface ChunkedOutput {
  /** Chunk data, views of the pushed bytes. */
  readonly data: Uint8Array[];
  /** Once the body ended: the bytes after it (empty when none), else undefined. */
  readonly rest: Uint8Array | undefined;
}

/** Options of a ChunkedDecoder. */
export interface ChunkedDecoderOptions {
  /** Longest size line, extensions included. @default 4096 */
  readonly maxLineBytes?: number;
  /** Largest trailer section. @default 65536 */
  readonly maxTrailerBytes?: number;
}

const CR = 0x0d;
const LF = 0x0a;
const MAX_DIGITS = 13; // 16^13 = 2^52: every size is a safe integer

type State =
  | "size"
  | "sizeBws"
  | "ext"
  | "sizeLf"
  | "data"
  | "dataCr"
  | "dataLf"
  | "trailerStart"
  | "trailerLine"
  | "trailerLf"
  | "endLf"
  | "done";

function hex(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  const l = b | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

function malformed(what: string): TransportError {
  return new TransportError("MalformedResponse", `Cannot decode the chunked body: ${what}`);
}

/** Decodes a chunked body pushed piece by piece. */
export class ChunkedDecoder {
  #state: State = "size";
  #size = 0;
  #digits = 0;
  #remaining = 0;
  #line = 0;
  #trailer = 0;
  readonly #maxLine: number;
  readonly #maxTrailer: number;

  constructor(options: ChunkedDecoderOptions = {}) {
    this.#maxLine = options.maxLineBytes ?? 4096;
    this.#maxTrailer = options.maxTrailerBytes ?? 65536;
  }

  /** Whether the last chunk and the trailer section have been read. */
  get done(): boolean {
    return this.#state === "done";
  }

  /** Decodes the next bytes; throws MalformedResponse. */
  push(bytes: Uint8Array): ChunkedOutput {
    const data: Uint8Array[] = [];
    let i = 0;
    const n = bytes.length;
    while (i < n) {
      if (this.#state === "data") {
        const take = Math.min(this.#remaining, n - i);
        data.push(bytes.subarray(i, i + take));
        i += take;
        this.#remaining -= take;
        if (this.#remaining === 0) this.#state = "dataCr";
        continue;
      }
      if (this.#state === "done") break;
      this.#step(bytes[i]!);
      i++;
    }
    return { data, rest: this.#state === "done" ? bytes.subarray(i) : undefined };
  }

  #step(b: number): void {
    switch (this.#state) {
      case "size": {
        const d = hex(b);
        if (d >= 0) {
          if (++this.#digits > MAX_DIGITS) throw malformed("a chunk size of over 13 hex digits");
          this.#size = this.#size * 16 + d;
        } else if (this.#digits === 0) throw malformed("a size line without a size");
        else if (b === 0x20 || b === 0x09) this.#state = "sizeBws";
        else if (b === 0x3b) this.#state = "ext";
        else if (b === CR) this.#state = "sizeLf";
        else throw malformed(`byte 0x${b.toString(16)} in a chunk size`);
        return this.#countLine();
      }
      case "sizeBws":
        if (b === 0x3b) this.#state = "ext";
        else if (b !== 0x20 && b !== 0x09) throw malformed("white space not before an extension");
        return this.#countLine();
      case "ext":
        if (b === CR) this.#state = "sizeLf";
        else if ((b < 0x20 && b !== 0x09) || b === 0x7f) {
          throw malformed(`byte 0x${b.toString(16)} in a chunk extension`);
        }
        return this.#countLine();
      case "sizeLf":
        if (b !== LF) throw malformed("a size line not ended by CRLF");
        this.#line = 0;
        this.#digits = 0;
        if (this.#size === 0) this.#state = "trailerStart";
        else {
          this.#remaining = this.#size;
          this.#size = 0;
          this.#state = "data";
        }
        return;
      case "dataCr":
        if (b !== CR) throw malformed("chunk data longer than its size");
        this.#state = "dataLf";
        return;
      case "dataLf":
        if (b !== LF) throw malformed("chunk data not ended by CRLF");
        this.#state = "size";
        return;
      case "trailerStart":
        this.#countTrailer();
        if (b === CR) this.#state = "endLf";
        else if (b === LF || b === 0x20 || b === 0x09) throw malformed("a trailer line");
        else this.#state = "trailerLine";
        return;
      case "trailerLine":
        this.#countTrailer();
        if (b === CR) this.#state = "trailerLf";
        else if (b === LF || b === 0) throw malformed("a trailer line with a bare LF or NUL");
        return;
      case "trailerLf":
        this.#countTrailer();
        if (b !== LF) throw malformed("a trailer line not ended by CRLF");
        this.#state = "trailerStart";
        return;
      case "endLf":
        if (b !== LF) throw malformed("the last chunk not ended by CRLF");
        this.#state = "done";
        return;
      case "data":
      case "done":
        return; // handled by push
    }
  }

  #countLine(): void {
    if (++this.#line > this.#maxLine) throw malformed(`a size line of over ${this.#maxLine} bytes`);
  }

  #countTrailer(): void {
    if (++this.#trailer > this.#maxTrailer) {
      throw malformed(`a trailer section of over ${this.#maxTrailer} bytes`);
    }
  }
}
