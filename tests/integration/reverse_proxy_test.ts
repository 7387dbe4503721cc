/**
 * Behind a reverse proxy: requests signed for the public host arrive with the
 * `Host` the proxy chose and `X-Forwarded-*` headers. They verify and route
 * by the client's host only when the peer is a trusted proxy; from anyone
 * else the forwarded headers change nothing.
 */
import assert from "node:assert/strict";
import {
  ADMIN,
  errorCode,
  harness,
  makeRequest,
  type RequestOptions,
  testConfig,
} from "./_harness.ts";
import type { Config } from "../../src/config/types.ts";
import { presignQuery } from "../_support/signer.ts";
import { NOW } from "./_harness.ts";

const PROXY = { hostname: "127.0.0.1", port: 40100 };
const STRANGER = { hostname: "192.0.2.10", port: 40200 };
const PUBLIC = "https://s3.example.com";

function proxied(overrides: Partial<Config> = {}) {
  return harness(testConfig({ trustedProxies: ["127.0.0.1", "10.0.0.0/8"], ...overrides }));
}

/**
 * A request signed for `base` (what the client used), as a proxy forwards it:
 * to 127.0.0.1:8080 with `Host` rewritten and the given headers added.
 */
async function throughProxy(
  path: string,
  forwarded: Record<string, string>,
  o: RequestOptions & { base?: string } = {},
): Promise<Request> {
  const signed = await makeRequest(path, { key: ADMIN, base: PUBLIC, ...o });
  const headers = new Headers(signed.headers);
  headers.set("host", "127.0.0.1:8080");
  for (const [k, v] of Object.entries(forwarded)) headers.set(k, v);
  const url = new URL(signed.url);
  return new Request(`http://127.0.0.1:8080${url.pathname}${url.search}`, {
    method: signed.method,
    headers,
    ...(signed.body ? { body: signed.body } : {}),
  });
}

const NGINX_HEADERS = {
  "x-forwarded-host": "s3.example.com",
  "x-forwarded-proto": "https",
  "x-forwarded-for": "203.0.113.7",
};

Deno.test("a signed request through a trusted proxy that rewrote Host verifies by X-Forwarded-Host", async () => {
  const h = proxied();
  const put = await h.app(
    await throughProxy("/private/a%20b+c.txt", NGINX_HEADERS, { method: "PUT", body: "hello" }),
    { remoteAddr: PROXY },
  );
  assert.equal(put.status, 200, await put.text());
  const get = await h.app(await throughProxy("/private/a%20b+c.txt", NGINX_HEADERS), {
    remoteAddr: PROXY,
  });
  assert.equal(get.status, 200);
  assert.equal(await get.text(), "hello");
  const entry = h.logs.at(-1)!;
  assert.equal(entry.remote, "203.0.113.7", "the client's address, as the proxy saw it");
  assert.equal(entry.proxy, "127.0.0.1");
  assert.equal(entry.principal, "admin");
});

Deno.test("the same request from a peer that is not a trusted proxy is refused: its forwarded headers are ignored", async () => {
  const h = proxied();
  const res = await h.app(await throughProxy("/private/x.txt", NGINX_HEADERS), {
    remoteAddr: STRANGER,
  });
  assert.equal(res.status, 403);
  assert.equal(await errorCode(res), "SignatureDoesNotMatch");
  const entry = h.logs.at(-1)!;
  assert.equal(entry.remote, "192.0.2.10", "a stranger's X-Forwarded-For is not believed");
  assert.equal(entry.proxy, undefined);
});

Deno.test("with no trusted_proxies every forwarded header is ignored, even from 127.0.0.1", async () => {
  const h = harness(testConfig());
  const res = await h.app(await throughProxy("/private/x.txt", NGINX_HEADERS), {
    remoteAddr: PROXY,
  });
  assert.equal(await errorCode(res), "SignatureDoesNotMatch");
  assert.equal(h.logs.at(-1)!.remote, "127.0.0.1");
});

