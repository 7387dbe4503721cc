/** A browser form upload (POST Object) is limited as its signer, not as anonymous (issue 29). */
import assert from "node:assert/strict";
import { ADMIN, BASE, errorCode, type Harness, harness, NOW, testConfig } from "./_harness.ts";
import { formRequest, presignedPost } from "../_support/post_form.ts";

/** POSTs a form signed by `signer` (or with a broken signature) to `private`. */
async function postForm(h: Harness, key: string, data: string, broken = false): Promise<Response> {
  const fields = presignedPost({
    bucket: "private",
    key,
    signer: broken ? { ...ADMIN, secret: "wrong-secret" } : ADMIN,
    expiresAt: NOW + 3600_000,
    signedAt: NOW,
  });
  return await h.handle(formRequest(`${BASE}/private`, fields, { data }));
}

const ANON = {
  name: "anon",
  match: { anonymous: true },
  requestsPerSecond: 1,
  burst: 1,
  ipv4Prefix: 24,
  ipv6Prefix: 64,
} as const;

Deno.test("a POST form counts toward its signer's rate and quota, not the anonymous one", async () => {
  const h = harness(testConfig({
    limits: [ANON, {
      name: "admin",
      match: { accessKeyId: ADMIN.id },
      requestsPerSecond: 3,
      burst: 3,
    }],
    quotas: [{ name: "admin-in", match: { accessKeyId: ADMIN.id }, bytesInPerDay: 20_000 }],
  }));
  for (let i = 0; i < 3; i++) {
    const res = await postForm(h, `f${i}`, "x".repeat(100));
    assert.equal(res.status, 204, `form ${i} (the anonymous budget is 1)`);
    await res.body?.cancel();
  }
  const over = await postForm(h, "f3", "x");
  assert.equal(over.status, 503, "the signer's rate (3) is used up");
  assert.equal(await errorCode(over), "SlowDown");
  assert.equal((await h.raw.get("private")!.head("f3")).ok, false, "nothing stored");
  const anon = await h.handle(new Request(`${BASE}/public/x`));
  assert.equal(anon.status, 404, "the anonymous budget is untouched by the forms");
  await anon.body?.cancel();
  h.clock.set(NOW + 10_000);
  const big = await postForm(h, "big", "x".repeat(20_000));
  assert.equal(big.status, 429, "the signer's bytes_in quota is checked on the form's length");
  assert.equal(await errorCode(big), "QuotaExceeded");
  const line = h.logs.at(-1)!;
  assert.equal(line.principal, "admin", "logged as its signer");
});

Deno.test("a POST form refused before it names a signer counts toward its source's anonymous rate", async () => {
  const h = harness(testConfig({ limits: [ANON] }));
  const bad = await postForm(h, "f", "x", true);
  assert.equal(bad.status, 403);
  await bad.body?.cancel();
  const anon = await h.handle(new Request(`${BASE}/public/x`));
  assert.equal(anon.status, 503, "the broken form used the anonymous budget");
  await anon.body?.cancel();
});
