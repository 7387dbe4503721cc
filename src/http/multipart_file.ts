/**
 * The file of a `multipart/form-data` body as a stream of exactly its bytes.
 * The file is the form's last part, so its length is known before any of it
 * is read: the request's Content-Length less the bytes before the file's data
 * and the closing delimiter (`closingDelimiter`). The stream checks, as the
 * bytes pass, that the delimiter appears nowhere inside the file (another
 * part after it) and that the body ends with exactly the closing delimiter;
 * it holds back the file's last byte until then, so a store that commits
 * once it has the declared length never commits a malformed upload.
 */
import { concatBytes } from "../bytes.ts";
import { type ProxyError, ProxyStreamError } from "../errors.ts";
import { incompleteBody, indexOfBytes, malformedPost } from "./multipart_form.ts";

/** The bytes that end a form after its last part: CRLF `--boundary--` CRLF. */
export function closingDelimiter(boundary: string): Uint8Array {
  return new TextEncoder().encode(`\r\n--${boundary}--\r\n`);
}

function fail(e: ProxyError): never {
  throw new ProxyStreamError(e);
}

/** What the file stream is told. */
export interface FileDataOptions {
  readonly boundary: string;
  /** The file's length in bytes. */
  readonly length: number;
}

/** Passes on the file's `length` bytes, then checks the closing delimiter. */
class FileData implements Transformer<Uint8Array, Uint8Array> {
  readonly #length: number;
  readonly #closing: Uint8Array;
  /** CRLF `--boundary`: another part's start, never inside the file. */
  readonly #delimiter: Uint8Array;
  #seen = 0;
  #tail: Uint8Array[] = [];
  #tailBytes = 0;
  #carry: Uint8Array = new Uint8Array(0);
  #held: Uint8Array | undefined;

  constructor(o: FileDataOptions) {
    this.#length = o.length;
    this.#closing = closingDelimiter(o.boundary);
    this.#delimiter = new TextEncoder().encode(`\r\n--${o.boundary}`);
  }

  transform(chunk: Uint8Array, c: TransformStreamDefaultController<Uint8Array>): void {
    const take = Math.min(chunk.length, this.#length - this.#seen);
    const file = chunk.subarray(0, take);
    if (take < chunk.length) this.#keepTail(chunk.subarray(take));
    if (take === 0) return;
    this.#scan(file);
    this.#seen += take;
    if (this.#seen < this.#length) {
      c.enqueue(file);
      return;
    }
    // The file's last byte waits for the closing delimiter.
    if (file.length > 1) c.enqueue(file.subarray(0, file.length - 1));
    this.#held = file.subarray(file.length - 1);
  }

  flush(c: TransformStreamDefaultController<Uint8Array>): void {
    if (this.#seen < this.#length || this.#tailBytes < this.#closing.length) {
      fail(incompleteBody());
    }
    const tail = concatBytes(this.#tail);
    if (indexOfBytes(tail, this.#closing) !== 0) {
      fail(malformedPost("the body does not end the file's part"));
    }
    if (this.#held) c.enqueue(this.#held);
  }

  #keepTail(bytes: Uint8Array): void {
    this.#tailBytes += bytes.length;
    if (this.#tailBytes > this.#closing.length) {
      fail(malformedPost("bytes after the closing delimiter"));
    }
    this.#tail.push(bytes.slice());
  }

  /** Fails when the delimiter starts in the file (across chunks too). */
  #scan(file: Uint8Array): void {
    const d = this.#delimiter;
    const edge = concatBytes([this.#carry, file.subarray(0, d.length - 1)]);
    if (indexOfBytes(edge, d) >= 0 || indexOfBytes(file, d) >= 0) {
      fail(malformedPost("the file is not the last field of the form"));
    }
    const keep = d.length - 1;
    this.#carry = file.length >= keep
      ? file.slice(file.length - keep)
      : concatBytes([this.#carry, file]).slice(-keep);
  }
}

/**
 * The file's bytes of a form body read from the file's first byte
 * (`FormHead.rest`): erroring with MalformedPOSTRequest when another part
 * follows the file or the body does not end with the closing delimiter, and
 * with IncompleteBody when it ends early.
 */
export function fileData(options: FileDataOptions): TransformStream<Uint8Array, Uint8Array> {
  return new TransformStream(new FileData(options));
}
