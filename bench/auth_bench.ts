/**
 * Hot-path costs per request, in ns/op: SigV4 verification with a cached
 * derived key, the whole in-process handler for a signed GET and HEAD, and
 * a ListObjectsV2 page. Run with `deno task bench:micro`.
 */
import { testSigner } from "../tests/_support/signer.ts";
import { authenticate } from "../src/auth/authenticate.ts";
import { createSigningKeyCache } from "../src/sigv4/signing_key.ts";
import { requestTarget } from "../src/http/target.ts";
import { fixedClock } from "../src/clock.ts";
import { ADMIN, harness, makeRequest, NOW, testConfig } from "../tests/integration/_harness.ts";

const config = testConfig();
const credentials = new Map(config.credentials.map((c) => [c.accessKeyId, c]));
const deps = { credentials, clock: fixedClock(NOW), signingKeys: createSigningKeyCache() };

const signer = testSigner(ADMIN);
const signed = await signer.sign({
  method: "GET",
  protocol: "http:",
  hostname: "gateway.test",
  path: "/private/some/key.bin",
  headers: { host: "gateway.test", "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
}, { signingDate: new Date(NOW) });
const headers = new Headers(signed.headers as Record<string, string>);
const url = "http://gateway.test/private/some/key.bin";
const target = requestTarget(url);

Deno.bench("SigV4 header verification (cached derived key)", async () => {
  const r = await authenticate(new Request(url, { headers }), target, deps);
  if (!r.ok) throw new Error(r.error.message);
});

const h = harness();
await h.handle(
  await makeRequest("/private/obj", { method: "PUT", key: ADMIN, body: "x".repeat(1024) }),
);
for (let i = 0; i < 1000; i++) {
  await h.handle(
    await makeRequest(`/private/list/k${String(i).padStart(4, "0")}`, {
      method: "PUT",
      key: ADMIN,
      body: "v",
    }),
  );
}
const getReq = await makeRequest("/private/obj", { key: ADMIN });
const headReq = await makeRequest("/private/obj", { method: "HEAD", key: ADMIN });
const listReq = await makeRequest("/private?list-type=2&prefix=list%2F", { key: ADMIN });

Deno.bench("signed GET of a 1 KiB object through the whole handler (memory backend)", async () => {
  const res = await h.handle(getReq.clone());
  await res.arrayBuffer();
});

Deno.bench("signed HEAD through the whole handler", async () => {
  await h.handle(headReq.clone());
});

Deno.bench("signed ListObjectsV2 page of 1,000 keys (memory backend)", async () => {
  const res = await h.handle(listReq.clone());
  await res.arrayBuffer();
});
