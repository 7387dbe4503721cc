/**
 * The streamed-upload transport (`send`, node:http) never completes a
 * Content-Length-framed body before its stream has ended cleanly: a
 * verification that fails at the end of the body (a checksum stage's flush, an
 * aws-chunked chunk signature checked after the chunk's data) errors the stream
 * after the last bytes were read, and the store must not have seen them all by
 * then, or it keeps the object. A raw TCP fake store records, per request,
 * how many body bytes arrived and whether the framing completed.
 */
import assert from "node:assert/strict";
import { send } from "../../../../src/backends/http/send.ts";
import { proxyError, ProxyStreamError } from "../../../../src/errors.ts";
import { closeQuietly, tcpServer } from "../../../_support/tcp.ts";

/** One request as the fake store saw it. */
interface Seen {
  readonly declared: number;
  received: number;
  /** Whether every declared byte arrived (the store would keep the object). */
  complete: boolean;
  /** Resolves once the connection is closed or the body complete. */
  readonly done: Promise<void>;
}

/** A store that reads requests byte for byte and answers 200 to every complete one. */
function fakeStore() {
  const seen: Seen[] = [];
  const serve = async (conn: Deno.Conn) => {
    const buf = new Uint8Array(256 * 1024);
    let head = "";
    let current: Seen | undefined;
    let finish = () => {};
    try {
      for (;;) {
        const n = await conn.read(buf);
        if (n === null) break;
        let chunk = buf.subarray(0, n);
        while (chunk.length > 0) {
          if (!current) {
            // Heads are ASCII: one byte, one code unit.
            const text = head + new TextDecoder("latin1").decode(chunk);
            const end = text.indexOf("\r\n\r\n");
            if (end < 0) {
              head = text;
              chunk = chunk.subarray(chunk.length);
              continue;
            }
            const used = end + 4 - head.length;
            const declared = Number(/content-length:\s*(\d+)/i.exec(text.slice(0, end))?.[1] ?? 0);
            head = "";
            chunk = chunk.subarray(used);
            const done = new Promise<void>((r) => finish = r);
            current = { declared, received: 0, complete: false, done };
            seen.push(current);
          }
          const take = Math.min(chunk.length, current.declared - current.received);
          current.received += take;
          chunk = chunk.subarray(take);
          if (current.received === current.declared) {
            current.complete = true;
            finish();
            current = undefined;
            await conn.write(
              new TextEncoder().encode("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"),
            );
          }
        }
      }
    } catch {
      // Reset by the client: what arrived is recorded.
    } finally {
      finish();
      closeQuietly(conn);
    }
  };
  const server = tcpServer(serve);
  return {
    url: new URL(`http://127.0.0.1:${server.port}/bucket/key`),
    seen,
    close: () => server.close(),
  };
}

const verificationFailed = () =>
  new ProxyStreamError(
    proxyError("BadDigest", "The CRC32 you specified did not match the calculated checksum."),
  );

/** How the body stream fails once every declared byte was delivered. */
type Failure = "same-tick" | "later";

/**
 * `length` bytes in chunks of `chunk`, then an error: in the same pull as the
 * last chunk (an aws-chunked decoder that checks the signature after the data)
 * or on a later pull, a few ms later (a checksum stage's flush, which runs when
 * the client's body ends).
 */
function failingBody(length: number, chunk: number, failure: Failure): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    async pull(c) {
      if (sent >= length) {
        await new Promise((r) => setTimeout(r, 30));
        c.error(verificationFailed());
        return;
      }
      const n = Math.min(chunk, length - sent);
      sent += n;
      c.enqueue(new Uint8Array(n).fill(7));
      if (sent >= length && failure === "same-tick") c.error(verificationFailed());
    },
  });
}

/** Sends a failing body; the store's view of it once the exchange ended. */
async function sendFailing(
  store: ReturnType<typeof fakeStore>,
  length: number,
  chunk: number,
  failure: Failure,
): Promise<Seen | undefined> {
  const before = store.seen.length;
  const body = { kind: "stream" as const, stream: failingBody(length, chunk, failure), length };
  await assert.rejects(
    send({ method: "PUT", url: store.url, headers: {}, body, timeoutMs: 5000 }),
    (e: unknown) => e instanceof ProxyStreamError && e.proxy.kind === "BadDigest",
  );
  const s = store.seen[before];
  if (s) await Promise.race([s.done, new Promise((r) => setTimeout(r, 500))]);
  return s;
}

