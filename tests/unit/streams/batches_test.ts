/**
 * batchReader: a byte stream is read in place (BYOB) into batches of the
 * asked size, any other stream is gathered; both give every byte in order,
 * report each chunk, stop at the end, and cancel their source.
 */
import assert from "node:assert/strict";
import { batchReader } from "../../../src/streams/batches.ts";
import { concatBytes } from "../../../src/bytes.ts";

/** `total` bytes (byte i = i mod 251) in chunks of `chunk`, as a byte stream or a plain one. */
function source(total: number, chunk: number, bytes: boolean): ReadableStream<Uint8Array> {
  let sent = 0;
  const next = () => {
    const n = Math.min(chunk, total - sent);
    const out = Uint8Array.from({ length: n }, (_, i) => (sent + i) % 251);
    sent += n;
    return out;
  };
  if (!bytes) {
    return new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent >= total) c.close();
        else c.enqueue(next());
      },
    });
  }
  return new ReadableStream({
    type: "bytes",
    pull(c) {
      if (sent >= total) {
        c.close();
        c.byobRequest?.respond(0);
        return;
      }
      c.enqueue(next());
    },
  }) as ReadableStream<Uint8Array>;
}

async function readAll(
  stream: ReadableStream<Uint8Array>,
  size: number,
): Promise<{ batches: Uint8Array[]; reported: number }> {
  let reported = 0;
  const reader = batchReader(stream, size, (n) => (reported += n));
  const batches: Uint8Array[] = [];
  for (let b = await reader.next(); b; b = await reader.next()) batches.push(b);
  assert.equal(await reader.next(), undefined, "stays at the end");
  return { batches, reported };
}

for (const bytes of [true, false]) {
  const kind = bytes ? "a byte stream (read in place)" : "a plain stream (gathered)";
  Deno.test(`batchReader over ${kind}: every byte in order, in batches of the size asked`, async () => {
    for (
      const [total, chunk, size] of [[0, 10, 64], [1, 1, 64], [1000, 7, 64], [4096, 1024, 1024]]
    ) {
      const { batches, reported } = await readAll(source(total!, chunk!, bytes), size!);
      const all = concatBytes(batches);
      assert.equal(all.byteLength, total);
      assert.equal(reported, total);
      for (let i = 0; i < total!; i++) assert.equal(all[i], i % 251);
      // Every batch but the last is at least the size asked.
      for (const b of batches.slice(0, -1)) assert.ok(b.byteLength >= size!);
      if (bytes) { for (const b of batches) assert.ok(b.byteLength <= size!); }
    }
  });
}

Deno.test("batchReader reads a Deno.serve request body in place, in full batches", async () => {
  const body = new Uint8Array(3 * 1024 * 1024 + 5).map((_, i) => i % 251);
  let sizes: number[] = [];
  let same = false;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const { batches } = await readAll(req.body!, 1024 * 1024);
    sizes = batches.map((b) => b.byteLength);
    same = concatBytes(batches).every((v, i) => v === body[i]);
    return new Response(null, { status: 204 });
  });
  try {
    const res = await fetch(`http://127.0.0.1:${server.addr.port}/`, { method: "PUT", body });
    assert.equal(res.status, 204);
  } finally {
    await server.shutdown();
  }
  assert.ok(same);
  // Gathered 64 KiB chunks would overshoot 1 MiB; filled in place, batches are exactly full.
  assert.deepEqual(sizes, [1048576, 1048576, 1048576, 5]);
});

Deno.test("batchReader.cancel cancels the source and ends the batches", async () => {
  let cancelled: unknown;
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      c.enqueue(new Uint8Array(10));
    },
    cancel(reason) {
      cancelled = reason;
    },
  });
  const reader = batchReader(stream, 25);
  assert.equal((await reader.next())?.byteLength, 30);
  await reader.cancel("stop");
  assert.equal(cancelled, "stop");
  assert.equal(await reader.next(), undefined);
});

Deno.test("batchReader cancelled during an in-place read ends without throwing", async () => {
  let pulls = 0;
  const stream = new ReadableStream({
    type: "bytes",
    pull(c) {
      // One chunk, then nothing more: the next read waits until cancelled.
      if (pulls++ === 0) c.enqueue(new Uint8Array(100));
      return new Promise(() => {});
    },
  }) as ReadableStream<Uint8Array>;
  const reader = batchReader(stream, 1024);
  const pending = reader.next();
  await new Promise((r) => setTimeout(r, 10));
  await reader.cancel("idle");
  assert.equal(await pending, undefined);
  assert.equal(await reader.next(), undefined);
});

Deno.test("batchReader passes a source's error to the reader", async () => {
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      c.error(new Error("client went away"));
    },
  });
  await assert.rejects(() => batchReader(stream, 16).next(), /client went away/);
});
