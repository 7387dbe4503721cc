import assert from "node:assert/strict";
import { proxyError, ProxyStreamError } from "../../../src/errors.ts";
import { byteLimit, collect, readSmallBody } from "../../../src/streams/limits.ts";

const TOO_BIG = proxyError("EntityTooLarge", "too big");

function chunks(...sizes: number[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(c) {
      const n = sizes[i++];
      if (n === undefined) return c.close();
      c.enqueue(new Uint8Array(n).fill(i));
    },
  });
}

async function drain(s: ReadableStream<Uint8Array>): Promise<number | string> {
  try {
    return (await new Response(s).arrayBuffer()).byteLength;
  } catch (e) {
    if (e instanceof ProxyStreamError) return e.proxy.kind;
    throw e;
  }
}

Deno.test("byteLimit() passes up to max bytes through", async () => {
  assert.equal(await drain(chunks(3, 3, 4).pipeThrough(byteLimit(10, TOO_BIG))), 10);
  assert.equal(await drain(chunks().pipeThrough(byteLimit(0, TOO_BIG))), 0);
});

Deno.test("byteLimit() errors with the given error at the chunk that crosses max", async () => {
  assert.equal(await drain(chunks(3, 3, 5).pipeThrough(byteLimit(10, TOO_BIG))), "EntityTooLarge");
  assert.equal(await drain(chunks(1).pipeThrough(byteLimit(0, TOO_BIG))), "EntityTooLarge");
});

Deno.test("collect() joins a stream into one array", async () => {
  const bytes = await collect(chunks(2, 1));
  assert.deepEqual([...bytes!], [1, 1, 2]);
  assert.equal((await collect(chunks()))!.byteLength, 0);
});

Deno.test("collect() is undefined past max, cancelling the stream", async () => {
  let cancelled = false;
  const s = new ReadableStream<Uint8Array>({
    pull: (c) => c.enqueue(new Uint8Array(4)),
    cancel: () => void (cancelled = true),
  });
  assert.equal(await collect(s, 10), undefined);
  assert.equal(cancelled, true);
  assert.equal((await collect(chunks(5, 5), 10))!.byteLength, 10);
});

Deno.test("collect() throws what the stream errors with", async () => {
  const s = new ReadableStream<Uint8Array>({ pull: (c) => c.error(new RangeError("x")) });
  await assert.rejects(collect(s), RangeError);
});

Deno.test("readSmallBody() reads UTF-8 text; no body is the empty string", async () => {
  const r = await readSmallBody(new Blob(["<a>é</a>"]).stream(), 100, TOO_BIG);
  assert.deepEqual(r, { ok: true, value: "<a>é</a>" });
  assert.deepEqual(await readSmallBody(null, 100, TOO_BIG), { ok: true, value: "" });
});

Deno.test("readSmallBody() refuses more than max bytes with the given error", async () => {
  assert.deepEqual(await readSmallBody(chunks(6, 5), 10, TOO_BIG), { ok: false, error: TOO_BIG });
});

Deno.test("readSmallBody() gives a ProxyStreamError's error and IncompleteBody for the rest", async () => {
  const digest = proxyError("BadDigest", "bad");
  const failing = (e: unknown) => new ReadableStream<Uint8Array>({ pull: (c) => c.error(e) });
  assert.deepEqual(await readSmallBody(failing(new ProxyStreamError(digest)), 10, TOO_BIG), {
    ok: false,
    error: digest,
  });
  const r = await readSmallBody(failing(new Error("reset")), 10, TOO_BIG);
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "IncompleteBody");
  assert.equal(r.error.message, "The request body could not be read completely");
});
