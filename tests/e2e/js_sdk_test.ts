/**
 * @aws-sdk/client-s3 v3 (default checksums: aws-chunked with trailers) against
 * the real gateway, on every backend; path-style and virtual-hosted.
 */
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
  S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { availableBackends, type Rig, startRig } from "./_backends.ts";
import { DEV, sdkClient } from "./_gateway.ts";
import { clientTest, npmVersion } from "./compat/record.ts";

const DOMAIN = "s3.bucketgate.test";
const version = () => npmVersion("@aws-sdk/client-s3");
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/**
 * A virtual-hosted client: it signs for `<bucket>.s3.bucketgate.test:<port>`,
 * and every such host is mapped to 127.0.0.1 (the wildcard DNS entry a
 * deployment would have), by connecting there with the signed Host kept.
 */
function virtualHostedClient(rig: Rig, seen: string[]): S3Client {
  const s3 = new S3Client({
    endpoint: `http://${DOMAIN}:${rig.gw.port}`,
    region: "us-east-1",
    forcePathStyle: false,
    credentials: { accessKeyId: DEV.id, secretAccessKey: DEV.secret },
  });
  type Handler = (args: { request: unknown }) => Promise<unknown>;
  const mapHost = (next: Handler): Handler => (args) => {
    const request = args.request as {
      hostname?: string;
      path?: string;
      headers?: Record<string, string>;
    };
    if (request.hostname?.endsWith(`.${DOMAIN}`)) {
      assert.equal(request.headers?.host, `${request.hostname}:${rig.gw.port}`);
      seen.push(`${request.hostname} ${request.path}`);
      request.hostname = "127.0.0.1";
    }
    return next(args);
  };
  type Middleware = Parameters<S3Client["middlewareStack"]["addRelativeTo"]>[0];
  s3.middlewareStack.addRelativeTo(mapHost as unknown as Middleware, {
    relation: "after",
    toMiddleware: "awsAuthMiddleware",
    name: "wildcardHostMapping",
  });
  return s3;
}

for (const { kind, skip } of await availableBackends()) {
  clientTest({
    client: "@aws-sdk/client-s3",
    backend: kind,
    name: "aws-chunked uploads decoded (never stored), Upload, presign GET/PUT, list, delete",
    skip,
    version,
    // The SDK's sockets and timers outlive a test by a moment.
    sanitize: false,
    async fn() {
      const rig = await startRig(kind);
      const s3 = sdkClient(rig.gw);
      try {
        const B = "private-uploads";
        await s3.send(
          new PutObjectCommand({ Bucket: B, Key: "str.txt", Body: "hello from sdk v3" }),
        );
        assert.equal(await rig.storedText(B, "str.txt"), "hello from sdk v3");

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
        assert.deepEqual(await rig.stored(B, "stream.txt"), payload, "no aws-chunked framing");
        await rig.gw.waitForLog(/PUT \/private-uploads\/stream\.txt 200/);

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
        assert.equal(sha((await rig.stored(B, "big.bin"))!), sha(big));

        await s3.send(
          new CopyObjectCommand({
            Bucket: "public-data",
            Key: "copy.txt",
            CopySource: `${B}/str.txt`,
          }),
        );
        assert.equal(await rig.storedText("public-data", "copy.txt"), "hello from sdk v3");
        const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: B, Key: "str.txt" }), {
          expiresIn: 60,
        });
        assert.equal(await (await fetch(url)).text(), "hello from sdk v3");
        const putUrl = await getSignedUrl(
          s3,
          new PutObjectCommand({ Bucket: B, Key: "presigned.txt" }),
          { expiresIn: 60 },
        );
        const put = await fetch(putUrl, { method: "PUT", body: "via presigned put" });
        await put.body?.cancel();
        assert.equal(put.status, 200);
        assert.equal(await rig.storedText(B, "presigned.txt"), "via presigned put");

        const listed = await s3.send(new ListObjectsV2Command({ Bucket: B }));
        const keys = ["big.bin", "presigned.txt", "str.txt", "stream.txt"];
        assert.deepEqual(listed.Contents?.map((c) => c.Key), keys);
        const del = await s3.send(
          new DeleteObjectsCommand({
            Bucket: B,
            Delete: { Objects: keys.map((Key) => ({ Key })) },
          }),
        );
        assert.equal(del.Deleted?.length, 4);
        assert.deepEqual(await rig.keys(B), []);
      } finally {
        s3.destroy();
        await rig.stop();
      }
    },
  });

  clientTest({
    client: "@aws-sdk/client-s3",
    backend: kind,
    name: "virtual-hosted addressing against --domain",
    skip,
    version,
    // The SDK's sockets and timers outlive a test by a moment.
    sanitize: false,
    async fn() {
      const rig = await startRig(kind, { args: ["--domain", DOMAIN] });
      const seen: string[] = [];
      const s3 = virtualHostedClient(rig, seen);
      try {
        const B = "private-uploads";
        const payload = new TextEncoder().encode("virtually hosted ".repeat(1000));
        await s3.send(
          new PutObjectCommand({
            Bucket: B,
            Key: "v/a b.txt",
            Body: Readable.from([payload]),
            ContentLength: payload.length,
          }),
        );
        assert.deepEqual(await rig.stored(B, "v/a b.txt"), payload);
        const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: "v/a b.txt" }));
        assert.deepEqual(await got.Body!.transformToByteArray(), payload);
        await new Upload({
          client: s3,
          params: { Bucket: B, Key: "v/big.bin", Body: new Uint8Array(11 * 1024 * 1024).fill(9) },
          partSize: 5 * 1024 * 1024,
        }).done();
        assert.equal((await rig.stored(B, "v/big.bin"))?.length, 11 * 1024 * 1024);
        const listed = await s3.send(new ListObjectsV2Command({ Bucket: B, Prefix: "v/" }));
        assert.deepEqual(listed.Contents?.map((c) => c.Key), ["v/a b.txt", "v/big.bin"]);
        // Every request went out virtual-hosted: the bucket in the host, not in the path.
        assert.ok(seen.length >= 7, seen.join("\n"));
        for (const s of seen) {
          assert.match(s, /^private-uploads\.s3\.bucketgate\.test \/(?!private-uploads)/);
        }
        // The text log quotes a path holding a space (src/log/format.ts).
        await rig.gw.waitForLog(/PUT "\/private-uploads\/v\/a b\.txt" 200/);
      } finally {
        s3.destroy();
        await rig.stop();
      }
    },
  });
}
