import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { blockId, blocksOf } from "../../../../src/backends/az/blocks.ts";

Deno.test("blockId() has one length for every block number", () => {
  const id = "0".repeat(48);
  assert.equal(blockId(id, 1).length, blockId(id, 50000).length);
  assert.equal(Buffer.from(blockId(id, 7), "base64").toString(), `${id}-00007`);
});

Deno.test("blocksOf() cuts a known length into streamed slices and an unknown one into buffers", async () => {
  const bytes = new Uint8Array(25).map((_, i) => i);
  const source = () =>
    new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 25; i += 7) c.enqueue(bytes.slice(i, i + 7));
        c.close();
      },
    });
  const collect = async (length: number | undefined) => {
    const out: number[][] = [];
    for await (const b of blocksOf(source(), length, { blockSize: 10, bufferSize: 8 })) {
      const data = b.kind === "bytes"
        ? b.bytes
        : new Uint8Array(await new Response(b.stream).arrayBuffer());
      if (b.kind === "stream") assert.equal(data.length, b.length);
      out.push([...data]);
    }
    return out;
  };
  const known = await collect(25);
  assert.deepEqual(known.map((b) => b.length), [10, 10, 5]);
  assert.deepEqual(known.flat(), [...bytes]);
  const unknown = await collect(undefined);
  assert.deepEqual(unknown.map((b) => b.length), [8, 8, 8, 1]);
  assert.deepEqual(unknown.flat(), [...bytes]);
});
