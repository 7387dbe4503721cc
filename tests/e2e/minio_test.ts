/** minio-js (the MinIO JavaScript SDK) against the real gateway process, on every backend. */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import * as Minio from "minio";
import { availableBackends, type Rig, startRig } from "./_backends.ts";
import { DEV } from "./_gateway.ts";
import { clientTest, npmVersion } from "./compat/record.ts";

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** A client without a region, so it asks GetBucketLocation; 5 MiB parts. */
function client(rig: Rig): Minio.Client {
  return new Minio.Client({
    endPoint: "127.0.0.1",
    port: rig.gw.port,
    useSSL: false,
    accessKey: DEV.id,
    secretKey: DEV.secret,
    pathStyle: true,
    partSize: 5 * 1024 * 1024,
  });
}

async function bytesOf(stream: Readable): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c));
  return new Uint8Array(Buffer.concat(chunks));
}

async function listed(stream: NodeJS.ReadableStream): Promise<string[]> {
  const names: string[] = [];
  for await (const item of stream as AsyncIterable<{ name?: string; prefix?: string }>) {
    names.push(item.name ?? `${item.prefix} (prefix)`);
  }
  return names;
}

for (const { kind, skip } of await availableBackends()) {
  clientTest({
    client: "minio-js",
    backend: kind,
    name: "put/get/stat/list/copy/remove, multipart stream, presigned GET and PUT",
    skip,
    version: () => npmVersion("minio"),
    // minio-js keeps sockets and timers a moment after the test.
    sanitize: false,
    async fn() {
      const rig = await startRig(kind, { args: ["--log-format", "json"] });
      const mc = client(rig);
      const operations = () =>
        rig.gw.logs().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l))
          .map((e: { operation?: string; status: number }) => `${e.operation} ${e.status}`);
      const B = "private-uploads";
      try {
        assert.equal(await mc.bucketExists(B), true);
        assert.equal(await mc.bucketExists("no-such-bucket"), false);
        await rig.gw.waitForLog(/"bucket":"no-such-bucket"/);
        assert.ok(operations().includes("GetBucketLocation 200"), operations().join("\n"));
        assert.ok(operations().includes("HeadBucket 200"), "bucketExists is a HeadBucket");

        await mc.putObject(B, "m/hello.txt", "hello from minio-js", undefined, {
          "Content-Type": "text/plain",
          "x-amz-meta-color": "blue",
        });
        assert.equal(await rig.storedText(B, "m/hello.txt"), "hello from minio-js");
        const stat = await mc.statObject(B, "m/hello.txt");
        assert.equal(stat.size, 19);
        assert.equal(stat.metaData["content-type"], "text/plain");
        assert.equal(stat.metaData["color"], "blue");
        assert.equal(
          new TextDecoder().decode(await bytesOf(await mc.getObject(B, "m/hello.txt"))),
          "hello from minio-js",
        );
        const part = await bytesOf(await mc.getPartialObject(B, "m/hello.txt", 6, 4));
        assert.equal(new TextDecoder().decode(part), "from");

        // A stream of unknown length over the part size: multipart.
        const big = new Uint8Array(12 * 1024 * 1024);
        crypto.getRandomValues(big.subarray(0, 65536));
        big[big.length - 1] = 1;
        const chunks = [];
        for (let at = 0; at < big.length; at += 1024 * 1024) {
          chunks.push(big.subarray(at, at + 1024 * 1024));
        }
        const up = await mc.putObject(B, "m/odd key é+%.bin", Readable.from(chunks));
        assert.match(up.etag, /-3$/, "a multipart ETag");
        assert.equal(sha((await rig.stored(B, "m/odd key é+%.bin"))!), sha(big));
        assert.equal(sha(await bytesOf(await mc.getObject(B, "m/odd key é+%.bin"))), sha(big));

        await mc.copyObject("public-data", "copied.txt", `/${B}/m/hello.txt`);
        assert.equal(await rig.storedText("public-data", "copied.txt"), "hello from minio-js");

        assert.deepEqual(await listed(mc.listObjectsV2(B, "m/", true)), [
          "m/hello.txt",
          "m/odd key é+%.bin",
        ]);
        assert.deepEqual(await listed(mc.listObjects(B, "", false)), ["m/ (prefix)"]);

        const getUrl = await mc.presignedGetObject(B, "m/hello.txt", 60);
        assert.equal(await (await fetch(getUrl)).text(), "hello from minio-js");
        const putUrl = await mc.presignedPutObject(B, "m/presigned.txt", 60);
        const put = await fetch(putUrl, { method: "PUT", body: "via presigned put" });
        await put.body?.cancel();
        assert.equal(put.status, 200);
        assert.equal(await rig.storedText(B, "m/presigned.txt"), "via presigned put");

        await mc.removeObject(B, "m/hello.txt");
        assert.equal(await rig.stored(B, "m/hello.txt"), undefined);
        await mc.removeObjects(B, ["m/odd key é+%.bin", "m/presigned.txt"]);
        assert.deepEqual(await rig.keys(B), []);
        await assert.rejects(mc.statObject(B, "m/hello.txt"), (e: { code?: string }) => {
          assert.equal(e.code, "NotFound");
          return true;
        });
      } finally {
        await rig.stop();
      }
    },
  });
}
