/**
 * A store behind a private CA (DENO_CERT), through the real gateway process:
 * reads go through fetch and uploads through node:https, and both must trust
 * the bundle. Uploads used not to: node:https reads only NODE_EXTRA_CA_CERTS,
 * so a PUT failed with UNABLE_TO_VERIFY_LEAF_SIGNATURE while GETs worked.
 */
import assert from "node:assert/strict";
import { makeCerts } from "../_support/certs.ts";
import { signedFetch, startGateway } from "./_gateway.ts";
import { missingCommand, skippable } from "../_support/tools.ts";

/** Why the private CA cannot be made here (openssl); under CI=true, throws. */
const noOpenssl = await missingCommand("openssl");

/** An S3-style store over HTTPS (path-style, no auth) keeping objects in memory. */
function httpsStore(cert: string, key: string) {
  const objects = new Map<string, Uint8Array<ArrayBuffer>>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, cert, key, onListen() {} },
    async (req) => {
      const path = new URL(req.url).pathname;
      if (req.method === "PUT") {
        const bytes = new Uint8Array(await req.arrayBuffer());
        objects.set(path, bytes);
        return new Response(null, { status: 200, headers: { etag: `"${bytes.byteLength}"` } });
      }
      const bytes = objects.get(path);
      if (!bytes) {
        return new Response("<Error><Code>NoSuchKey</Code><Message>no</Message></Error>", {
          status: 404,
          headers: { "content-type": "application/xml" },
        });
      }
      return new Response(req.method === "HEAD" ? null : bytes, {
        headers: {
          "content-length": String(bytes.byteLength),
          etag: '"0"',
          "last-modified": new Date(0).toUTCString(),
        },
      });
    },
  );
  return { port: server.addr.port, objects, stop: () => server.shutdown() };
}

Deno.test(
  skippable(
    "a store behind a private CA (DENO_CERT): uploads and reads both go through",
    noOpenssl,
  ),
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "bucketgate-tls-" });
    const certs = await makeCerts(dir);
    const store = httpsStore(
      await Deno.readTextFile(certs.certFile),
      await Deno.readTextFile(certs.keyFile),
    );
    const gw = await startGateway([
      `{ name: remote, backend_type: s3, anonymous_access: false, backend_options: { endpoint: "https://localhost:${store.port}", bucket_name: store, region: us-east-1, skip_signature: true, force_path_style: true } }`,
    ], { env: { DENO_CERT: certs.caFile } });
    try {
      const body = new Uint8Array(3 * 1024 * 1024 + 17);
      for (let i = 0; i < body.length; i += 65536) {
        crypto.getRandomValues(body.subarray(i, Math.min(body.length, i + 65536)));
      }
      const put = await signedFetch(gw, "PUT", "/remote/big.bin", { body });
      assert.equal(put.status, 200, await put.text());
      assert.deepEqual(store.objects.get("/store/big.bin"), body, "the store got every byte");
      const got = await signedFetch(gw, "GET", "/remote/big.bin");
      assert.equal(got.status, 200);
      assert.deepEqual(new Uint8Array(await got.arrayBuffer()), body);
    } finally {
      await gw.stop();
      await store.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
);
