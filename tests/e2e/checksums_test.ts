/**
 * The 2025 SDK checksums end to end (issue 27): boto3 naming CRC32 full-object
 * on a multipart upload, the checksum back on HEAD and GET, and
 * GetObjectAttributes, against the real gateway on every backend.
 */
import { checksumOf } from "../_support/checksums.ts";
import assert from "node:assert/strict";
import { availableBackends, startRig } from "./_backends.ts";
import { runPythonSuite } from "./_python.ts";
import { awsCli, run } from "./_gateway.ts";
import { firstReason, missingCommand, missingPythonModule } from "../_support/tools.ts";

const noBoto3 = await missingPythonModule("boto3");

for (const { kind, skip } of await availableBackends()) {
  const reason = firstReason(noBoto3, skip);
  Deno.test({
    name: `boto3 on ${kind}: CRC32 full-object multipart, checksum mode, GetObjectAttributes`,
    ignore: reason !== undefined,
    async fn() {
      const rig = await startRig(kind);
      try {
        const out = await runPythonSuite(rig, new URL("./checksums_boto3.py", import.meta.url));
        assert.match(out, /checksums suite OK/);
      } finally {
        await rig.stop();
      }
    },
  });
}

/** Why pip's aws-cli v1 (1.4x, which follows the 2025 checksum defaults) cannot run here. */
async function noAwsV1(): Promise<string | undefined> {
  const missing = await missingCommand("aws");
  if (missing) return missing;
  const v = await run("aws", ["--version"]);
  const m = /aws-cli\/1\.(\d+)/.exec(v.stdout + v.stderr);
  if (m && Number(m[1]) >= 40) return undefined;
  const why = `the aws on PATH is not aws-cli v1.4x: ${(v.stdout + v.stderr).trim()}`;
  if (Deno.env.get("CI") === "true") throw new Error(why);
  return why;
}

const noV1 = await noAwsV1();

function ok(r: { code: number; stdout: string; stderr: string }, what: string): string {
  assert.equal(r.code, 0, `${what}: ${r.stderr}`);
  return r.stdout;
}

for (const { kind, skip } of await availableBackends()) {
  Deno.test({
    name: `aws-cli v1 on ${kind}: s3 cp multipart keeps a checksum; s3api SHA256 composite`,
    ignore: firstReason(noV1, skip) !== undefined,
    async fn() {
      const rig = await startRig(kind);
      const aws = (args: string[]) => awsCli(rig.gw, args);
      try {
        const dir = rig.gw.dataDir;
        const big = new Uint8Array(20 * 1024 * 1024).map((_, i) => (i * 13) % 256);
        await Deno.writeFile(`${dir}/big.bin`, big);
        ok(await aws(["s3", "cp", `${dir}/big.bin`, "s3://private-uploads/cli/big.bin"]), "cp");
        const head = JSON.parse(ok(
          await aws([
            "s3api",
            "head-object",
            "--bucket",
            "private-uploads",
            "--key",
            "cli/big.bin",
            "--checksum-mode",
            "ENABLED",
          ]),
          "head",
        ));
        assert.ok(head.ChecksumCRC32 || head.ChecksumCRC64NVME, JSON.stringify(head));
        assert.ok(head.ChecksumType, JSON.stringify(head));

        const key = ["--bucket", "private-uploads", "--key", "cli/full.bin"];
        const created = JSON.parse(ok(
          await aws([
            "s3api",
            "create-multipart-upload",
            ...key,
            "--checksum-algorithm",
            "SHA256",
          ]),
          "create",
        ));
        // SHA256 is composite by default (CRC32C would need botocore[crt], not here).
        assert.equal(created.ChecksumType, "COMPOSITE");
        const parts = [big.subarray(0, 8 * 1024 * 1024), big.subarray(8 * 1024 * 1024)];
        const listed = [];
        for (const [i, bytes] of parts.entries()) {
          await Deno.writeFile(`${dir}/part${i}`, bytes);
          const up = JSON.parse(ok(
            await aws([
              "s3api",
              "upload-part",
              ...key,
              "--upload-id",
              created.UploadId,
              "--part-number",
              String(i + 1),
              "--body",
              `${dir}/part${i}`,
              "--checksum-algorithm",
              "SHA256",
            ]),
            "upload-part",
          ));
          assert.equal(up.ChecksumSHA256, checksumOf("SHA256", bytes));
          listed.push({ PartNumber: i + 1, ETag: up.ETag, ChecksumSHA256: up.ChecksumSHA256 });
        }
        await Deno.writeTextFile(`${dir}/parts.json`, JSON.stringify({ Parts: listed }));
        const raw = listed.map((p) => new Uint8Array(Buffer.from(p.ChecksumSHA256, "base64")));
        const composite = `${checksumOf("SHA256", ...raw)}-2`;
        const done = JSON.parse(ok(
          await aws([
            "s3api",
            "complete-multipart-upload",
            ...key,
            "--upload-id",
            created.UploadId,
            "--multipart-upload",
            `file://${dir}/parts.json`,
          ]),
          "complete",
        ));
        assert.equal(done.ChecksumType, "COMPOSITE", JSON.stringify(done));
        // Over s3 the value is the store's (moto leaves out the -2).
        const want = rig.backendEndpoint ? composite.replace("-2", "") : composite;
        assert.equal(done.ChecksumSHA256, want);
        const headFull = JSON.parse(ok(
          await aws(["s3api", "head-object", ...key, "--checksum-mode", "ENABLED"]),
          "head",
        ));
        assert.equal(headFull.ChecksumSHA256, want, JSON.stringify(headFull));
      } finally {
        await rig.stop();
      }
    },
  });
}
