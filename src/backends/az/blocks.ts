/**
 * Cutting an upload into Azure blocks without holding it in memory: a body of
 * known length becomes streamed slices of a fixed size; a body of unknown
 * length becomes buffered blocks of a few MiB. Block ids are fixed-length, as
 * Azure requires within one blob.
 */
import { Buffer } from "node:buffer";
import { proxyError, ProxyStreamError } from "../../errors.ts";
import type { HttpBody } from "../http/send.ts";

/** Azure block id (base64) for `<48-hex id>-<5-digit number>`. */
export function blockId(id: string, n: number): string {
  return Buffer.from(`${id}-${String(n).padStart(5, "0")}`).toString("base64");
}

/**
 * Azure block id (base64) of one upload of part `n` of upload `id`: its own
 * random suffix, so two uploads of one part never share a block; every id has
 * the same length, as Azure requires within one blob.
 */
export function partBlockId(id: string, n: number): string {
  // 48 + 1 + 5 + 1 + 8 = 63 bytes: Azure allows 64 before base64.
  const nonce = crypto.randomUUID().replace(/-/g, "").slice(0, 8);
  return Buffer.from(`${id}-${String(n).padStart(5, "0")}-${nonce}`).toString("base64");
}

/** A reader that can put back the unread rest of a chunk. */
class ChunkReader {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #pending: Uint8Array | undefined;

  constructor(reader: ReadableStreamDefaultReader<Uint8Array>) {
    this.#reader = reader;
  }

  /** The next chunk (a put-back rest first), or undefined at the end. */
  async next(): Promise<Uint8Array | undefined> {
    if (this.#pending) {
      const p = this.#pending;
      this.#pending = undefined;
      return p;
    }
    const r = await this.#reader.read();
    return r.done ? undefined : r.value;
  }

  /** Puts back what a block did not take. */
  putBack(rest: Uint8Array): void {
    this.#pending = rest;
  }

  /** Reads the input to its end: an error rejects, as do bytes beyond the declared length. */
  async ended(): Promise<void> {
    for (let chunk = await this.next(); chunk; chunk = await this.next()) {
      if (chunk.byteLength > 0) {
        throw new ProxyStreamError(
          proxyError("InvalidRequest", "The request body is longer than its declared length"),
        );
      }
    }
  }
}

/**
 * One streamed slice of `size` bytes; `finished` settles once it was read to
 * its end or cancelled. The last slice (`final`) ends only with its input.
 */
function slice(
  input: ChunkReader,
  c: { readonly size: number; readonly final: boolean },
): { stream: ReadableStream<Uint8Array>; finished: Promise<void> } {
  let remaining = c.size;
  let done!: () => void;
  const finished = new Promise<void>((r) => done = r);
  const stream = new ReadableStream<Uint8Array>({
    async pull(ctl) {
      if (remaining === 0) {
        // The last slice ends only with its input: a verifying stage upstream fails at
        // the input's end, and the transport completes a block only once its slice ended
        // cleanly, so a body that fails verification leaves no last block (and no commit).
        if (c.final) await input.ended();
        ctl.close();
        done();
        return;
      }
      const chunk = await input.next();
      if (!chunk) {
        ctl.close();
        done();
        return;
      }
      const take = chunk.subarray(0, remaining);
      if (chunk.byteLength > remaining) input.putBack(chunk.subarray(remaining));
      remaining -= take.byteLength;
      ctl.enqueue(take);
    },
    cancel() {
      done();
    },
  });
  return { stream, finished };
}

/** A body of known length as streamed slices of `blockSize` bytes, each read before the next. */
async function* slices(
  input: ChunkReader,
  c: { readonly length: number; readonly blockSize: number },
): AsyncGenerator<HttpBody> {
  for (let left = c.length; left > 0;) {
    const size = Math.min(c.blockSize, left);
    left -= size;
    const s = slice(input, { size, final: left === 0 });
    yield { kind: "stream", stream: s.stream, length: size };
    await s.finished;
  }
  // An empty body has no last slice to check its end.
  if (c.length === 0) await input.ended();
}

/** A body of unknown length as buffered blocks of up to `bufferSize` bytes. */
async function* buffered(input: ChunkReader, bufferSize: number): AsyncGenerator<HttpBody> {
  for (;;) {
    const parts: Uint8Array[] = [];
    let size = 0;
    while (size < bufferSize) {
      const chunk = await input.next();
      if (!chunk) break;
      const take = chunk.subarray(0, bufferSize - size);
      if (chunk.byteLength > take.byteLength) input.putBack(chunk.subarray(take.byteLength));
      parts.push(take);
      size += take.byteLength;
    }
    if (size === 0) return;
    yield { kind: "bytes", bytes: Buffer.concat(parts) };
    if (size < bufferSize) return;
  }
}

/**
 * Splits a stream into block bodies. With `length` known, each block is a
 * slice streamed straight through (`blockSize` bytes, the last shorter); with
 * `length` unknown, blocks of up to `bufferSize` bytes are collected first.
 * The returned stream ends when the input does; an input error rejects.
 */
export async function* blocksOf(
  stream: ReadableStream<Uint8Array>,
  length: number | undefined,
  sizes: { readonly blockSize: number; readonly bufferSize: number },
): AsyncGenerator<HttpBody> {
  const reader = stream.getReader();
  const input = new ChunkReader(reader);
  try {
    if (length !== undefined) yield* slices(input, { length, blockSize: sizes.blockSize });
    else yield* buffered(input, sizes.bufferSize);
  } finally {
    reader.releaseLock();
  }
}
