/**
 * An upload of unknown length, read to its end to learn its length before a
 * store that needs one takes it: in memory while the process's upload buffer
 * (upload_buffer.ts) has room, else spooled to a temporary file. The file is
 * unlinked as soon as it is open (Linux keeps an open file), so nothing is
 * left behind even if the process dies; where that fails, `dispose` removes it.
 */
import { type ProxyError, proxyError, toProxyError } from "../errors.ts";
import { err, ok, type Result } from "../result.ts";
import type { UploadBuffer } from "./upload_buffer.ts";

/** How much of a spool file one read of its stream takes. */
const SPOOL_READ_BYTES = 256 * 1024;

/** A body read to its end: its length, and its bytes once, as a stream. */
export interface GatheredBody {
  readonly length: number;
  /** The bytes; memory goes back to the buffer as they are read. */
  readonly stream: ReadableStream<Uint8Array>;
  /** Frees what is left: memory back to the buffer, the file closed (and removed). Idempotent. */
  dispose(): Promise<void>;
}

/** Where a body may be gathered. */
export interface GatherOptions {
  /** The most bytes gathered; a longer body is refused (undefined) without reading on. */
  readonly limit: number;
  readonly buffer: UploadBuffer;
  /** The directory of spool files. @default the system's temporary directory */
  readonly tempDir?: string | undefined;
}

/**
 * Reads `stream` to its end. Undefined when it is longer than `limit`; a
 * failing stream is its error (IncompleteBody unless it says otherwise), a
 * spool file that cannot be written an Internal error.
 */
export async function gatherBody(
  stream: ReadableStream<Uint8Array>,
  o: GatherOptions,
): Promise<Result<GatheredBody | undefined, ProxyError>> {
  const reader = stream.getReader();
  const held = new HeldChunks(o.buffer);
  let spool: Spool | undefined;
  let length = 0;
  const release = async () => {
    held.free();
    await spool?.dispose();
    await reader.cancel().catch(() => {});
  };
  const fail = async (e: ProxyError) => {
    await release();
    return err(e);
  };
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (e) {
      return await fail(toProxyError(e, "IncompleteBody"));
    }
    if (chunk.done) break;
    const bytes = chunk.value;
    length += bytes.byteLength;
    if (length > o.limit) {
      await release();
      return ok(undefined);
    }
    if (!spool && held.add(bytes)) continue;
    try {
      spool ??= await openSpool(o.tempDir);
      for (const c of held.drain()) await spool.write(c);
      await spool.write(bytes);
    } catch (e) {
      return await fail(proxyError("Internal", "The upload could not be spooled", e));
    }
  }
  if (!spool) return ok(held.body(length));
  try {
    return ok(await spool.body(length));
  } catch (e) {
    return await fail(proxyError("Internal", "The upload could not be spooled", e));
  }
}

/** Chunks held in memory, each counted in the buffer until it is read or freed. */
class HeldChunks {
  readonly #buffer: UploadBuffer;
  #chunks: Uint8Array[] = [];
  #bytes = 0;

  constructor(buffer: UploadBuffer) {
    this.#buffer = buffer;
  }

  /** Keeps `chunk` when the buffer has room for it. */
  add(chunk: Uint8Array): boolean {
    if (!this.#buffer.take(chunk.byteLength)) return false;
    this.#chunks.push(chunk);
    this.#bytes += chunk.byteLength;
    return true;
  }

  /** Hands every chunk over (to a spool file) and gives their memory back. */
  drain(): Uint8Array[] {
    const chunks = this.#chunks;
    this.free();
    return chunks;
  }

  /** Gives back what is still held. */
  free(): void {
    this.#buffer.give(this.#bytes);
    this.#chunks = [];
    this.#bytes = 0;
  }

  /** The held chunks as a body, each given back as it is read. */
  body(length: number): GatheredBody {
    const next = () => {
      const c = this.#chunks.shift();
      if (c) {
        this.#bytes -= c.byteLength;
        this.#buffer.give(c.byteLength);
      }
      return c;
    };
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const c = next();
        if (c) controller.enqueue(c);
        else controller.close();
      },
      cancel: () => this.free(),
    }, { highWaterMark: 0 }); // nothing is read (and given back) before it is asked for
    return { length, stream, dispose: () => Promise.resolve(this.free()) };
  }
}

/** A temporary file an upload is written to, then read back from its start. */
interface Spool {
  write(bytes: Uint8Array): Promise<void>;
  body(length: number): Promise<GatheredBody>;
  dispose(): Promise<void>;
}

/** Creates a spool file, unlinked at once where the system allows. */
async function openSpool(dir: string | undefined): Promise<Spool> {
  const path = await Deno.makeTempFile({ prefix: "bucketgate-upload-", ...(dir ? { dir } : {}) });
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true, write: true });
  } catch (e) {
    await Deno.remove(path).catch(() => {});
    throw e;
  }
  let removed = await Deno.remove(path).then(() => true, () => false);
  let closed = false;
  const dispose = async () => {
    if (!closed) {
      closed = true;
      file.close();
    }
    if (!removed) removed = await Deno.remove(path).then(() => true, () => false);
  };
  return {
    async write(bytes) {
      for (let at = 0; at < bytes.byteLength;) at += await file.write(bytes.subarray(at));
    },
    async body(length) {
      await file.seek(0, Deno.SeekMode.Start);
      const stream = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const buf = new Uint8Array(SPOOL_READ_BYTES);
          const n = closed ? null : await file.read(buf);
          if (n === null) {
            await dispose();
            controller.close();
          } else controller.enqueue(buf.subarray(0, n));
        },
        cancel: () => dispose(),
      }, { highWaterMark: 0 });
      return { length, stream, dispose };
    },
    dispose,
  };
}
