/** aws-cli against the real gateway process over fs buckets. */
import assert from "node:assert/strict";
import {
  awsCli,
  DEV,
  filesUnder,
  type Gateway,
  haveTool,
  READER,
  run,
  startGateway,
} from "./_gateway.ts";

/**
 * Every aws-cli on this machine: Debian's v2 (/usr/bin/aws) and, where
 * present, a pip-installed v1 earlier on PATH. Both generations are tested.
 */
async function awsBinaries(): Promise<{ path: string; version: string }[]> {
  const found = new Map<string, string>();
  const which = await run("sh", ["-c", "command -v aws || true"]);
  for (const path of [which.stdout.trim(), "/usr/bin/aws"]) {
    if (!path || found.has(path)) continue;
    try {
      const v = await run(path, ["--version"]);
      if (v.code === 0) found.set(path, (v.stdout + v.stderr).trim().split(" ")[0] ?? path);
    } catch { /* not there */ }
  }
  return [...found].map(([path, version]) => ({ path, version }));
}

const BINARIES = await awsBinaries();
const hasAws = BINARIES.length > 0 || await haveTool("aws");

let awsPath = "aws";

function aws(gw: Gateway, args: string[], key: { id: string; secret: string } = DEV) {
  return awsCli(gw, args, { bin: awsPath, key });
}

function ok(r: { code: number; stdout: string; stderr: string }, what: string) {
  assert.equal(r.code, 0, `${what}: ${r.stderr}`);
  return r.stdout;
}

