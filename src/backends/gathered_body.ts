/**
 * An upload of unknown length, read to its end to learn its length before a
 * store that needs one takes it: in memory while the process's upload buffer
 * (upload_buffer.ts) has room, else spooled to a temporary file. The file is
 * unlinked as soon as it is open (Linux keeps an open file), so nothing is
 * left behind even if the process dies; where that fails, `dispose` removes it.
 *
 * Memory is held in whole blocks, each counted in the buffer, and both ways
 * out are byte streams a BYOB reader fills in place (streams/batches.ts): a
 * spooled body is read from the file straight into the sender's batches, so
 * sending it makes no garbage for the collector to fall behind on.
 */
import { type ProxyError, proxyError, toProxyError } from "../errors.ts";
import { err, ok, type Result } from "../result.ts";
import { batchReader } from "../streams/batches.ts";
import type { UploadBuffer } from "./upload_buffer.ts";

/** The largest block of memory held, and the size of a read of the upload. */
export const GATHER_BLOCK = 1024 * 1024;

/** The smallest block of memory held (a small body's whole). */
export const MIN_BLOCK = 16 * 1024;

/** How much of a spool file one read takes when the reader brings no buffer of its own. */
const SPOOL_READ_BYTES = 256 * 1024;

/** A body read to its end: its length, and its bytes once, as a byte stream. */
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
  // In place from a byte stream (its batch buffers reused once released), else chunk by chunk.
  const batches = batchReader(stream, GATHER_BLOCK, () => {}, { fill: false });
  const held = new HeldBlocks(o.buffer);
  let spool: Spool | undefined;
  let length = 0;
  const release = async () => {
    held.free();
    await spool?.dispose();
    await batches.cancel();
  };
  const spoolFailed = async (e: unknown) => {
    await release();
    return err(proxyError("Internal", "The upload could not be spooled", e));
  };
  for (;;) {
    let batch: Uint8Array | undefined;
    try {
      batch = await batches.next();
    } catch (e) {
      await release();
      return err(toProxyError(e, "IncompleteBody"));
    }
    if (!batch) break;
    length += batch.byteLength;
    if (length > o.limit) {
      await release();
      return ok(undefined);
    }
    if (spool || !held.add(batch)) {
      try {
        spool ??= await openSpool(o.tempDir);
        for (const block of held.drain()) await spool.write(block);
        await spool.write(batch);
      } catch (e) {
        return await spoolFailed(e);
      }
    }
    batches.release(batch);
  }
  if (!spool) return ok(held.body(length));
  try {
    return ok(await spool.body(length));
  } catch (e) {
    return await spoolFailed(e);
  }
}

/**
 * Bytes copied into blocks, each counted whole in the buffer until it is read
 * or freed. Blocks grow with the body, from MIN_BLOCK to GATHER_BLOCK, so a
 * small body holds little and a large one wastes at most about half a block.
 */
class HeldBlocks {
  readonly #buffer: UploadBuffer;
  /** Filled views of the blocks; the last may have room left. */
  #blocks: Uint8Array[] = [];
  /** The bytes in the blocks. */
  #filled = 0;

  constructor(buffer: UploadBuffer) {
    this.#buffer = buffer;
  }

  /** Copies `bytes` in when the buffer has room for the blocks they need; false (nothing kept) when not. */
  add(bytes: Uint8Array): boolean {
    const last = this.#blocks.at(-1);
    const room = last ? last.buffer.byteLength - last.byteLength : 0;
    const into = Math.min(room, bytes.byteLength);
    const sizes = blockSizes(this.#filled + into, bytes.byteLength - into);
    if (!this.#buffer.take(sizes.reduce((a, b) => a + b, 0))) return false;
    if (last && into > 0) {
      const grown = new Uint8Array(last.buffer, 0, last.byteLength + into);
      grown.set(bytes.subarray(0, into), last.byteLength);
      this.#blocks[this.#blocks.length - 1] = grown;
    }
    let at = into;
    for (const size of sizes) {
      const piece = bytes.subarray(at, at + size);
      const block = new Uint8Array(new ArrayBuffer(size), 0, piece.byteLength);
      block.set(piece);
      this.#blocks.push(block);
      at += piece.byteLength;
    }
    this.#filled += bytes.byteLength;
    return true;
  }

  /** Hands every block over (to a spool file) and gives their memory back. */
  drain(): Uint8Array[] {
    const blocks = this.#blocks;
    this.free();
    return blocks;
  }

  /** Gives back what is still held. */
  free(): void {
    for (const block of this.#blocks) this.#buffer.give(block.buffer.byteLength);
    this.#blocks = [];
    this.#filled = 0;
  }

  /** The held blocks as a body, each given back as it is read. */
  body(length: number): GatheredBody {
    const next = () => {
      const block = this.#blocks.shift();
      if (block) this.#buffer.give(block.buffer.byteLength);
      return block;
    };
    const stream = new ReadableStream({
      type: "bytes",
      pull(controller) {
        const block = next();
        if (block) controller.enqueue(block);
        else {
          controller.close();
          controller.byobRequest?.respond(0);
        }
      },
      cancel: () => this.free(),
    }, { highWaterMark: 0 }); // nothing is read (and given back) before it is asked for
    return { length, stream, dispose: () => Promise.resolve(this.free()) };
  }
}

/** The sizes of the new blocks `more` bytes need after `filled` bytes: each about the size so far. */
function blockSizes(filled: number, more: number): number[] {
  const sizes: number[] = [];
  for (let rest = more, size = filled; rest > 0;) {
    const block = Math.min(GATHER_BLOCK, Math.max(MIN_BLOCK, size, rest));
    const used = Math.min(block, rest);
    sizes.push(block);
    rest -= used;
    size += used;
  }
  return sizes;
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
    // Synchronous on purpose: an async write or read copies each batch through a
    // blocking thread's own malloc arena, which keeps the freed memory (hundreds of
    // MiB for a few dozen uploads at once); a local file takes a batch in a moment.
    write(bytes) {
      for (let at = 0; at < bytes.byteLength;) at += file.writeSync(bytes.subarray(at));
      return Promise.resolve();
    },
    async body(length) {
      await file.seek(0, Deno.SeekMode.Start);
      return { length, stream: fileStream(file, () => closed, dispose), dispose };
    },
    dispose,
  };
}

/** A file's bytes from where it stands, read into the reader's own buffer; `done` at the end. */
function fileStream(
  file: Deno.FsFile,
  closed: () => boolean,
  done: () => Promise<void>,
): ReadableStream<Uint8Array> {
  return new ReadableStream({
    type: "bytes",
    autoAllocateChunkSize: SPOOL_READ_BYTES,
    async pull(controller) {
      const request = controller.byobRequest!;
      const n = closed() ? null : file.readSync(request.view as Uint8Array);
      if (n === null) {
        await done();
        controller.close();
        request.respond(0);
      } else request.respond(n);
    },
    cancel: done,
  }, { highWaterMark: 0 });
}
