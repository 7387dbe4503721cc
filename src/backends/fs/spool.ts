/**
 * Writing a request body to a new temp file: read in large batches, one
 * batch written while the next is read, hashed (MD5) on the way. A body that
 * fails, stalls or is short leaves no temp file; only a whole body is ever
 * renamed into place (see commit.ts).
 */
import { createHash } from "node:crypto";
import { type ProxyError, proxyError, toProxyError } from "../../errors.ts";
import { err, ok, type Result } from "../../result.ts";
import { batchReader } from "../../streams/batches.ts";
import { requestTimeout, watchTransfer } from "../../streams/idle.ts";
import type { FsContext } from "./context.ts";
import { ioError } from "./errors.ts";

/** Bytes gathered from an upload's chunks before they are written. */
const WRITE_BATCH = 1024 * 1024;

/** A body written to a temp file. */
export interface Spooled {
  readonly path: string;
  readonly size: number;
  /** Hex MD5 of the bytes. */
  readonly md5: string;
}

/** Options of `spool`. */
export interface SpoolOptions {
  /** The Content-Length the body must have, when one was sent. */
  readonly expected?: number | undefined;
  /** The request's signal: a client idle for the timeout is cut (streams/idle.ts). */
  readonly signal?: AbortSignal | undefined;
}

/** Writes all of `chunk` (a write may take only part of it). */
export async function writeAll(file: Deno.FsFile, chunk: Uint8Array): Promise<void> {
  let at = 0;
  while (at < chunk.byteLength) at += await file.write(chunk.subarray(at));
}

/**
 * One write in flight behind the reads. It never rejects (an unhandled
 * rejection would end the process): its error is kept and thrown by `settle`.
 */
class WriteBehind {
  #writing: Promise<void> = Promise.resolve();
  #error: { cause: unknown } | undefined;
  readonly #file: Deno.FsFile;

  constructor(file: Deno.FsFile) {
    this.#file = file;
  }

  /** Starts writing `bytes`; `done` runs once they are written. */
  start(bytes: Uint8Array, done: () => void): void {
    this.#writing = writeAll(this.#file, bytes).then(done, (cause) => {
      this.#error = { cause };
    });
  }

  /** Waits for the write in flight; throws its error, if it failed. */
  async settle(): Promise<void> {
    await this.#writing;
    if (this.#error) throw this.#error.cause;
  }

  /** Waits for the write in flight, whatever its outcome. */
  async drain(): Promise<void> {
    await this.#writing;
  }
}

/** What pumping a body into a file gave. */
interface Pumped {
  readonly size: number;
  readonly md5: string;
  readonly failed?: ProxyError;
}

/**
 * Pumps `body` into `file` and closes it. A failure to read is the client's
 * (a short or bad body); a failure to write is the disk's (full, over quota):
 * each gets its own error.
 */
async function pump(
  file: Deno.FsFile,
  body: ReadableStream<Uint8Array>,
  signal: AbortSignal | undefined,
): Promise<Pumped> {
  const h = createHash("md5");
  let size = 0;
  let failed: ProxyError | undefined;
  // A client that stops sending for the idle timeout is cut: the pending read ends.
  const transfer = watchTransfer(signal, () => void batches.cancel());
  const batches = batchReader(body, WRITE_BATCH, (n) => void (transfer.moved += n));
  const writer = new WriteBehind(file);
  try {
    for (;;) {
      let bytes: Uint8Array | undefined;
      try {
        bytes = await batches.next();
      } catch (e) {
        failed = toProxyError(e, "IncompleteBody");
        break;
      }
      if (!bytes) break;
      h.update(bytes);
      size += bytes.byteLength;
      try {
        await writer.settle();
      } catch (e) {
        failed = ioError(e);
        await batches.cancel();
        break;
      }
      const written = bytes;
      writer.start(written, () => batches.release(written));
    }
    if (!failed) {
      try {
        await writer.settle();
      } catch (e) {
        failed = ioError(e);
      }
    }
  } finally {
    await writer.drain();
    transfer.end();
    file.close();
  }
  if (transfer.cut) failed = requestTimeout();
  return { size, md5: h.digest("hex"), ...(failed ? { failed } : {}) };
}

/** Streams `body` into a new temp file; returns its path, size and MD5. */
export async function spool(
  ctx: FsContext,
  body: ReadableStream<Uint8Array>,
  o: SpoolOptions = {},
): Promise<Result<Spooled, ProxyError>> {
  const path = ctx.layout.tmp();
  let file: Deno.FsFile;
  try {
    await ctx.ensureDirs();
    file = await Deno.open(path, { write: true, createNew: true });
  } catch (e) {
    await body.cancel().catch(() => {});
    return err(ioError(e));
  }
  const pumped = await pump(file, body, o.signal);
  const failed = pumped.failed ??
    (o.expected !== undefined && pumped.size !== o.expected
      ? proxyError(
        "IncompleteBody",
        "You did not provide the number of bytes specified by the Content-Length HTTP header.",
      )
      : undefined);
  if (failed) {
    await Deno.remove(path).catch(() => {});
    return err(failed);
  }
  return ok({ path, size: pumped.size, md5: pumped.md5 });
}
