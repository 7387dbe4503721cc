import assert from "node:assert/strict";
import { GATHER_BLOCK, gatherBody, MIN_BLOCK } from "../../../src/backends/gathered_body.ts";
import { createUploadBuffer } from "../../../src/backends/upload_buffer.ts";

/** A stream of `chunks` chunks of `size` bytes, chunk i filled with i. */
function chunked(chunks: number, size: number): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(c) {
      if (i === chunks) return c.close();
      c.enqueue(new Uint8Array(size).fill(i++));
    },
  });
}

async function bytesOf(s: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(s).arrayBuffer());
}

const expected = (chunks: number, size: number) =>
  Uint8Array.from({ length: chunks * size }, (_, k) => Math.floor(k / size));

/** The spool files of this process still in `dir`. */
async function spoolFiles(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names;
}

const BLOCK = GATHER_BLOCK;

Deno.test("gatherBody() keeps a body in memory in whole blocks within the buffer, given back as read", async () => {
  const buffer = createUploadBuffer(4 * BLOCK);
  const tempDir = await Deno.makeTempDir();
  try {
    const r = await gatherBody(chunked(5, 300_000), { limit: 10 * BLOCK, buffer, tempDir });
    assert.ok(r.ok && r.value);
    assert.equal(r.value.length, 1_500_000);
    assert.ok(
      buffer.held >= 1_500_000 && buffer.held <= 2 * 1_500_000,
      `blocks held: ${buffer.held}`,
    );
    assert.deepEqual(await spoolFiles(tempDir), [], "no file");
    assert.deepEqual(await bytesOf(r.value.stream), expected(5, 300_000));
    assert.equal(buffer.held, 0);
    await r.value.dispose();
    assert.equal(buffer.held, 0);
  } finally {
    await Deno.remove(tempDir, { recursive: true });
  }
});

Deno.test("gatherBody(): a small body holds a small block; blocks grow with the body up to GATHER_BLOCK", async () => {
  const buffer = createUploadBuffer(4 * BLOCK);
  const small = await Promise.all(
    Array.from({ length: 100 }, () => gatherBody(chunked(1, 10), { limit: BLOCK, buffer })),
  );
  assert.equal(buffer.held, 100 * MIN_BLOCK, "a hundred small bodies, all in memory");
  for (const r of small) {
    assert.ok(r.ok && r.value);
    assert.deepEqual(await bytesOf(r.value.stream), expected(1, 10));
  }
  assert.equal(buffer.held, 0);
  buffer.limit = 8 * BLOCK;
  const big = await gatherBody(chunked(40, 100_000), { limit: 10 * BLOCK, buffer });
  assert.ok(big.ok && big.value);
  assert.ok(buffer.held >= 4_000_000 && buffer.held <= 4_000_000 + BLOCK, `held ${buffer.held}`);
  assert.deepEqual(await bytesOf(big.value.stream), expected(40, 100_000));
  await big.value.dispose();
  assert.equal(buffer.held, 0);
});

Deno.test("gatherBody() spools to a file once the buffer is full, and holds no memory then", async () => {
  const buffer = createUploadBuffer(BLOCK);
  const tempDir = await Deno.makeTempDir();
  try {
    const other = await gatherBody(chunked(1, BLOCK), { limit: BLOCK, buffer, tempDir });
    assert.ok(other.ok && other.value);
    assert.equal(buffer.held, BLOCK);
    const r = await gatherBody(chunked(50, 1000), { limit: 1_000_000, buffer, tempDir });
    assert.ok(r.ok && r.value);
    assert.equal(r.value.length, 50_000);
    assert.equal(buffer.held, BLOCK, "the spooled body holds none of the buffer");
    assert.deepEqual(await spoolFiles(tempDir), [], "the file is unlinked once open");
    assert.deepEqual(await bytesOf(r.value.stream), expected(50, 1000));
    await r.value.dispose();
    await other.value.dispose();
    assert.equal(buffer.held, 0, "dispose gives back what was never read");
  } finally {
    await Deno.remove(tempDir, { recursive: true });
  }
});

Deno.test("gatherBody(): a body that outgrows the buffer midway moves what it held to the file", async () => {
  const buffer = createUploadBuffer(2 * BLOCK);
  const r = await gatherBody(chunked(10, 300_000), { limit: 10 * BLOCK, buffer });
  assert.ok(r.ok && r.value);
  assert.equal(buffer.held, 0, "the first blocks went to the file too");
  assert.deepEqual(await bytesOf(r.value.stream), expected(10, 300_000));
  await r.value.dispose();
});

Deno.test("gatherBody(): both bodies fill a BYOB reader's own buffer in place", async () => {
  for (const room of [4 * BLOCK, 0]) {
    const buffer = createUploadBuffer(room);
    const r = await gatherBody(chunked(3, 100_000), { limit: BLOCK, buffer });
    assert.ok(r.ok && r.value);
    const reader = r.value.stream.getReader({ mode: "byob" });
    const got: number[] = [];
    let view = new Uint8Array(64 * 1024);
    for (;;) {
      const { done, value } = await reader.read(view);
      if (done) break;
      got.push(...value);
      view = new Uint8Array(value.buffer);
    }
    assert.deepEqual(Uint8Array.from(got), expected(3, 100_000), room ? "memory" : "file");
    await r.value.dispose();
  }
});

Deno.test("gatherBody() refuses a body over the limit, and a failing one, holding nothing after", async () => {
  for (const limit of [1000, 0]) {
    const buffer = createUploadBuffer(limit);
    const over = await gatherBody(chunked(11, 100), { limit: 1000, buffer });
    assert.ok(over.ok && over.value === undefined);
    assert.equal(buffer.held, 0);
    let sent = 0;
    const failing = new ReadableStream<Uint8Array>({
      pull: (c) => sent++ < 3 ? c.enqueue(new Uint8Array(100)) : c.error(new Error("reset")),
    });
    const f = await gatherBody(failing, { limit: 1000, buffer });
    assert.ok(!f.ok && f.error.kind === "IncompleteBody");
    assert.equal(buffer.held, 0);
  }
});

Deno.test("gatherBody(): a spool directory that cannot be written is an Internal error", async () => {
  const r = await gatherBody(chunked(2, 10), {
    limit: 1000,
    buffer: createUploadBuffer(0),
    tempDir: "/nonexistent/bucketgate",
  });
  assert.ok(!r.ok && r.error.kind === "Internal");
});

Deno.test("gatherBody(): bodies many requests gather at once stay within the shared buffer", async () => {
  const buffer = createUploadBuffer(4 * BLOCK);
  let peak = 0;
  const watched = (s: ReadableStream<Uint8Array>) =>
    s.pipeThrough(
      new TransformStream({
        transform(c, out) {
          peak = Math.max(peak, buffer.held);
          out.enqueue(c);
        },
      }),
    );
  const all = await Promise.all(
    Array.from(
      { length: 16 },
      () => gatherBody(watched(chunked(8, 100_000)), { limit: BLOCK, buffer }),
    ),
  );
  assert.ok(peak <= 4 * BLOCK, `peak ${peak}`);
  assert.ok(peak > 0, "some were held in memory");
  for (const r of all) {
    assert.ok(r.ok && r.value);
    assert.deepEqual(await bytesOf(r.value.stream), expected(8, 100_000));
    await r.value.dispose();
  }
  assert.equal(buffer.held, 0);
});
