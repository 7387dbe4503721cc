/**
 * The JS SDK v3's multipart checksums against the real gateway, on every
 * backend (issue 27): lib-storage's Upload with a CRC32 composite checksum,
 * and CRC64NVME full-object (its default type) named by hand, each read back
 * with checksum mode.
 */
import { checksumOf } from "../_support/checksums.ts";
import assert from "node:assert/strict";
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  HeadObjectCommand,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { availableBackends, startRig } from "./_backends.ts";
import { sdkClient } from "./_gateway.ts";

const B = "private-uploads";
const MiB = 1024 * 1024;

for (const { kind, skip } of await availableBackends()) {
  Deno.test({
    name: `JS SDK v3 on ${kind}: Upload with CRC32, CRC64NVME full-object, checksum mode`,
    ignore: skip !== undefined,
    // The SDK's sockets and timers outlive a test by a moment.
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const rig = await startRig(kind);
      const s3 = sdkClient(rig.gw);
      try {
        const body = new Uint8Array(11 * MiB).map((_, i) => (i * 31) % 256);
        await new Upload({
          client: s3,
          params: { Bucket: B, Key: "sdk/composite.bin", Body: body, ChecksumAlgorithm: "CRC32" },
          partSize: 5 * MiB,
          queueSize: 2,
        }).done();
        const head = await s3.send(
          new HeadObjectCommand({ Bucket: B, Key: "sdk/composite.bin", ChecksumMode: "ENABLED" }),
        );
        assert.equal(head.ChecksumType, "COMPOSITE");
        const partCount = rig.backendEndpoint ? "" : "-3"; // moto leaves out the -N
        assert.match(head.ChecksumCRC32 ?? "", new RegExp(`^[A-Za-z0-9+/=]{8}${partCount}$`));

        const Key = "sdk/full.bin";
        const created = await s3.send(
          new CreateMultipartUploadCommand({ Bucket: B, Key, ChecksumAlgorithm: "CRC64NVME" }),
        );
        assert.equal(created.ChecksumType, "FULL_OBJECT");
        const parts = [body.subarray(0, 5 * MiB), body.subarray(5 * MiB)];
        const Parts = [];
        for (const [i, bytes] of parts.entries()) {
          const up = await s3.send(
            new UploadPartCommand({
              Bucket: B,
              Key,
              UploadId: created.UploadId,
              PartNumber: i + 1,
              Body: bytes,
              ChecksumAlgorithm: "CRC64NVME",
            }),
          );
          assert.equal(up.ChecksumCRC64NVME, checksumOf("CRC64NVME", bytes));
          Parts.push({ PartNumber: i + 1, ETag: up.ETag, ChecksumCRC64NVME: up.ChecksumCRC64NVME });
        }
        const whole = checksumOf("CRC64NVME", body);
        const done = await s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: B,
            Key,
            UploadId: created.UploadId,
            MultipartUpload: { Parts },
            ChecksumType: "FULL_OBJECT",
            ChecksumCRC64NVME: whole,
          }),
        );
        assert.equal(done.ChecksumType, "FULL_OBJECT");
        if (rig.backendEndpoint) return; // moto computes full-object values as CRC32
        assert.equal(done.ChecksumCRC64NVME, whole);
        // The SDK validates a full-object checksum it is given against the bytes it reads.
        const got = await s3.send(
          new GetObjectCommand({ Bucket: B, Key, ChecksumMode: "ENABLED" }),
        );
        assert.equal(got.ChecksumCRC64NVME, whole);
        assert.deepEqual(new Uint8Array(await got.Body!.transformToByteArray()), body);
        const attrs = await s3.send(
          new GetObjectAttributesCommand({
            Bucket: B,
            Key,
            ObjectAttributes: ["Checksum", "ObjectParts", "ObjectSize"],
          }),
        );
        assert.equal(attrs.Checksum?.ChecksumCRC64NVME, whole);
        assert.deepEqual(
          attrs.ObjectParts?.Parts?.map((p) => [p.PartNumber, p.Size, p.ChecksumCRC64NVME]),
          parts.map((p, i) => [i + 1, p.length, checksumOf("CRC64NVME", p)]),
        );
      } finally {
        s3.destroy();
        await rig.stop();
      }
    },
  });
}
