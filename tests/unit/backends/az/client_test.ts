import assert from "node:assert/strict";
import { AZ_API_VERSION } from "../../../../src/backends/az/client.ts";
import { answer, fake, FAKE_NOW } from "./_fake.ts";

const KEY = btoa("0123456789abcdef0123456789abcdef");

Deno.test("client retries a failed read after the injected sleep's back-off, never a real timer", async () => {
  const statuses = [503, 500, 200];
  const f = fake(() => answer(statuses.shift()!, null, { "content-length": "0" }));
  const started = performance.now();
  const r = await f.ctx.client.call({ method: "HEAD", path: f.ctx.client.pathOf("k") });
  assert.ok(r.ok);
  assert.equal(r.value.status, 200);
  assert.equal(f.requests.length, 3);
  assert.deepEqual(f.sleeps, [100, 200], "exponential back-off through deps.sleep");
  assert.ok(performance.now() - started < 90, "no real 100 + 200 ms wait");
});

Deno.test("client never retries a write, nor a read that failed for good", async () => {
  const f = fake(() => answer(503));
  await f.ctx.client.call({
    method: "PUT",
    path: f.ctx.client.pathOf("k"),
    body: { kind: "bytes", bytes: new Uint8Array(1) },
  });
  assert.equal(f.requests.length, 1);
  const g = fake(() => answer(404));
  await g.ctx.client.call({ method: "GET", path: g.ctx.client.pathOf("k") });
  assert.equal(g.requests.length, 1);
  assert.deepEqual([...f.sleeps, ...g.sleeps], []);
});

Deno.test("client dates requests by the injected clock and speaks one API version", async () => {
  const f = fake(() => answer(200));
  await f.ctx.client.call({ method: "HEAD", path: f.ctx.client.pathOf("k") });
  const h = f.requests[0]!.headers;
  assert.equal(h["x-ms-date"], new Date(FAKE_NOW).toUTCString());
  assert.equal(h["x-ms-version"], AZ_API_VERSION);
  assert.equal(h.authorization, undefined, "skip_signature sends no Authorization");
});

Deno.test("client signs with the Shared Key, or appends the SAS token", async () => {
  const shared = fake(() => answer(200), { auth: { access_key: KEY } });
  await shared.ctx.client.call({ method: "HEAD", path: shared.ctx.client.pathOf("a b") });
  assert.match(shared.requests[0]!.headers.authorization!, /^SharedKey acct1:[A-Za-z0-9+/=]+$/);
  assert.equal(shared.requests[0]!.url.pathname, "/data/a%20b");
  const sas = fake(() => answer(200), { auth: { sas_token: "?sv=1&sig=abc" } });
  await sas.ctx.client.call({ method: "GET", path: "/data", query: { comp: "list" } });
  assert.equal(sas.requests[0]!.url.search, "?comp=list&sv=1&sig=abc");
  assert.notEqual(sas.ctx.client.store.includes("abc"), true, "the store names a SAS by digest");
});

Deno.test("client makes a transport rejection a BackendError and refuses dot segments unsent", async () => {
  const f = fake(() => Promise.reject(new TypeError("connection refused")));
  const r = await f.ctx.client.call({ method: "PUT", path: f.ctx.client.pathOf("k") });
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "BackendError");
  const dots = await f.ctx.client.call({ method: "GET", path: "/data/a/../b" });
  assert.ok(!dots.ok);
  assert.equal(f.requests.length, 1);
});

Deno.test("client.expect() maps an unexpected status through errorFrom", async () => {
  const f = fake(() => answer(404, "", { "x-ms-error-code": "BlobNotFound" }));
  const r = await f.ctx.client.expect("GetBlobProperties", [200], {
    method: "HEAD",
    path: f.ctx.client.pathOf("k"),
  });
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "NoSuchKey");
});
