/**
 * In-process tests (issue 18): a refused signature says in the access log's
 * detail which canonical request the gateway computed, so an operator can
 * diff it against the client's; a session token in it is never logged.
 */
import assert from "node:assert/strict";
import { presignQuery } from "../_support/signer.ts";
import { ADMIN, BASE, harness, makeRequest, NOW } from "./_harness.ts";

Deno.test("SignatureDoesNotMatch logs the canonical request the gateway computed", async () => {
  const h = harness();
  const signed = await makeRequest("/private/k?list-type=2", { key: ADMIN });
  const headers = new Headers(signed.headers);
  headers.set("x-amz-date", headers.get("x-amz-date")!); // unchanged
  const tampered = new Request(`${BASE}/private/k?list-type=2&prefix=x`, { headers });
  const res = await h.handle(tampered);
  assert.equal(res.status, 403);
  const body = await res.text();
  assert.match(body, /<Code>SignatureDoesNotMatch<\/Code>/);
  assert.doesNotMatch(body, /canonical request/i);
  const entry = h.logs.at(-1)!;
  assert.equal(entry.errorCode, "SignatureDoesNotMatch");
  assert.match(entry.detail ?? "", /canonical request/);
  assert.match(
    entry.detail ?? "",
    /GET\\n\/private\/k\\nlist-type=2&prefix=x\\nhost:gateway\.test\\n/,
  );
  assert.match(entry.detail ?? "", /sha256 [0-9a-f]{64}/);
});

Deno.test("the logged canonical request never holds a session token", async () => {
  const h = harness();
  const token = "SECRET-SESSION-TOKEN-VALUE";
  const withToken = { ...ADMIN, token };
  const header = await makeRequest("/private/k", { key: withToken });
  const bad = new Headers(header.headers);
  bad.set(
    "authorization",
    bad.get("authorization")!.replace(/Signature=\w+/, `Signature=${"0".repeat(64)}`),
  );
  await (await h.handle(new Request(`${BASE}/private/k`, { headers: bad }))).body?.cancel();
  const qs = await presignQuery(withToken, `${BASE}/private/k`, { signedAt: NOW });
  const forged = qs.replace(/X-Amz-Signature=\w+/, `X-Amz-Signature=${"0".repeat(64)}`);
  await (await h.handle(new Request(`${BASE}/private/k?${forged}`))).body?.cancel();
  for (const entry of h.logs) {
    assert.doesNotMatch(JSON.stringify(entry), new RegExp(token));
  }
});
