/**
 * Cutting an upload into Azure blocks without holding it in memory: a body of
 * known length becomes streamed slices of a fixed size; a body of unknown
 * length becomes buffered blocks of a few MiB. Block ids are fixed-length, as
 * Azure requires within one blob.
 */
import { Buffer } from "node:buffer";
import { proxyError, ProxyStreamError } from "../../errors.ts";
import type { HttpBody } from "../s3/http.ts";

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
  let pending: Uint8Array | undefined;
  const next = async (): Promise<Uint8Array | undefined> => {
    if (pending) {
      const p = pending;
      pending = undefined;
      return p;
    }
    const r = await reader.read();
    return r.done ? undefined : r.value;
  };
  /** Reads the input to its end: an error rejects, as do bytes beyond `length`. */
  const ended = async () => {
    for (let chunk = await next(); chunk; chunk = await next()) {
      if (chunk.byteLength > 0) {
        throw new ProxyStreamError(
          proxyError("InvalidRequest", "The request body is longer than its declared length"),
        );
      }
    }
  };
  try {
    if (length !== undefined) {
      for (let left = length; left > 0;) {
        const size = Math.min(sizes.blockSize, left);
        left -= size;
        const final = left === 0;
        let remaining = size;
        let done!: () => void;
        const finished = new Promise<void>((r) => done = r);
        const slice = new ReadableStream<Uint8Array>({
          async pull(c) {
            if (remaining === 0) {
              // The last slice ends only with its input: a verifying stage upstream fails at
              // the input's end, and the transport completes a block only once its slice ended
              // cleanly, so a body that fails verification leaves no last block (and no commit).
              if (final) await ended();
              c.close();
              done();
              return;
            }
            const chunk = await next();
            if (!chunk) {
              c.close();
              done();
              return;
            }
            const take = chunk.subarray(0, remaining);
            if (chunk.byteLength > remaining) pending = chunk.subarray(remaining);
            remaining -= take.byteLength;
            c.enqueue(take);
          },
          cancel() {
            done();
          },
        });
        yield { kind: "stream", stream: slice, length: size };
        await finished;
      }
      // An empty body has no last slice to check its end.
      if (length === 0) await ended();
      return;
    }
    for (;;) {
      const parts: Uint8Array[] = [];
      let size = 0;
      while (size < sizes.bufferSize) {
        const chunk = await next();
        if (!chunk) break;
        const take = chunk.subarray(0, sizes.bufferSize - size);
        if (chunk.byteLength > take.byteLength) pending = chunk.subarray(take.byteLength);
        parts.push(take);
        size += take.byteLength;
      }
      if (size === 0) return;
      yield { kind: "bytes", bytes: Buffer.concat(parts) };
      if (size < sizes.bufferSize) return;
    }
  } finally {
    reader.releaseLock();
  }
}