for (const failure of ["later", "same-tick"] as const) {
  for (
    const [what, length, chunk] of [
      ["1 KiB in one chunk", 1024, 1024],
      ["3 MiB in 64 KiB chunks", 3 * 1024 * 1024, 64 * 1024],
      ["one byte", 1, 1],
    ] as const
  ) {
    Deno.test({
      name:
        `send() never completes a length-framed body whose stream errors after its last byte (${what}, error ${failure})`,
      sanitizeResources: false, // the keep-alive pool may hold a socket open on purpose
      sanitizeOps: false,
      async fn() {
        const store = fakeStore();
        try {
          // Warm: a successful upload first leaves a pooled connection to the store.
          const ok = { kind: "stream" as const, stream: new Blob(["warm"]).stream(), length: 4 };
          const warm = await send({
            method: "PUT",
            url: store.url,
            headers: {},
            body: ok,
            timeoutMs: 5000,
          });
          await warm.body?.cancel();
          assert.equal(warm.status, 200);
          const s = await sendFailing(store, length, chunk, failure);
          // No head at all is fine too: the request was cut before node:http sent it.
          assert.equal(s?.complete ?? false, false, `the store got all ${length} bytes`);
          assert.ok((s?.received ?? 0) < length, `received ${s?.received} of ${length}`);
        } finally {
          await store.close();
        }
      },
    });
  }
}

Deno.test({
  name: "send() never completes an empty length-framed body whose stream errors",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const store = fakeStore();
    try {
      const stream = new ReadableStream<Uint8Array>({
        async pull(c) {
          await new Promise((r) => setTimeout(r, 30));
          c.error(verificationFailed());
        },
      });
      await assert.rejects(
        send({
          method: "PUT",
          url: store.url,
          headers: {},
          body: { kind: "stream", stream, length: 0 },
          timeoutMs: 5000,
        }),
        (e: unknown) => e instanceof ProxyStreamError,
      );
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(store.seen.filter((s) => s.complete).length, 0, "an empty request completed");
    } finally {
      await store.close();
    }
  },
});

Deno.test({
  name: "send() completes a length-framed body whose stream ends cleanly, in any chunking",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const store = fakeStore();
    try {
      for (const [length, chunk] of [[0, 1], [1, 1], [1024, 1024], [3 * 1024 * 1024, 100_000]]) {
        let sent = 0;
        const stream = new ReadableStream<Uint8Array>({
          pull(c) {
            if (sent >= length!) return c.close();
            const n = Math.min(chunk!, length! - sent);
            sent += n;
            c.enqueue(new Uint8Array(n).fill(1));
          },
        });
        const res = await send({
          method: "PUT",
          url: store.url,
          headers: {},
          body: { kind: "stream", stream, length: length! },
          timeoutMs: 5000,
        });
        await res.body?.cancel();
        assert.equal(res.status, 200, `${length}`);
        const s = store.seen.at(-1)!;
        assert.ok(s.complete && s.received === length, `${length}: ${s.received}`);
      }
    } finally {
      await store.close();
    }
  },
});

Deno.test({
  name:
    "send() fails cleanly when the body stream errors mid-way with a write in flight (a client gone mid-upload)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // Before the fix the write that the destroyed request then failed rejected unhandled,
    // which ends the process: the runner reports it as an uncaught error of this module.
    const store = fakeStore();
    try {
      for (const failure of ["later", "same-tick"] as const) {
        let sent = 0;
        const length = 8 * 1024 * 1024;
        const stream = new ReadableStream<Uint8Array>({
          async pull(c) {
            if (sent >= 3 * 1024 * 1024) {
              if (failure === "later") await new Promise((r) => setTimeout(r, 5));
              c.error(new ProxyStreamError(proxyError("IncompleteBody", "client gone")));
              return;
            }
            sent += 1024 * 1024;
            c.enqueue(new Uint8Array(1024 * 1024));
          },
        });
        await assert.rejects(
          send({
            method: "PUT",
            url: store.url,
            headers: {},
            body: { kind: "stream", stream, length },
            timeoutMs: 5000,
          }),
          (e: unknown) => e instanceof ProxyStreamError && e.proxy.kind === "IncompleteBody",
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      await store.close();
    }
  },
});
