/** The app behind a real Deno.serve on port 0: wire behavior that only shows on a socket. */
import assert from "node:assert/strict";
import { ADMIN, type Harness, harness, makeRequest } from "./_harness.ts";

async function withServer(fn: (port: number, h: Harness) => Promise<void>): Promise<void> {
  const h = harness();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) => h.handle(req),
  );
  try {
    await fn(server.addr.port, h);
  } finally {
    await server.shutdown();
  }
}

/** Sends raw bytes and reads until the peer closes or `until` matches; bounded by `ms`. */
async function rawExchange(
  port: number,
  head: string,
  body: Uint8Array,
  ms = 5000,
): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const timer = setTimeout(() => conn.close(), ms);
  let out = "";
  const reading = (async () => {
    const buf = new Uint8Array(65536);
    try {
      for (;;) {
        const n = await conn.read(buf);
        if (n === null) break;
        out += new TextDecoder().decode(buf.subarray(0, n));
        if (/\r\n\r\n[\s\S]*<\/Error>/.test(out)) break;
      }
    } catch { /* closed */ }
  })();
  try {
    await conn.write(new TextEncoder().encode(head));
    let at = 0;
    while (at < body.length) at += await conn.write(body.subarray(at, at + 65536));
  } catch { /* the server may close early: that is allowed */ }
  await reading;
  clearTimeout(timer);
  try {
    conn.close();
  } catch { /* already closed */ }
  return out;
}

Deno.test("an early 403 on a large upload answers instead of hanging the client", async () => {
  await withServer(async (port) => {
    const body = new Uint8Array(8 * 1024 * 1024);
    const head = `PUT /private/x HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
      `Content-Length: ${body.length}\r\n\r\n`;
    const started = Date.now();
    const answer = await rawExchange(port, head, body);
    assert.match(answer, /^HTTP\/1\.1 403/);
    assert.match(answer, /<Code>AccessDenied<\/Code>/);
    assert.ok(Date.now() - started < 4000, "answered promptly");
  });
});

Deno.test("Expect: 100-continue uploads get 100 Continue, then 200", async () => {
  await withServer(async (port, h) => {
    const base = `http://127.0.0.1:${port}`;
    const signed = await makeRequest("/private/continue", {
      method: "PUT",
      key: ADMIN,
      body: "abc",
      base,
      headers: { expect: "100-continue" },
    });
    const lines = [`PUT /private/continue HTTP/1.1`];
    for (const [k, v] of signed.headers) lines.push(`${k}: ${v}`);
    lines.push("connection: close", "", "");
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(new TextEncoder().encode(lines.join("\r\n")));
    const buf = new Uint8Array(4096);
    const n = await conn.read(buf);
    assert.match(new TextDecoder().decode(buf.subarray(0, n ?? 0)), /^HTTP\/1\.1 100 Continue/);
    await conn.write(new TextEncoder().encode("abc"));
    let rest = "";
    for (;;) {
      const m = await conn.read(buf);
      if (m === null) break;
      rest += new TextDecoder().decode(buf.subarray(0, m));
    }
    conn.close();
    assert.match(rest, /HTTP\/1\.1 200/);
    assert.equal((await h.raw.get("private")!.head("continue")).ok, true);
  });
});

Deno.test("objects are never compressed on the way out", async () => {
  await withServer(async (port, h) => {
    const text = "compressible ".repeat(2000);
    const put = await h.handle(
      await makeRequest("/public/t.txt", {
        method: "PUT",
        key: ADMIN,
        body: text,
        headers: { "content-type": "text/plain" },
      }),
    );
    assert.equal(put.status, 200);
    const res = await fetch(`http://127.0.0.1:${port}/public/t.txt`, {
      headers: { "accept-encoding": "gzip, br" },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-encoding"), null);
    assert.equal(await res.text(), text);
  });
});
