/** Rate limits and quotas through the whole handler (issue 29 items 2 and 3). */
import assert from "node:assert/strict";
import { ADMIN, errorCode, harness, makeRequest, READER, testConfig } from "./_harness.ts";

Deno.test("a key over 5 requests per second (burst 5) gets 503 SlowDown with Retry-After; others do not", async () => {
  const h = harness(testConfig({
    limits: [{ name: "r", match: { accessKeyId: ADMIN.id }, requestsPerSecond: 5, burst: 5 }],
  }));
  for (let i = 0; i < 5; i++) {
    const res = await h.handle(
      await makeRequest(`/private/k${i}`, { method: "PUT", key: ADMIN, body: "x" }),
    );
    assert.equal(res.status, 200, `upload ${i}`);
    await res.body?.cancel();
  }
  const over = await h.handle(
    await makeRequest("/private/k5", { method: "PUT", key: ADMIN, body: "x" }),
  );
  assert.equal(over.status, 503);
  assert.equal(over.headers.get("retry-after"), "1");
  assert.equal(await errorCode(over), "SlowDown");
  assert.equal(
    (await h.raw.get("private")!.head("k5")).ok,
    false,
    "the refused upload was not stored",
  );
  const other = await h.handle(await makeRequest("/private/k0", { key: READER }));
  assert.equal(other.status, 200, "another key has its own budget (none)");
  await other.body?.cancel();
  for (let i = 0; i < 4; i++) {
    const flood = await h.handle(await makeRequest("/private/k5", { key: ADMIN }));
    assert.equal(flood.status, 503);
    await flood.body?.cancel();
  }
  h.clock.set(h.clock.now() + 600);
  const later = await h.handle(
    await makeRequest("/private/k5", { method: "PUT", key: ADMIN, body: "x" }),
  );
  assert.equal(later.status, 503, "the refused requests counted: still over 0.6 s later");
  await later.body?.cancel();
  h.clock.set(h.clock.now() + 2000);
  const refilled = await h.handle(
    await makeRequest("/private/k5", { method: "PUT", key: ADMIN, body: "x" }),
  );
  assert.equal(refilled.status, 200);
  await refilled.body?.cancel();
});

Deno.test("a 1 MiB daily quota refuses the download that crosses it, whole, and only for that key", async () => {
  const h = harness(testConfig({
    quotas: [{ name: "r", match: { accessKeyId: READER.id }, bytesOutPerDay: 1024 * 1024 }],
  }));
  const body = new Uint8Array(600 * 1024).fill(7);
  const put = await h.handle(
    await makeRequest("/private/big", { method: "PUT", key: ADMIN, body }),
  );
  assert.equal(put.status, 200);
  await put.body?.cancel();
  const first = await h.handle(await makeRequest("/private/big", { key: READER }));
  assert.equal(first.status, 200);
  assert.equal((await first.arrayBuffer()).byteLength, body.byteLength);
  const second = await h.handle(await makeRequest("/private/big", { key: READER }));
  assert.equal(second.status, 429);
  assert.match(second.headers.get("retry-after") ?? "", /^\d+$/);
  const text = await second.text();
  assert.match(text, /<Code>QuotaExceeded<\/Code>/);
  assert.match(text, /bytes_out_per_day of key:AKIDREADER000000001 \(1048576\)/);
  const head = await h.handle(await makeRequest("/private/big", { method: "HEAD", key: READER }));
  assert.equal(head.status, 200, "a HEAD sends no body: not refused");
  const small = await h.handle(
    await makeRequest("/private/big", { key: READER, headers: { range: "bytes=0-1023" } }),
  );
  assert.equal(small.status, 206, "a range that still fits is served");
  await small.body?.cancel();
  const admin = await h.handle(await makeRequest("/private/big", { key: ADMIN }));
  assert.equal(admin.status, 200, "another key is not limited");
  await admin.body?.cancel();
});

Deno.test("requests refused for a bad signature count toward the anonymous budget", async () => {
  const h = harness(testConfig({
    limits: [{
      name: "r",
      match: { anonymous: true },
      requestsPerSecond: 1,
      burst: 2,
      ipv4Prefix: 24,
      ipv6Prefix: 64,
    }],
  }));
  for (let i = 0; i < 2; i++) {
    const bad = await h.handle(
      await makeRequest("/private/x", { key: { id: ADMIN.id, secret: "wrong-secret" } }),
    );
    assert.equal(bad.status, 403);
    await bad.body?.cancel();
  }
  const anon = await h.handle(await makeRequest("/public/x"));
  assert.equal(anon.status, 503, "the bad signatures used the budget");
  await anon.body?.cancel();
});
