/** @aws-sdk/client-s3 v3 (default checksums: aws-chunked with trailers) against the real gateway. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import {
  CopyObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { filesUnder, sdkClient, startGateway } from "./_gateway.ts";

Deno.test("JS SDK v3: aws-chunked uploads are decoded (never stored), Upload, presign, list, delete", async () => {
  const gw = await startGateway();
  const s3 = sdkClient(gw);
  try {
    const B = "private-uploads";
    await s3.send(new PutObjectCommand({ Bucket: B, Key: "str.txt", Body: "hello from sdk v3" }));
    assert.equal(await Deno.readTextFile(`${gw.dataDir}/${B}/str.txt`), "hello from sdk v3");

    // A stream body makes the SDK send STREAMING-UNSIGNED-PAYLOAD-TRAILER with a CRC32 trailer.
    const payload = new TextEncoder().encode("streamed ".repeat(5000));
    await s3.send(
      new PutObjectCommand({
        Bucket: B,
        Key: "stream.txt",
        Body: Readable.from([payload.subarray(0, 20000), payload.subarray(20000)]),
        ContentLength: payload.length,
      }),
    );
    assert.deepEqual(
      await Deno.readFile(`${gw.dataDir}/${B}/stream.txt`),
      payload,
      "no aws-chunked framing on disk",
    );
    assert.match(gw.logs(), /PUT \/private-uploads\/stream\.txt 200/);

    const ranged = await s3.send(
      new GetObjectCommand({ Bucket: B, Key: "stream.txt", Range: "bytes=0-7" }),
    );
    assert.equal(await ranged.Body!.transformToString(), "streamed");
    const head = await s3.send(new HeadObjectCommand({ Bucket: B, Key: "stream.txt" }));
    assert.equal(head.ContentLength, payload.length);

    const big = new Uint8Array(20 * 1024 * 1024);
    crypto.getRandomValues(big.subarray(0, 65536));
    await new Upload({
      client: s3,
      params: { Bucket: B, Key: "big.bin", Body: big },
      partSize: 5 * 1024 * 1024,
    }).done();
    const stored = await Deno.readFile(`${gw.dataDir}/${B}/big.bin`);
    assert.equal(
      createHash("sha256").update(stored).digest("hex"),
      createHash("sha256").update(big).digest("hex"),
    );

    await s3.send(
      new CopyObjectCommand({ Bucket: "public-data", Key: "copy.txt", CopySource: `${B}/str.txt` }),
    );
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: B, Key: "str.txt" }), {
      expiresIn: 60,
    });
    const res = await fetch(url);
    assert.equal(await res.text(), "hello from sdk v3");

    const listed = await s3.send(new ListObjectsV2Command({ Bucket: B }));
    assert.deepEqual(listed.Contents?.map((c) => c.Key), ["big.bin", "str.txt", "stream.txt"]);
    const del = await s3.send(
      new DeleteObjectsCommand({
        Bucket: B,
        Delete: { Objects: [{ Key: "big.bin" }, { Key: "str.txt" }, { Key: "stream.txt" }] },
      }),
    );
    assert.equal(del.Deleted?.length, 3);
    assert.deepEqual(await filesUnder(`${gw.dataDir}/${B}`), []);
  } finally {
    s3.destroy();
    await gw.stop();
  }
});
