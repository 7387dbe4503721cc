/**
 * The configured `region:` is the one a SigV4 credential scope must name, in
 * headers and presigned URLs, through the whole app (issue 28 item 5); the
 * test clients sign for us-east-1.
 */
import assert from "node:assert/strict";
import { ADMIN, BASE, errorCode, harness, NOW, send, testConfig } from "./_harness.ts";
import { presignQuery } from "../_support/signer.ts";

Deno.test("region: a header signature for us-east-1 on a gateway in eu-west-3 is AuthorizationHeaderMalformed", async () => {
  const h = harness(testConfig({ region: "eu-west-3" }));
  const res = await send(h, "/private/k", { key: ADMIN });
  const xml = await res.text();
  assert.equal(res.status, 400);
  assert.match(xml, /<Code>AuthorizationHeaderMalformed<\/Code>/);
  assert.match(xml, /the region &apos;us-east-1&apos; is wrong; expecting &apos;eu-west-3&apos;/);
  assert.match(
    xml,
    /<Region>eu-west-3<\/Region>/,
    "S3 names the region, and the SDKs retry with it",
  );
});

Deno.test("region: a presigned URL for another region is AuthorizationQueryParametersError", async () => {
  const h = harness(testConfig({ region: "eu-west-3" }));
  const url = `${BASE}/private/k`;
  const query = await presignQuery(ADMIN, url, { signedAt: NOW });
  const res = await h.handle(new Request(`${url}?${query}`, { headers: { host: "gateway.test" } }));
  assert.equal(res.status, 400);
  assert.equal(await errorCode(res), "AuthorizationQueryParametersError");
});

Deno.test('region: the matching region verifies, and region: "*" accepts any', async () => {
  const same = await send(harness(testConfig()), "/private/k", { key: ADMIN });
  assert.equal(same.status, 404, "us-east-1, the default: verified, then NoSuchKey");
  await same.body?.cancel();
  const any = harness(testConfig({ region: "us-east-1", anyRegion: true }));
  const res = await send(any, "/private/k", { key: ADMIN });
  assert.equal(res.status, 404);
  await res.body?.cancel();
  const elsewhere = harness(testConfig({ region: "eu-west-3", anyRegion: true }));
  const ok = await send(elsewhere, "/private/k", { key: ADMIN });
  assert.equal(ok.status, 404, "any region verifies");
  await ok.body?.cancel();
});
