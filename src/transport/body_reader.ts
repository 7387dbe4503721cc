/**
 * A response body as a stream, read off its connection as the consumer
 * pulls, by its framing: a Content-Length (an early end is Truncated, never
 * silently short), chunked, or until the server closes. Once the body has
 * been read to its end the connection is handed back for reuse; a body
 * cancelled, failed or followed by bytes nobody asked for closes it.
 */
import { ChunkedDecoder } from "./chunked_decoder.ts";
import type { BodyFraming } from "./framing.ts";
import { TransportError } from "./transport_error.ts";

/** Where a body's bytes come from and where its connection goes after it. */
export interface BodySource {
  /** Bytes already read past the head. */
  readonly rest: Uint8Array;
  /** Reads at most `max` bytes into a fresh buffer; null at the end of the stream. */
  read(max: number): Promise<Uint8Array | null>;
  /** The body is over: `reusable` when it was read to its end and nothing followed. */
  finish(reusable: boolean): void;
  /** Registers the stream's undoing, run when the exchange fails (timeout, abort). */
  onFail(hook: (reason: unknown) => void): void;
}

/** Options of `bodyStream`. */
export interface BodyStreamOptions {
  /** Whether the connection may carry another request after this body. */
  readonly keepAlive: boolean;
  /** Bytes per socket read. */
  readonly readBytes: number;
}

function truncated(what: string): TransportError {
  return new TransportError("Truncated", `Cannot read the response body: ${what}`);
}

/**
 * The whole body when it came with the head (a Content-Length body no
 * longer than the bytes read past it): the connection is released at once
 * and no stream need be made. Undefined otherwise (nothing is done then).
 */
export function bodyInHand(
  src: BodySource,
  framing: BodyFraming,
  o: BodyStreamOptions,
): Uint8Array<ArrayBuffer> | undefined {
  if (framing.kind !== "length" || src.rest.length < framing.length) return undefined;
  src.finish(o.keepAlive && src.rest.length === framing.length);
  return src.rest.subarray(0, framing.length) as Uint8Array<ArrayBuffer>;
}

/** A stream of bytes already read. */
export function whole(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(c) {
      if (bytes.length > 0) c.enqueue(bytes);
      c.close();
    },
  });
}

/** The body of a response as a stream; null for `none` (the connection is released at once). */
export function bodyStream(
  src: BodySource,
  framing: BodyFraming,
  o: BodyStreamOptions,
): ReadableStream<Uint8Array> | null {
  switch (framing.kind) {
    case "none":
      src.finish(o.keepAlive && src.rest.length === 0);
      return null;
    case "length":
      return lengthBody(src, framing.length, o);
    case "chunked":
      return chunkedBody(src, o);
    case "close":
      return closeBody(src, o);
  }
}

/** Runs a pull step; on error, finishes the source unreusable and rethrows (the stream errors). */
async function guarded(src: BodySource, step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (e) {
    src.finish(false);
    throw e;
  }
}

function lengthBody(
  src: BodySource,
  length: number,
  o: BodyStreamOptions,
): ReadableStream<Uint8Array> {
  if (src.rest.length >= length) {
    src.finish(o.keepAlive && src.rest.length === length);
    return whole(src.rest.subarray(0, length));
  }
  let remaining = length - src.rest.length;
  return sourceStream(src, async (c) => {
    const bytes = await src.read(Math.min(remaining, o.readBytes));
    if (bytes === null) {
      throw truncated(`the connection closed ${remaining} bytes before its end`);
    }
    remaining -= bytes.length;
    c.enqueue(bytes);
    if (remaining === 0) {
      src.finish(o.keepAlive);
      c.close();
    }
  });
}

function chunkedBody(src: BodySource, o: BodyStreamOptions): ReadableStream<Uint8Array> {
  const decoder = new ChunkedDecoder();
  let ended = false;
  /** Decodes `bytes` into the stream; whether any data came of them. */
  const feed = (c: ReadableStreamDefaultController<Uint8Array>, bytes: Uint8Array) => {
    const out = decoder.push(bytes);
    let queued = false;
    for (const d of out.data) {
      if (d.length === 0) continue;
      c.enqueue(d);
      queued = true;
    }
    if (out.rest !== undefined) {
      ended = true;
      src.finish(o.keepAlive && out.rest.length === 0);
      c.close();
    }
    return queued;
  };
  return new ReadableStream<Uint8Array>({
    start(c) {
      try {
        feed(c, src.rest);
      } catch (e) {
        src.finish(false);
        throw e;
      }
      if (!ended) src.onFail((reason) => c.error(reason));
    },
    pull: (c) =>
      guarded(src, async () => {
        // A pull enqueues or closes: size lines alone are read past.
        while (!ended) {
          const bytes = await src.read(o.readBytes);
          if (bytes === null) throw truncated("the connection closed before its last chunk");
          if (feed(c, bytes)) return;
        }
      }),
    cancel: () => src.finish(false),
  });
}

function closeBody(src: BodySource, o: BodyStreamOptions): ReadableStream<Uint8Array> {
  return sourceStream(src, async (c) => {
    const bytes = await src.read(o.readBytes);
    if (bytes === null) {
      src.finish(false);
      c.close();
    } else c.enqueue(bytes);
  });
}

/** A stream of the bytes read past the head, then of what `pull` reads; cancelling lets the socket go. */
function sourceStream(
  src: BodySource,
  pull: (c: ReadableStreamDefaultController<Uint8Array>) => Promise<void>,
): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(c) {
      if (src.rest.length > 0) c.enqueue(src.rest);
      src.onFail((reason) => c.error(reason));
    },
    pull: (c) => guarded(src, () => pull(c)),
    cancel: () => src.finish(false),
  });
}
