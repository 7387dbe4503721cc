/**
 * The account level of a path-mapped namespace (`s3://acme/` over acme--data
 * and acme--logs) through the real gateway process: aws-cli's `s3 rm
 * --recursive`, `s3 sync --delete` and `s3api delete-objects` /
 * `list-multipart-uploads`, boto3's `delete_objects` and
 * `list_multipart_uploads` and a presigned POST form on the display bucket.
 */
import assert from "node:assert/strict";
import { missingCommand, missingPythonModule, skippable } from "../_support/tools.ts";
import { awsCli, filesUnder } from "./_gateway.ts";
import { runMappedBoto3, seed, startMapped, succeeded } from "./_mapped.ts";

const noBoto3 = await missingPythonModule("boto3") ?? await missingPythonModule("requests");
Deno.test({
  ...skippable(
    "path mapping: boto3 delete_objects, list_multipart_uploads and a POST form on the account",
    noBoto3,
  ),
  async fn() {
    await using gw = await startMapped();
    await seed(gw);
    const out = await runMappedBoto3(gw, "account");
    assert.match(out, /boto3 mapped account OK/);
    assert.deepEqual(await filesUnder(`${gw.dataDir}/acme--data`), [
      "mp/a.bin",
      "posted.txt",
      "sub/a.txt",
      "sub/b.txt",
    ]);
  },
});

const noAws = await missingCommand("aws");
// pip's v1 comes first on PATH where installed (as in CI); Debian's v2 is /usr/bin/aws.
for (const bin of ["aws", "/usr/bin/aws"]) {
  Deno.test({
    ...skippable(
      `path mapping: ${bin} (aws-cli) s3 sync --delete, s3 rm --recursive, s3api on s3://acme/`,
      noAws,
    ),
    async fn() {
      await using gw = await startMapped();
      await seed(gw);
      const aws = async (...args: string[]) =>
        succeeded(await awsCli(gw, args, { bin }), args.slice(0, 3).join(" "));
      const here = `${gw.dataDir}/here`;
      await aws("s3", "sync", "s3://acme/", here);
      // A file gone here is deleted there, in its mapped bucket; a new one uploaded.
      await Deno.remove(`${here}/data/sub/a.txt`);
      await Deno.writeTextFile(`${here}/logs/new.log`, "new");
      await aws("s3", "sync", "--delete", here, "s3://acme/");
      assert.deepEqual(await filesUnder(`${gw.dataDir}/acme--data`), ["file.txt", "sub/b.txt"]);
      assert.deepEqual(await filesUnder(`${gw.dataDir}/acme--logs`), ["2026/01.log", "new.log"]);
      // s3api on the display bucket: DeleteObjects with keys under data/ and logs/.
      const deleted = JSON.parse(
        await aws(
          "s3api",
          "delete-objects",
          "--bucket",
          "acme",
          "--delete",
          JSON.stringify({ Objects: [{ Key: "data/file.txt" }, { Key: "logs/new.log" }] }),
        ),
      );
      assert.deepEqual(deleted.Deleted.map((d: { Key: string }) => d.Key).sort(), [
        "data/file.txt",
        "logs/new.log",
      ]);
      await aws("s3api", "create-multipart-upload", "--bucket", "acme", "--key", "logs/mp.bin");
      const uploads = JSON.parse(
        await aws("s3api", "list-multipart-uploads", "--bucket", "acme"),
      );
      assert.deepEqual(uploads.Uploads.map((u: { Key: string }) => u.Key), ["logs/mp.bin"]);
      // Everything under s3://acme/, across its mapped buckets.
      await aws("s3", "rm", "--recursive", "s3://acme/");
      assert.deepEqual(await filesUnder(`${gw.dataDir}/acme--data`), []);
      assert.deepEqual(await filesUnder(`${gw.dataDir}/acme--logs`), []);
      const left = await aws("s3", "ls", "--recursive", "s3://acme/");
      assert.equal(left.trim(), "");
    },
  });
}