for (const bin of BINARIES.length > 0 ? BINARIES : [{ path: "aws", version: "aws-cli" }]) {
  Deno.test({
    name: `${bin.version}: s3 cp (multipart), ls, sync with odd keys, rm`,
    ignore: !hasAws,
    async fn() {
      awsPath = bin.path;
      const gw = await startGateway();
      try {
        const src = `${gw.dataDir}/src`;
        await Deno.mkdir(`${src}/sub`, { recursive: true });
        const big = new Uint8Array(20 * 1024 * 1024);
        crypto.getRandomValues(big.subarray(0, 65536));
        big[big.length - 1] = 7;
        await Deno.writeFile(`${src}/big.bin`, big);
        const names = ["a b.txt", "é+%.txt", "sub/x~y*z.txt", "plus+sign.txt"];
        for (const n of names) await Deno.writeTextFile(`${src}/${n}`, `content of ${n}`);

        ok(
          await aws(gw, ["s3", "cp", `${src}/big.bin`, "s3://private-uploads/big/big.bin"]),
          "cp up",
        );
        assert.deepEqual(
          await Deno.readFile(`${gw.dataDir}/private-uploads/big/big.bin`),
          big,
          "bytes on disk equal the upload",
        );
        ok(
          await aws(gw, ["s3", "cp", "s3://private-uploads/big/big.bin", `${gw.dataDir}/down.bin`]),
          "cp down",
        );
        assert.deepEqual(await Deno.readFile(`${gw.dataDir}/down.bin`), big);

        await Deno.remove(`${src}/big.bin`);
        ok(await aws(gw, ["s3", "sync", src, "s3://private-uploads/sync/"]), "sync up");
        const listed = ok(
          await aws(gw, ["s3", "ls", "s3://private-uploads/sync/", "--recursive"]),
          "ls",
        );
        for (const n of names) assert.match(listed, new RegExp(n.replace(/[+*.]/g, "\\$&")));
        const back = `${gw.dataDir}/back`;
        ok(await aws(gw, ["s3", "sync", "s3://private-uploads/sync/", back]), "sync down");
        for (const n of names) {
          assert.equal(await Deno.readTextFile(`${back}/${n}`), `content of ${n}`, n);
        }
        const buckets = ok(await aws(gw, ["s3", "ls"]), "ls buckets");
        assert.match(buckets, /private-uploads/);
        ok(await aws(gw, ["s3", "rm", "s3://private-uploads/sync/", "--recursive"]), "rm");
        assert.deepEqual(await filesUnder(`${gw.dataDir}/private-uploads`), ["big/big.bin"]);
      } finally {
        await gw.stop();
      }
    },
  });

  Deno.test({
    name: `${bin.version}: s3api copy, explicit multipart, delete-objects, head, list-objects-v2`,
    ignore: !hasAws,
    async fn() {
      awsPath = bin.path;
      const gw = await startGateway();
      try {
        const file = `${gw.dataDir}/part.bin`;
        await Deno.writeFile(file, new Uint8Array(5 * 1024 * 1024).fill(65));
        ok(
          await aws(gw, [
            "s3api",
            "put-object",
            "--bucket",
            "private-uploads",
            "--key",
            "src.txt",
            "--body",
            file,
          ]),
          "put",
        );
        ok(
          await aws(gw, [
            "s3api",
            "copy-object",
            "--bucket",
            "public-data",
            "--key",
            "copy.txt",
            "--copy-source",
            "private-uploads/src.txt",
          ]),
          "copy",
        );
        const head = JSON.parse(
          ok(
            await aws(gw, ["s3api", "head-object", "--bucket", "public-data", "--key", "copy.txt"]),
            "head",
          ),
        );
        assert.equal(head.ContentLength, 5 * 1024 * 1024);

        const created = JSON.parse(
          ok(
            await aws(gw, [
              "s3api",
              "create-multipart-upload",
              "--bucket",
              "private-uploads",
              "--key",
              "mp.bin",
            ]),
            "create",
          ),
        );
        const parts = [];
        for (const n of [1, 2]) {
          const up = JSON.parse(ok(
            await aws(gw, [
              "s3api",
              "upload-part",
              "--bucket",
              "private-uploads",
              "--key",
              "mp.bin",
              "--part-number",
              String(n),
              "--upload-id",
              created.UploadId,
              "--body",
              file,
            ]),
            `part ${n}`,
          ));
          parts.push({ PartNumber: n, ETag: up.ETag });
        }
        const listedParts = JSON.parse(
          ok(
            await aws(gw, [
              "s3api",
              "list-parts",
              "--bucket",
              "private-uploads",
              "--key",
              "mp.bin",
              "--upload-id",
              created.UploadId,
            ]),
            "list-parts",
          ),
        );
        assert.equal(listedParts.Parts.length, 2);
        const done = JSON.parse(ok(
          await aws(gw, [
            "s3api",
            "complete-multipart-upload",
            "--bucket",
            "private-uploads",
            "--key",
            "mp.bin",
            "--upload-id",
            created.UploadId,
            "--multipart-upload",
            JSON.stringify({ Parts: parts }),
          ]),
          "complete",
        ));
        assert.match(done.ETag, /-2"$/);
        const stat = await Deno.stat(`${gw.dataDir}/private-uploads/mp.bin`);
        assert.equal(stat.size, 10 * 1024 * 1024);

        const v2 = JSON.parse(
          ok(
            await aws(gw, [
              "s3api",
              "list-objects-v2",
              "--bucket",
              "private-uploads",
              "--delimiter",
              "/",
            ]),
            "list",
          ),
        );
        assert.deepEqual(v2.Contents.map((c: { Key: string }) => c.Key), ["mp.bin", "src.txt"]);
        const del = JSON.parse(ok(
          await aws(gw, [
            "s3api",
            "delete-objects",
            "--bucket",
            "private-uploads",
            "--delete",
            JSON.stringify({ Objects: [{ Key: "mp.bin" }, { Key: "src.txt" }] }),
          ]),
          "delete-objects",
        ));
        assert.equal(del.Deleted.length, 2);
        assert.deepEqual(await filesUnder(`${gw.dataDir}/private-uploads`), []);
      } finally {
        await gw.stop();
      }
    },
  });

  Deno.test({
    name: `${bin.version}: a denied write, anonymous reads, a presigned URL`,
    ignore: !hasAws,
    async fn() {
      awsPath = bin.path;
      const gw = await startGateway();
      try {
        const file = `${gw.dataDir}/x.txt`;
        await Deno.writeTextFile(file, "hello");
        const denied = await aws(gw, ["s3", "cp", file, "s3://readonly/x.txt"], READER);
        assert.notEqual(denied.code, 0);
        assert.match(denied.stderr, /AccessDenied/);
        assert.deepEqual(await filesUnder(`${gw.dataDir}/readonly`), []);

        ok(await aws(gw, ["s3", "cp", file, "s3://public-data/x.txt"]), "put public");
        const anon = await aws(gw, [
          "s3",
          "cp",
          "s3://public-data/x.txt",
          "-",
          "--no-sign-request",
        ]);
        assert.equal(ok(anon, "anonymous get"), "hello");
        const anonList = await aws(gw, ["s3", "ls", "s3://private-uploads/", "--no-sign-request"]);
        assert.notEqual(anonList.code, 0);
        assert.match(anonList.stderr, /AccessDenied/);

        ok(await aws(gw, ["s3", "cp", file, "s3://private-uploads/p.txt"]), "put private");
        const url = ok(
          await aws(gw, ["s3", "presign", "s3://private-uploads/p.txt", "--expires-in", "60"]),
          "presign",
        ).trim();
        const res = await fetch(url);
        assert.equal(res.status, 200);
        assert.equal(await res.text(), "hello");
      } finally {
        await gw.stop();
      }
    },
  });
}
