/**
 * The gateway in front of an s3 backend (moto): real clients through the
 * gateway, checked against what the backend itself stores.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import {
  CopyObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { sdkClient, startGateway } from "./_gateway.ts";
import { motoBucket, motoMissing, startMoto } from "../_support/moto.ts";
import { skippable } from "../_support/tools.ts";

/** Why moto cannot run here; under CI=true, throws. */
const noMoto = await motoMissing();

/** Reads a key straight from the backend with the JS SDK (not through the gateway). */
async function direct(endpoint: string, key: string): Promise<Uint8Array> {
  const raw = new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  });
  try {
    const got = await raw.send(new GetObjectCommand({ Bucket: "backing", Key: key }));
    return await got.Body!.transformToByteArray();
  } finally {
    raw.destroy();
  }
}

Deno.test({
  ...skippable(
    "s3 backend over moto: aws-chunked arrives decoded, multipart and ranges pass through, backend_prefix hidden",
    noMoto,
  ),
  async fn() {
    const moto = await startMoto();
    const made = await fetch(`${moto.endpoint}/backing`, { method: "PUT" });
    await made.body?.cancel();
    const gw = await startGateway([
      motoBucket(moto.endpoint, "backing", { extra: "backend_prefix: tenant-a" }),
    ]);
    const s3 = sdkClient(gw);
    try {
      const payload = new TextEncoder().encode("chunked through to s3 ".repeat(3000));
      await s3.send(
        new PutObjectCommand({
          Bucket: "remote",
          Key: "dir/a b+c.txt",
          Body: Readable.from([payload.subarray(0, 30000), payload.subarray(30000)]),
          ContentLength: payload.length,
        }),
      );
      assert.deepEqual(
        await direct(moto.endpoint, "tenant-a/dir/a b+c.txt"),
        payload,
        "the backend holds the decoded bytes under the prefix",
      );
      const ranged = await s3.send(
        new GetObjectCommand({ Bucket: "remote", Key: "dir/a b+c.txt", Range: "bytes=0-6" }),
      );
      assert.equal(await ranged.Body!.transformToString(), "chunked");

      const big = new Uint8Array(12 * 1024 * 1024);
      crypto.getRandomValues(big.subarray(0, 65536));
      await new Upload({
        client: s3,
        params: { Bucket: "remote", Key: "big.bin", Body: big },
        partSize: 5 * 1024 * 1024,
      })
        .done();
      const stored = await direct(moto.endpoint, "tenant-a/big.bin");
      assert.equal(
        createHash("sha256").update(stored).digest("hex"),
        createHash("sha256").update(big).digest("hex"),
      );

      const listed = await s3.send(new ListObjectsV2Command({ Bucket: "remote", Delimiter: "/" }));
      assert.deepEqual(listed.Contents?.map((c) => c.Key), ["big.bin"]);
      assert.deepEqual(listed.CommonPrefixes?.map((p) => p.Prefix), ["dir/"]);
      const missing = await fetch(`${gw.url}/remote/nope`, { method: "HEAD" });
      assert.equal(missing.status, 403);
    } finally {
      s3.destroy();
      await gw.stop();
      await moto.stop();
    }
  },
});

Deno.test({
  ...skippable(
    "s3 backend over moto: storage class, encryption and tagging reach the store and come back",
    noMoto,
  ),
  async fn() {
    const moto = await startMoto();
    await (await fetch(`${moto.endpoint}/backing`, { method: "PUT" })).body?.cancel();
    const gw = await startGateway([
      motoBucket(moto.endpoint),
    ]);
    const s3 = sdkClient(gw);
    const raw = new S3Client({
      endpoint: moto.endpoint,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    try {
      const put = await s3.send(
        new PutObjectCommand({
          Bucket: "remote",
          Key: "cold.txt",
          Body: "cold",
          StorageClass: "STANDARD_IA",
          ServerSideEncryption: "AES256",
          Tagging: "team=data",
          ACL: "public-read",
        }),
      );
      assert.equal(put.ServerSideEncryption, "AES256", "the store's answer to the PUT");
      const stored = await raw.send(new HeadObjectCommand({ Bucket: "backing", Key: "cold.txt" }));
      assert.equal(stored.StorageClass, "STANDARD_IA");
      assert.equal(stored.ServerSideEncryption, "AES256");
      const head = await s3.send(new HeadObjectCommand({ Bucket: "remote", Key: "cold.txt" }));
      assert.equal(head.StorageClass, "STANDARD_IA");
      assert.equal(head.ServerSideEncryption, "AES256");
      const got = await s3.send(new GetObjectCommand({ Bucket: "remote", Key: "cold.txt" }));
      assert.equal(got.TagCount, 1);
      await got.Body!.transformToString();
      await s3.send(
        new CopyObjectCommand({
          Bucket: "remote",
          Key: "glacier.txt",
          CopySource: "remote/cold.txt",
          StorageClass: "GLACIER",
        }),
      );
      const copied = await raw.send(
        new HeadObjectCommand({ Bucket: "backing", Key: "glacier.txt" }),
      );
      assert.equal(copied.StorageClass, "GLACIER");
    } finally {
      s3.destroy();
      raw.destroy();
      await gw.stop();
      await moto.stop();
    }
  },
});
