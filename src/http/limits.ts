/** Byte limits on streamed and buffered request bodies. */
import { type ProxyError, proxyError, ProxyStreamError } from "../errors.ts";
import { err, ok, type Result } from "../result.ts";

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
 * Reads a small body (an XML document) into a string, refusing more than
 * `max` bytes with `onExceed` without reading further.
 */
export async function readSmallBody(
  body: ReadableStream<Uint8Array> | null,
  max: number,
  onExceed: ProxyError,
): Promise<Result<string, ProxyError>> {
  if (!body) return ok("");
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > max) {
        await reader.cancel();
        return err(onExceed);
      }
      chunks.push(value);
    }
  } catch (e) {
    if (e instanceof ProxyStreamError) return err(e.proxy);
    return err(proxyError("IncompleteBody", "The request body could not be read completely", e));
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return ok(new TextDecoder().decode(bytes));
}
