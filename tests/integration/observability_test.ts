/** Server-Timing and the access log: what is measured, and what is never written. */
import assert from "node:assert/strict";
import { ADMIN, harness, makeRequest, send, testConfig } from "./_harness.ts";

Deno.test("Server-Timing carries auth, backend and total when server_timing is on", async () => {
  const on = harness(testConfig({ serverTiming: true }));
  const res = await send(on, "/private/x", { method: "PUT", key: ADMIN, body: "abc" });
  assert.match(
    res.headers.get("server-timing") ?? "",
    /^auth;dur=\d+, backend;dur=\d+, total;dur=\d+$/,
  );
  await res.body?.cancel();
  const denied = await send(on, "/private/x");
  assert.match(denied.headers.get("server-timing") ?? "", /total;dur=\d+/);
  await denied.body?.cancel();
  const off = harness();
  const plain = await send(off, "/private/x", { method: "PUT", key: ADMIN, body: "abc" });
  assert.equal(plain.headers.get("server-timing"), null);
  await plain.body?.cancel();
});

Deno.test("the access log records operation, principal, bytes and times, never a secret or signature", async () => {
  const h = harness();
  const req = await makeRequest("/private/logged.txt", {
    method: "PUT",
    key: ADMIN,
    body: "hello",
  });
  const signature = /Signature=(\w+)/.exec(req.headers.get("authorization") ?? "")![1]!;
  await (await h.handle(req)).body?.cancel();
  const get = await send(h, "/private/logged.txt", { key: ADMIN });
  await get.arrayBuffer();
  const [put, read] = h.logs;
  assert.equal(put?.operation, "PutObject");
  assert.equal(put?.principal, "admin");
  assert.equal(put?.authMode, "access_key");
  assert.equal(put?.bytesIn, 5);
  assert.equal(put?.status, 200);
  assert.equal(typeof put?.authMs, "number");
  assert.equal(typeof put?.backendMs, "number");
  assert.equal(read?.bytesOut, 5);
  const all = JSON.stringify(h.logs);
  assert.ok(!all.includes(ADMIN.secret), "no secret in the log");
  assert.ok(!all.includes(signature), "no signature in the log");
});
