/** Byte limits on streamed and buffered request bodies. */
import { type ProxyError, proxyError, ProxyStreamError } from "../errors.ts";
import { err, ok, type Result } from "../result.ts";
import { concatBytes } from "../bytes.ts";

/** A pass-through stream that errors with `onExceed` once more than `max` bytes went through. */
export function byteLimit(
  max: number,
  onExceed: ProxyError,
): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0;
  return new TransformStream({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > max) throw new ProxyStreamError(onExceed);
      controller.enqueue(chunk);
    },
  });
}

/**
 * Reads a whole stream into one buffer; undefined (and the stream cancelled)
 * once it holds more than `max` bytes. Errors of the stream are thrown.
 */
export async function collect(
  body: ReadableStream<Uint8Array>,
  max = Number.POSITIVE_INFINITY,
): Promise<Uint8Array | undefined> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return concatBytes(chunks);
}

/**
 * Reads a small body (an XML document) into a string, refusing more than
 * `max` bytes with `onExceed` without reading further.
 */
export async function readSmallBody(
  body: ReadableStream<Uint8Array> | null,
  max: number,
  onExceed: ProxyError,
): Promise<Result<string, ProxyError>> {
  if (!body) return ok("");
  try {
    const bytes = await collect(body, max);
    return bytes ? ok(new TextDecoder().decode(bytes)) : err(onExceed);
  } catch (e) {
    if (e instanceof ProxyStreamError) return err(e.proxy);
    return err(proxyError("IncompleteBody", "The request body could not be read completely", e));
  }
}
