import assert from "node:assert/strict";
import {
  bodyInHand,
  type BodySource,
  bodyStream,
  whole,
} from "../../../src/transport/body_reader.ts";
import type { BodyFraming } from "../../../src/transport/framing.ts";
import { TransportError } from "../../../src/transport/transport_error.ts";
import { readText } from "./_fake_conn.ts";

const enc = (s: string) => new TextEncoder().encode(s);

/** A body source over `rest` and the later reads `reads` (null: the server closed). */
function source(rest: string, reads: (string | null)[] = []) {
  const finished: boolean[] = [];
  const hooks: ((reason: unknown) => void)[] = [];
  const asked: number[] = [];
  const src: BodySource = {
    rest: enc(rest),
    read(max) {
      asked.push(max);
      const next = reads.shift();
      if (next === undefined) return new Promise(() => {}); // nothing more: the test fails it
      return Promise.resolve(next === null ? null : enc(next));
    },
    finish: (reusable) => void finished.push(reusable),
    onFail: (hook) => void hooks.push(hook),
  };
  return { src, finished, hooks, asked };
}

const KEEP = { keepAlive: true, readBytes: 4 };
const length = (n: number): BodyFraming => ({ kind: "length", length: n });

Deno.test("bodyInHand(): a Content-Length body read with the head is released at once", () => {
  const s = source("hello");
  assert.equal(new TextDecoder().decode(bodyInHand(s.src, length(5), KEEP)), "hello");
  assert.deepEqual(s.finished, [true]);
  const extra = source("hello!");
  assert.equal(bodyInHand(extra.src, length(5), KEEP)?.length, 5);
  assert.deepEqual(extra.finished, [false]); // a byte nobody asked for: not reusable
  const short = source("hel");
  assert.equal(bodyInHand(short.src, length(5), KEEP), undefined);
  assert.equal(bodyInHand(short.src, { kind: "chunked" }, KEEP), undefined);
  assert.deepEqual(short.finished, []);
});

Deno.test("bodyStream(): none is null and releases the connection, reusable if nothing followed", () => {
  const s = source("");
  assert.equal(bodyStream(s.src, { kind: "none" }, KEEP), null);
  const t = source("junk");
  assert.equal(bodyStream(t.src, { kind: "none" }, KEEP), null);
  assert.deepEqual([s.finished, t.finished], [[true], [false]]);
  const u = source("");
  bodyStream(u.src, { kind: "none" }, { keepAlive: false, readBytes: 4 });
  assert.deepEqual(u.finished, [false]);
});

Deno.test("bodyStream(): a Content-Length body is read on demand, in reads of at most readBytes", async () => {
  const s = source("he", ["llo ", "wo", "rld"]);
  assert.equal(await readText(bodyStream(s.src, length(11), KEEP)), "hello world");
  assert.deepEqual(s.asked, [4, 4, 3]);
  assert.deepEqual(s.finished, [true]);
});

Deno.test("bodyStream(): a Content-Length body cut short is Truncated, never silently short", async () => {
  const s = source("he", ["ll", null]);
  await assert.rejects(readText(bodyStream(s.src, length(10), KEEP)), (e: unknown) => {
    assert.ok(e instanceof TransportError);
    assert.equal(e.code, "Truncated");
    assert.equal(
      e.message,
      "Cannot read the response body: the connection closed 6 bytes before its end",
    );
    return true;
  });
  assert.deepEqual(s.finished, [false]);
});

Deno.test("bodyStream(): chunked is decoded; the connection is reusable only if nothing followed", async () => {
  const s = source("5\r\nhel", ["lo\r\n", "0\r\n\r\n"]);
  assert.equal(await readText(bodyStream(s.src, { kind: "chunked" }, KEEP)), "hello");
  assert.deepEqual(s.finished, [true]);
  const t = source("2\r\nhi\r\n0\r\n\r\nHTTP/1.1");
  assert.equal(await readText(bodyStream(t.src, { kind: "chunked" }, KEEP)), "hi");
  assert.deepEqual(t.finished, [false]);
});

Deno.test("bodyStream(): chunked cut before its last chunk is Truncated; bad framing errors at once", async () => {
  const s = source("5\r\nhello\r\n", [null]);
  await assert.rejects(readText(bodyStream(s.src, { kind: "chunked" }, KEEP)), {
    code: "Truncated",
    message: "Cannot read the response body: the connection closed before its last chunk",
  });
  assert.deepEqual(s.finished, [false]);
  const bad = source("zz\r\n");
  assert.throws(() => bodyStream(bad.src, { kind: "chunked" }, KEEP), TransportError);
  assert.deepEqual(bad.finished, [false]);
});

Deno.test("bodyStream(): a close-delimited body reads to the end and never reuses the connection", async () => {
  const s = source("ab", ["cd", null]);
  assert.equal(await readText(bodyStream(s.src, { kind: "close" }, KEEP)), "abcd");
  assert.deepEqual(s.finished, [false]);
});

Deno.test("bodyStream(): a cancelled body closes the connection; a failed exchange errors the stream", async () => {
  const s = source("ab");
  const body = bodyStream(s.src, length(10), KEEP)!;
  await body.cancel();
  assert.deepEqual(s.finished, [false]);
  const t = source("ab");
  const reader = bodyStream(t.src, length(10), KEEP)!.getReader();
  assert.equal(new TextDecoder().decode((await reader.read()).value), "ab");
  const pending = reader.read();
  for (const hook of t.hooks) hook(new Error("timed out"));
  await assert.rejects(pending, { message: "timed out" });
});

Deno.test("whole(): a stream of the bytes in hand (no chunk for none)", async () => {
  assert.equal(await readText(whole(enc("abc"))), "abc");
  const r = whole(new Uint8Array(0)).getReader();
  assert.equal((await r.read()).done, true);
});
