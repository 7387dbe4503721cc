/**
 * src/transport against the stores the backends talk to: moto and s3rver
 * (S3, presigned URLs signed by the AWS SDK's signer) and Azurite (Blob, an
 * account SAS): a streamed upload sent with its Content-Length is stored
 * whole, read back streamed and byte for byte, HEAD and DELETE answered,
 * all over as few connections as each server keeps alive.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { accountSas, haveAzurite, startAzurite } from "../_support/azurite.ts";
import { createMotoBucket, haveMoto, startMoto } from "../_support/moto.ts";
import { haveS3rver, S3RVER_KEY, startS3rver } from "../_support/s3rver.ts";
import { presignQuery } from "../_support/signer.ts";
import { createTransport } from "../../src/transport/mod.ts";

const MiB = 1024 * 1024;
const SIZE = 8 * MiB + 123;

/** A store started for one test: where an object goes, and how a request to it is authorized. */
interface Store {
  /** The object's URL without authorization. */
  readonly objectUrl: string;
  /** The URL with its authorization for `method`. */
  authorize(method: string): Promise<string>;
  /** Fields a PUT must carry. */
  readonly putHeaders: Record<string, string>;
  /** Whether the ETag is the hex MD5 of the bytes (S3 single-part). */
  readonly md5ETag: boolean;
  /** Whether it keeps connections alive (moto answers every request with Connection: close). */
  readonly keepsAlive: boolean;
  stop(): Promise<void>;
}

const STORES: {
  readonly name: string;
  available(): Promise<boolean>;
  start(): Promise<Store>;
}[] = [
  {
    name: "moto",
    available: haveMoto,
    async start() {
      const moto = await startMoto();
      await createMotoBucket(moto.endpoint, "transport");
      const objectUrl = `${moto.endpoint}/transport/obj.bin`;
      const key = { id: "testing", secret: "testing" };
      return {
        objectUrl,
        authorize: async (method) =>
          `${objectUrl}?${await presignQuery(key, objectUrl, { method })}`,
        putHeaders: {},
        md5ETag: true,
        keepsAlive: false,
        stop: () => moto.stop(),
      };
    },
  },
  {
    name: "s3rver",
    available: haveS3rver,
    async start() {
      const s3rver = await startS3rver();
      await s3rver.createBucket("transport");
      const objectUrl = `${s3rver.endpoint}/transport/obj.bin`;
      return {
        objectUrl,
        authorize: async (method) =>
          `${objectUrl}?${await presignQuery(S3RVER_KEY, objectUrl, { method })}`,
        putHeaders: {},
        md5ETag: true,
        keepsAlive: true,
        stop: () => s3rver.stop(),
      };
    },
  },
  {
    name: "Azurite",
    available: haveAzurite,
    async start() {
      const azurite = await startAzurite();
      await azurite.createContainer("transport");
      const objectUrl = `${azurite.endpoint}/transport/obj.bin`;
      return {
        objectUrl,
        authorize: () => Promise.resolve(`${objectUrl}?${accountSas("rwdlac")}`),
        putHeaders: { "x-ms-blob-type": "BlockBlob", "x-ms-version": "2021-08-06" },
        md5ETag: false,
        keepsAlive: true,
        stop: () => azurite.stop(),
      };
    },
  },
];

/** `size` bytes in 1 MiB chunks, byte i = i mod 253. */
function patterned(size: number): { stream: ReadableStream<Uint8Array>; md5: string } {
  const hash = createHash("md5");
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < size; at += MiB) {
    const chunk = new Uint8Array(Math.min(MiB, size - at));
    for (let i = 0; i < chunk.length; i++) chunk[i] = (at + i) % 253;
    hash.update(chunk);
    chunks.push(chunk);
  }
  return { stream: ReadableStream.from(chunks), md5: hash.digest("hex") };
}

for (const store of STORES) {
  const available = await store.available();
  Deno.test({
    name: `transport on ${store.name}: a streamed upload with Content-Length, read back whole`,
    ignore: !available,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      const s = await store.start();
      let opened = 0;
      const t = createTransport({
        connect: (e) => {
          opened++;
          return Deno.connect({ hostname: e.hostname, port: e.port });
        },
      });
      try {
        const { stream, md5 } = patterned(SIZE);
        const put = await t.request({
          method: "PUT",
          url: await s.authorize("PUT"),
          headers: s.putHeaders,
          body: { stream, length: SIZE },
        });
        const putText = await new Response(put.body).text();
        assert.ok(put.status === 200 || put.status === 201, `${put.status} ${putText}`);
        if (s.md5ETag) assert.equal(put.headers.get("etag"), `"${md5}"`);

        const head = await t.request({ method: "HEAD", url: await s.authorize("HEAD") });
        assert.equal(head.status, 200);
        assert.equal(head.body, null);
        assert.equal(head.headers.get("content-length"), String(SIZE));

        const get = await t.request({ method: "GET", url: await s.authorize("GET") });
        assert.equal(get.status, 200);
        const hash = createHash("md5");
        let got = 0;
        for await (const chunk of get.body!) {
          hash.update(chunk);
          got += chunk.length;
        }
        assert.equal(got, SIZE);
        assert.equal(hash.digest("hex"), md5);

        const del = await t.request({ method: "DELETE", url: await s.authorize("DELETE") });
        await del.body?.cancel();
        assert.ok(del.status === 204 || del.status === 202, String(del.status));

        const missing = await t.request({ method: "GET", url: await s.authorize("GET") });
        assert.equal(missing.status, 404);
        await missing.body?.cancel();
        // One socket carries the five requests where the store keeps it alive; else one each.
        if (!s.keepsAlive) assert.equal(put.headers.get("connection"), "close");
        assert.equal(opened, s.keepsAlive ? 1 : 5, `${opened} sockets for 5 requests`);
      } finally {
        t.close();
        await s.stop();
      }
    },
  });
}
