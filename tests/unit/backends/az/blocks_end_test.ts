/**
 * blocksOf() over a body of known length: the last slice ends only when its
 * input ended cleanly, so an input that fails verification at its end (a
 * checksum stage's flush) errors the last block instead of letting it, and the
 * commit after it, through.
 */
import assert from "node:assert/strict";
import { blocksOf } from "../../../../src/backends/az/blocks.ts";
import { proxyError, ProxyStreamError } from "../../../../src/errors.ts";

/** `length` bytes in one chunk, then `end`: a clean close, an error, or one byte too many. */
function input(length: number, end: "close" | "error" | "extra"): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream<Uint8Array>({
    async pull(c) {
      if (!sent && length > 0) {
        sent = true;
        c.enqueue(new Uint8Array(length).fill(5));
        return;
      }
      await new Promise((r) => setTimeout(r, 10));
      if (end === "close") c.close();
      else if (end === "extra") {
        c.enqueue(new Uint8Array(1));
        c.close();
      } else {
        c.error(new ProxyStreamError(proxyError("BadDigest", "checksum mismatch")));
      }
    },
  });
}

/** Reads every block; the block sizes read, or the error a block failed with. */
async function readBlocks(
  stream: ReadableStream<Uint8Array>,
  length: number,
): Promise<number[] | unknown> {
  const sizes: number[] = [];
  try {
    for await (const b of blocksOf(stream, length, { blockSize: 4, bufferSize: 4 })) {
      assert.equal(b.kind, "stream");
      if (b.kind !== "stream") continue;
      sizes.push((await new Response(b.stream).arrayBuffer()).byteLength);
    }
    return sizes;
  } catch (e) {
    return e;
  }
}

for (const length of [0, 3, 4, 10]) {
  Deno.test(`blocksOf() ends the last slice of ${length} bytes only after a clean end of its input`, async () => {
    const ok = await readBlocks(input(length, "close"), length);
    assert.ok(Array.isArray(ok), String(ok));
    assert.equal(ok.reduce((a: number, b: number) => a + b, 0), length);
    const failed = await readBlocks(input(length, "error"), length);
    assert.ok(
      failed instanceof ProxyStreamError && failed.proxy.kind === "BadDigest",
      `an input error after the last byte was lost: ${failed}`,
    );
    const longer = await readBlocks(input(length, "extra"), length);
    assert.ok(
      longer instanceof ProxyStreamError && longer.proxy.kind === "InvalidRequest",
      `bytes beyond the declared length were ignored: ${longer}`,
    );
  });
}