Deno.test("virtual-hosted style routes by the forwarded host of a trusted proxy, never by a stranger's", async () => {
  const h = proxied({ domain: "s3.example.com" });
  const seeded = await h.app(
    await throughProxy("/private/k.txt", NGINX_HEADERS, { method: "PUT", body: "vhost" }),
    { remoteAddr: PROXY },
  );
  assert.equal(seeded.status, 200);
  const vhost = { ...NGINX_HEADERS, "x-forwarded-host": "private.s3.example.com" };
  const res = await h.app(
    await throughProxy("/k.txt", vhost, { base: "https://private.s3.example.com" }),
    { remoteAddr: PROXY },
  );
  assert.equal(res.status, 200);
  assert.equal(await res.text(), "vhost");
  // An anonymous stranger claiming the private bucket's host is routed by its own Host
  // (path style: bucket "k.txt"), not into the private bucket.
  const spoof = new Request("http://127.0.0.1:8080/k.txt", {
    headers: { host: "127.0.0.1:8080", "x-forwarded-host": "private.s3.example.com" },
  });
  const refused = await h.app(spoof, { remoteAddr: STRANGER });
  assert.equal(await errorCode(refused), "NoSuchBucket");
});

Deno.test("public_endpoint stands in for a trusted proxy that rewrote Host and sent no X-Forwarded-Host", async () => {
  const h = proxied({ publicEndpoint: PUBLIC });
  const res = await h.app(
    await throughProxy("/private/p.txt", { "x-forwarded-for": "203.0.113.8" }, {
      method: "PUT",
      body: "via endpoint",
    }),
    { remoteAddr: PROXY },
  );
  assert.equal(res.status, 200, await res.text());
  // A client that reaches bucketgate directly signed the Host it sent, and still verifies.
  const direct = await makeRequest("/private/p.txt", { key: ADMIN, base: "http://127.0.0.1:8080" });
  const got = await h.app(direct, { remoteAddr: STRANGER });
  assert.equal(got.status, 200);
  assert.equal(await got.text(), "via endpoint");
});

Deno.test("a presigned URL made for the public host works through a trusted proxy", async () => {
  const h = proxied();
  await h.app(
    await throughProxy("/private/shared.txt", NGINX_HEADERS, { method: "PUT", body: "shared" }),
    { remoteAddr: PROXY },
  );
  const q = await presignQuery(ADMIN, "https://s3.example.com/private/shared.txt", {
    signedAt: NOW,
    expiresIn: 300,
  });
  const req = new Request(`http://127.0.0.1:8080/private/shared.txt?${q}`, {
    headers: { host: "127.0.0.1:8080", ...NGINX_HEADERS },
  });
  const res = await h.app(req, { remoteAddr: PROXY });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  assert.equal(text, "shared");
});

Deno.test("a trusted proxy's malformed X-Forwarded-Host is 400 InvalidRequest, logged with the peer's address", async () => {
  const h = proxied();
  const req = new Request("http://127.0.0.1:8080/public/x", {
    headers: { host: "127.0.0.1:8080", "x-forwarded-host": "evil host/" },
  });
  const res = await h.app(req, { remoteAddr: PROXY });
  assert.equal(res.status, 400);
  assert.match(await res.text(), /<Code>InvalidRequest<\/Code>.*X-Forwarded-Host/s);
  assert.equal(h.logs.at(-1)!.remote, "127.0.0.1");
});

/** A one-part multipart upload through the proxy; returns CompleteMultipartUpload's Location. */
async function multipartLocation(
  h: ReturnType<typeof proxied>,
  path: string,
  forwarded: Record<string, string>,
  base = PUBLIC,
): Promise<string | undefined> {
  const via = async (p: string, o: RequestOptions) =>
    await h.app(await throughProxy(p, forwarded, { base, ...o }), { remoteAddr: PROXY });
  const created = await (await via(`${path}?uploads`, { method: "POST" })).text();
  const id = /<UploadId>([^<]+)<\/UploadId>/.exec(created)?.[1];
  assert.ok(id, created);
  const q = `uploadId=${encodeURIComponent(id)}`;
  const put = await via(`${path}?partNumber=1&${q}`, { method: "PUT", body: "one part" });
  await put.body?.cancel();
  const body = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${
    put.headers.get("etag")
  }</ETag></Part></CompleteMultipartUpload>`;
  const done = await (await via(`${path}?${q}`, { method: "POST", body })).text();
  return /<Location>([^<]*)<\/Location>/.exec(done)?.[1];
}

Deno.test("CompleteMultipartUpload's Location is the object's URL as the client addressed it, through the proxy", async () => {
  const h = proxied({ domain: "s3.example.com" });
  assert.equal(
    await multipartLocation(h, "/private/m%20k.bin", NGINX_HEADERS),
    "https://s3.example.com/private/m%20k.bin",
  );
  const vhost = { ...NGINX_HEADERS, "x-forwarded-host": "private.s3.example.com" };
  assert.equal(
    await multipartLocation(h, "/v.bin", vhost, "https://private.s3.example.com"),
    "https://private.s3.example.com/v.bin",
  );
});
