/** An MD5 computed over a stream as it passes (Azure wants block MD5s; S3 ETags are MD5s). */
import { createHash, type Hash } from "node:crypto";

/** The stream to read instead of `stream`, and the hash of what it passed so far. */
export function md5Tap(stream: ReadableStream<Uint8Array>): {
  stream: ReadableStream<Uint8Array>;
  hash: Hash;
} {
  const hash = createHash("md5");
  const tap = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, c) {
      hash.update(chunk);
      c.enqueue(chunk);
    },
  });
  return { stream: stream.pipeThrough(tap), hash };
}
