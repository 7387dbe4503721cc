import assert from "node:assert/strict";
import { discardBody, DRAIN_LIMIT } from "../../../src/streams/discard.ts";

/** A body of `chunks` chunks of `size` bytes that counts what was read and whether it was cancelled. */
function tracked(chunks: number, size: number) {
  const state = { pulled: 0, cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (state.pulled === chunks) return c.close();
      state.pulled++;
      c.enqueue(new Uint8Array(size));
    },
    cancel() {
      state.cancelled = true;
    },
  }, { highWaterMark: 0 });
  return { body, state };
}

function request(body: ReadableStream<Uint8Array> | null, contentLength?: number): Request {
  return new Request("http://h/b/k", {
    method: "PUT",
    body,
    headers: contentLength !== undefined ? { "content-length": String(contentLength) } : {},
  });
}

Deno.test("discardBody() keeps the connection when there is no body", async () => {
  assert.equal(await discardBody(new Request("http://h/", { method: "PUT" })), false);
});

Deno.test("discardBody() drains a declared small body and keeps the connection", async () => {
  const { body, state } = tracked(4, 1000);
  assert.equal(await discardBody(request(body, 4000)), false);
  assert.equal(state.pulled, 4);
  assert.equal(state.cancelled, false);
});

Deno.test("discardBody() drains a body of exactly DRAIN_LIMIT bytes", async () => {
  assert.equal(DRAIN_LIMIT, 1024 * 1024);
  const { body, state } = tracked(16, DRAIN_LIMIT / 16);
  assert.equal(await discardBody(request(body, DRAIN_LIMIT)), false);
  assert.equal(state.cancelled, false);
});

Deno.test("discardBody() cancels a body declared over DRAIN_LIMIT without reading it", async () => {
  const { body, state } = tracked(100, 1024);
  assert.equal(await discardBody(request(body, DRAIN_LIMIT + 1)), true);
  assert.equal(state.cancelled, true);
  assert.equal(state.pulled, 0);
});

Deno.test("discardBody() cancels a body of unknown length", async () => {
  const { body, state } = tracked(1, 10);
  assert.equal(await discardBody(request(body)), true);
  assert.equal(state.cancelled, true);
});

Deno.test("discardBody() stops reading once a body sends more than DRAIN_LIMIT bytes", async () => {
  const { body, state } = tracked(1000, 64 * 1024);
  assert.equal(await discardBody(request(body, 10)), true);
  assert.equal(state.cancelled, true);
  assert.equal(state.pulled, 17);
});

Deno.test("discardBody() closes the connection for a body already read from", async () => {
  const req = request(tracked(2, 10).body, 20);
  const reader = req.body!.getReader();
  await reader.read();
  reader.releaseLock();
  assert.equal(req.bodyUsed, true);
  assert.equal(await discardBody(req), true);
});

Deno.test("discardBody() closes the connection when the body errors", async () => {
  const body = new ReadableStream<Uint8Array>({ pull: (c) => c.error(new Error("reset")) });
  assert.equal(await discardBody(request(body, 10)), true);
});
