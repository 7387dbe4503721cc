import assert from "node:assert/strict";
import { writeStreamBody } from "../../../src/transport/body_writer.ts";
import { TransportError } from "../../../src/transport/transport_error.ts";
import { fakeConnection, withExchange } from "./_fake_conn.ts";

const enc = (s: string) => new TextEncoder().encode(s);

/** A stream of `chunks`; `cancelled` records why it was cancelled. */
function chunks(parts: string[]) {
  const cancelled: unknown[] = [];
  let reads = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      const next = parts.shift();
      reads++;
      if (next === undefined) c.close();
      else c.enqueue(enc(next));
    },
    cancel: (reason) => void cancelled.push(reason),
  }, { highWaterMark: 0 });
  return { stream, cancelled, reads: () => reads };
}

const never = () => false;

Deno.test("writeStreamBody(): writes the stream chunk by chunk, counting ex.sent", async () => {
  const { fake, conn } = fakeConnection();
  const body = chunks(["ab", "cde", "f"]);
  let first = 0;
  await withExchange({}, async (ex) => {
    const all = await writeStreamBody(conn, ex, { stream: body.stream, length: 6 }, {
      stop: never,
      onFirstRead: () => void first++,
    });
    assert.equal(all, true);
    assert.equal(ex.sent, 6);
  });
  assert.deepEqual(fake.writes.map((w) => new TextDecoder().decode(w)), ["ab", "cde", "f"]);
  assert.equal(first, 1);
});

Deno.test("writeStreamBody(): a stream longer than its length fails before the extra byte is sent", async () => {
  const { fake, conn } = fakeConnection();
  const body = chunks(["abc", "def"]);
  await withExchange({}, async (ex) => {
    await assert.rejects(
      writeStreamBody(conn, ex, { stream: body.stream, length: 4 }, { stop: never }),
      (e: unknown) => {
        assert.ok(e instanceof TransportError);
        assert.equal(e.code, "BodyLengthMismatch");
        assert.equal(e.message, "Cannot send the request body: more than its 4 bytes");
        return true;
      },
    );
  });
  assert.equal(fake.text(), "abc");
  assert.equal(body.cancelled.length, 1);
});

Deno.test("writeStreamBody(): a stream shorter than its length is BodyLengthMismatch", async () => {
  const { conn } = fakeConnection();
  await withExchange({}, async (ex) => {
    await assert.rejects(
      writeStreamBody(conn, ex, { stream: chunks(["ab"]).stream, length: 5 }, { stop: never }),
      {
        code: "BodyLengthMismatch",
        message: "Cannot send the request body: fewer than its 5 bytes",
      },
    );
  });
});

Deno.test("writeStreamBody(): told to stop (an early answer), it cancels the stream and sends no more", async () => {
  const { fake, conn } = fakeConnection();
  const body = chunks(["ab", "cd", "ef"]);
  let stop = false;
  fake.onWrite = () => void (stop = true);
  await withExchange({}, async (ex) => {
    const all = await writeStreamBody(conn, ex, { stream: body.stream, length: 6 }, {
      stop: () => stop,
    });
    assert.equal(all, false);
  });
  assert.equal(fake.text(), "ab");
  assert.equal(body.cancelled.length, 1);
});

Deno.test("writeStreamBody(): the caller's stream error is rethrown as it is; a failed exchange cancels it", async () => {
  const { conn } = fakeConnection();
  const broken = new ReadableStream<Uint8Array>({
    pull: (c) => c.error(new Error("client body broke")),
  });
  await withExchange({}, async (ex) => {
    await assert.rejects(
      writeStreamBody(conn, ex, { stream: broken, length: 3 }, { stop: never }),
      { message: "client body broke" },
    );
  });
  const { fake, conn: conn2 } = fakeConnection();
  const body = chunks(["ab", "cd"]);
  await withExchange({}, async (ex) => {
    fake.onWrite = () => ex.fail(new Error("timed out"));
    await assert.rejects(
      writeStreamBody(conn2, ex, { stream: body.stream, length: 4 }, { stop: never }),
      { message: "timed out" },
    );
  });
  assert.equal(body.cancelled.length >= 1, true);
});
