import assert from "node:assert/strict";
import { createTransport } from "../../../src/transport/client.ts";
import type { Connector, Endpoint } from "../../../src/transport/pool.ts";
import { complete, FakeConn, readText, serve } from "./_fake_conn.ts";
import { withTransport } from "../../_support/transport.ts";

const OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

/** A connector of FakeConns, each served by `answer`. */
function fakes(answer: (conn: FakeConn, request: string, n: number) => string | undefined) {
  const made: FakeConn[] = [];
  const endpoints: Endpoint[] = [];
  const connect: Connector = (e) => {
    const f = new FakeConn();
    const n = made.push(f);
    endpoints.push(e);
    serve(f, (r) => answer(f, r, n));
    return Promise.resolve(f.asConn());
  };
  return { made, endpoints, connect };
}

Deno.test("createTransport() refuses options that are not positive numbers", () => {
  assert.throws(() => createTransport({ maxSocketsPerOrigin: 0 }), {
    name: "RangeError",
    message: "Cannot use maxSocketsPerOrigin 0",
  });
  assert.throws(() => createTransport({ timeoutMs: -1 }), RangeError);
  assert.throws(() => createTransport({ tickMs: NaN }), RangeError);
});

Deno.test("transport.request(): the head as sent (target, Host, Content-Length), the answer as read", async () => {
  const f = fakes((_c, r) => complete(r, 3) ? OK : undefined);
  await withTransport({ connect: f.connect }, async (t) => {
    const res = await t.request({
      method: "PUT",
      url: "http://store.test:9000/b/k%20x?uploads=",
      headers: { "x-amz-meta-a": "1" },
      body: new TextEncoder().encode("abc"),
    });
    assert.equal(res.status, 200);
    assert.equal(await readText(res.body), "ok");
    const sent = f.made[0]!.text();
    assert.match(sent, /^PUT \/b\/k%20x\?uploads= HTTP\/1\.1\r\n/);
    assert.match(sent, /\r\nhost: store\.test:9000\r\n/i);
    assert.match(sent, /\r\ncontent-length: 3\r\n/i);
    assert.match(sent, /\r\nx-amz-meta-a: 1\r\n/i);
    assert.deepEqual(f.endpoints, [{ hostname: "store.test", port: 9000, tls: false }]);
  });
});

Deno.test("transport: pools by origin (default ports, IPv6 unbracketed); only http: and https:", async () => {
  const f = fakes((_c, r) => complete(r) ? OK : undefined);
  await withTransport({ connect: f.connect }, async (t) => {
    await t.request({ method: "GET", url: "http://a.test/x" }).then((r) => readText(r.body));
    await t.request({ method: "GET", url: "https://[::1]/x" }).then((r) => readText(r.body));
    await t.request({ method: "GET", url: "http://a.test:80/y" }).then((r) => readText(r.body));
    assert.deepEqual(f.endpoints, [
      { hostname: "a.test", port: 80, tls: false },
      { hostname: "::1", port: 443, tls: true },
    ]);
    assert.deepEqual(Object.keys(t.stats()).sort(), ["http://a.test:80", "https://[::1]:443"]);
    assert.equal(t.stats()["http://a.test:80"]!.opened, 1);
    await assert.rejects(t.request({ method: "GET", url: "ftp://a.test/" }), {
      name: "TypeError",
      message: "Cannot send a request to ftp: URLs",
    });
  });
});

Deno.test("transport: a GET on a reused connection the server closed goes again on a fresh one", async () => {
  const f = fakes((conn, r, n) => {
    if (!complete(r)) return undefined;
    if (n === 1 && conn.writes.length > 1) {
      conn.end(); // the second request on the first socket: closed unanswered
      return undefined;
    }
    return OK;
  });
  await withTransport({ connect: f.connect }, async (t) => {
    assert.equal(
      await readText((await t.request({ method: "GET", url: "http://s.test/1" })).body),
      "ok",
    );
    const again = await t.request({ method: "GET", url: "http://s.test/2" });
    assert.equal(await readText(again.body), "ok");
    assert.equal(f.made.length, 2);
    assert.match(f.made[1]!.text(), /^GET \/2 /);
  });
});

Deno.test("transport: a POST the server closed on after it was sent is not replayed", async () => {
  const f = fakes((conn, r, n) => {
    if (!complete(r)) return undefined;
    if (n === 1 && conn.writes.length > 1) {
      conn.end();
      return undefined;
    }
    return OK;
  });
  await withTransport({ connect: f.connect }, async (t) => {
    await readText((await t.request({ method: "GET", url: "http://s.test/1" })).body);
    await assert.rejects(
      t.request({ method: "POST", url: "http://s.test/2", body: new Uint8Array(1) }),
      { code: "ConnectionClosed" },
    );
    assert.equal(f.made.length, 1);
  });
});

Deno.test("transport: an aborted signal rejects with its reason; a closed transport refuses", async () => {
  const f = fakes((_c, r) => complete(r) ? OK : undefined);
  const t = createTransport({ connect: f.connect });
  await assert.rejects(
    t.request({
      method: "GET",
      url: "http://s.test/",
      signal: AbortSignal.abort(new Error("gone")),
    }),
    { message: "gone" },
  );
  assert.equal(f.made.length, 0);
  t.close();
  await assert.rejects(t.request({ method: "GET", url: "http://s.test/" }), {
    name: "TypeError",
    message: "Cannot send a request: the transport is closed",
  });
});
