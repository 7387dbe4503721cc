/**
 * Path-mapped namespaces (`path_mapping:`) through the real gateway process
 * and real clients: boto3, aws-cli v1 and v2 (`s3 ls`/`cp`/`sync`), rclone and
 * GDAL's `/vsis3/` walk `acme` → `data/` → keys, stored in `acme--data`.
 */
import assert from "node:assert/strict";
import { missingCommand, missingPythonModule, skippable } from "../_support/tools.ts";
import { awsCli, DEV, filesUnder, run } from "./_gateway.ts";
import { seed, startMapped, succeeded as ok } from "./_mapped.ts";

const BOTO3 = `
import os, boto3
from botocore.config import Config
s3 = boto3.client("s3", endpoint_url=os.environ["ENDPOINT"], region_name="us-east-1",
    aws_access_key_id=os.environ["ID"], aws_secret_access_key=os.environ["SECRET"],
    config=Config(s3={"addressing_style": "path"}))
names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
assert names == ["acme", "other"], names
top = s3.list_objects_v2(Bucket="acme", Delimiter="/")
assert [p["Prefix"] for p in top["CommonPrefixes"]] == ["data/", "logs/"], top
sub = s3.list_objects_v2(Bucket="acme", Prefix="data/", Delimiter="/")
assert [o["Key"] for o in sub["Contents"]] == ["data/file.txt"], sub
assert [p["Prefix"] for p in sub["CommonPrefixes"]] == ["data/sub/"], sub
keys = []
for page in s3.get_paginator("list_objects_v2").paginate(Bucket="acme", PaginationConfig={"PageSize": 2}):
    keys += [o["Key"] for o in page.get("Contents", [])]
assert keys == ["data/file.txt", "data/sub/a.txt", "data/sub/b.txt", "logs/2026/01.log"], keys
v1 = []
for page in s3.get_paginator("list_objects").paginate(Bucket="acme", PaginationConfig={"PageSize": 3}):
    v1 += [o["Key"] for o in page.get("Contents", [])]
assert v1 == keys, v1
assert s3.get_object(Bucket="acme", Key="data/sub/a.txt")["Body"].read() == b"a"
s3.put_object(Bucket="acme", Key="logs/new.txt", Body=b"new")
s3.copy_object(Bucket="acme", Key="logs/copy.txt", CopySource={"Bucket": "acme", "Key": "data/file.txt"})
s3.upload_fileobj(__import__("io").BytesIO(b"x" * (6 * 1024 * 1024)), "acme", "logs/big.bin",
    Config=boto3.s3.transfer.TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024))
s3.head_object(Bucket="acme", Key="logs/big.bin")
try:
    s3.put_object(Bucket="acme", Key="unknown/x", Body=b"x")
    raise SystemExit("an unmapped pair was accepted")
except s3.exceptions.NoSuchBucket:
    pass
print("boto3 mapped OK")
`;

const noBoto3 = await missingPythonModule("boto3");
Deno.test({
  ...skippable("path mapping: boto3 walks acme → data/ → keys, writes, copies, multipart", noBoto3),
  async fn() {
    await using gw = await startMapped();
    await seed(gw);
    const r = await run("python3", ["-c", BOTO3], {
      env: {
        ENDPOINT: gw.url,
        ID: DEV.id,
        SECRET: DEV.secret,
        PATH: Deno.env.get("PATH") ?? "",
        HOME: gw.dataDir,
      },
    });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}\n${gw.logs().slice(-3000)}`);
    assert.match(r.stdout, /boto3 mapped OK/);
    assert.equal(await Deno.readTextFile(`${gw.dataDir}/acme--logs/copy.txt`), "file");
    assert.equal((await Deno.stat(`${gw.dataDir}/acme--logs/big.bin`)).size, 6 * 1024 * 1024);
  },
});

const noAws = await missingCommand("aws");
// pip's v1 comes first on PATH where installed (as in CI); Debian's v2 is /usr/bin/aws.
for (const bin of ["aws", "/usr/bin/aws"]) {
  Deno.test({
    ...skippable(`path mapping: ${bin} (aws-cli) s3 ls, cp and sync over the hierarchy`, noAws),
    async fn() {
      await using gw = await startMapped();
      await seed(gw);
      const aws = (...args: string[]) => awsCli(gw, args, { bin });
      const root = ok(await aws("s3", "ls"), "s3 ls");
      assert.match(root, /\bacme\n/);
      assert.match(root, /\bother\n/);
      const top = ok(await aws("s3", "ls", "s3://acme/"), "s3 ls s3://acme/");
      assert.match(top, /PRE data\//);
      assert.match(top, /PRE logs\//);
      const sub = ok(await aws("s3", "ls", "s3://acme/data/"), "s3 ls s3://acme/data/");
      assert.match(sub, /PRE sub\//);
      assert.match(sub, / file\.txt\n/);
      const rec = ok(await aws("s3", "ls", "--recursive", "s3://acme/"), "ls --recursive");
      assert.deepEqual(
        rec.trim().split("\n").map((l) => l.trim().split(/\s+/).at(-1)),
        ["data/file.txt", "data/sub/a.txt", "data/sub/b.txt", "logs/2026/01.log"],
      );
      const local = `${gw.dataDir}/local.txt`;
      await Deno.writeTextFile(local, "up");
      ok(await aws("s3", "cp", local, "s3://acme/logs/up.txt"), "cp up");
      assert.equal(await Deno.readTextFile(`${gw.dataDir}/acme--logs/up.txt`), "up");
      ok(await aws("s3", "cp", "s3://acme/data/sub/a.txt", `${gw.dataDir}/a.txt`), "cp down");
      assert.equal(await Deno.readTextFile(`${gw.dataDir}/a.txt`), "a");
      const here = `${gw.dataDir}/here`;
      ok(await aws("s3", "sync", "s3://acme/", here), "sync s3://acme/");
      assert.deepEqual(await filesUnder(here), [
        "data/file.txt",
        "data/sub/a.txt",
        "data/sub/b.txt",
        "logs/2026/01.log",
        "logs/up.txt",
      ]);
      ok(await aws("s3", "sync", `${here}/data`, "s3://acme/logs/copy/"), "sync up");
      assert.deepEqual(await filesUnder(`${gw.dataDir}/acme--logs/copy`), [
        "file.txt",
        "sub/a.txt",
        "sub/b.txt",
      ]);
    },
  });
}

const noRclone = await missingCommand("rclone");
Deno.test({
  ...skippable("path mapping: rclone lsd, ls, copy and cat over the hierarchy", noRclone),
  async fn() {
    await using gw = await startMapped();
    await seed(gw);
    const conf = `${gw.dataDir}/rclone.conf`;
    await Deno.writeTextFile(
      conf,
      `[gw]\ntype = s3\nprovider = Other\naccess_key_id = ${DEV.id}\nsecret_access_key = ${DEV.secret}\nendpoint = ${gw.url}\nregion = us-east-1\n`,
    );
    const rc = async (...args: string[]) =>
      ok(
        await run("rclone", ["--config", conf, ...args], {
          env: { PATH: Deno.env.get("PATH") ?? "", HOME: gw.dataDir },
          clearEnv: true,
        }),
        `rclone ${args.join(" ")}`,
      );
    assert.match(await rc("lsd", "gw:"), /\bacme\n/);
    const dirs = await rc("lsd", "gw:acme");
    assert.match(dirs, / data\n/);
    assert.match(dirs, / logs\n/);
    const listed = await rc("ls", "gw:acme/data");
    assert.match(listed, / file\.txt\n/);
    assert.match(listed, / sub\/b\.txt\n/);
    assert.equal(await rc("cat", "gw:acme/data/sub/b.txt"), "b");
    const src = `${gw.dataDir}/src`;
    await Deno.mkdir(src);
    await Deno.writeTextFile(`${src}/r.txt`, "rclone");
    await rc("copy", src, "gw:acme/logs/rc");
    assert.equal(await Deno.readTextFile(`${gw.dataDir}/acme--logs/rc/r.txt`), "rclone");
  },
});

const noGdal = await missingCommand("gdalinfo", "ogrinfo", "gdal_translate");
Deno.test({
  ...skippable("path mapping: GDAL reads and lists /vsis3/acme/data/", noGdal),
  async fn() {
    await using gw = await startMapped();
    const dir = `${gw.dataDir}/acme--data/geo`;
    await Deno.mkdir(dir, { recursive: true });
    const grid = ["ncols 4", "nrows 4", "xllcorner 0", "yllcorner 0", "cellsize 1"]
      .concat(["1 2 3 4", "5 6 7 8", "9 10 11 12", "13 14 15 16"]).join("\n");
    await Deno.writeTextFile(`${gw.dataDir}/dem.asc`, grid);
    ok(
      await run("gdal_translate", [
        "-q",
        "-of",
        "GTiff",
        `${gw.dataDir}/dem.asc`,
        `${dir}/dem.tif`,
      ]),
      "gdal_translate",
    );
    await Deno.writeTextFile(
      `${dir}/p.geojson`,
      JSON.stringify({
        type: "FeatureCollection",
        features: [{
          type: "Feature",
          properties: { n: "a" },
          geometry: { type: "Point", coordinates: [1, 2] },
        }],
      }),
    );
    const env = {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: gw.dataDir,
      AWS_S3_ENDPOINT: `127.0.0.1:${gw.port}`,
      AWS_HTTPS: "NO",
      AWS_VIRTUAL_HOSTING: "FALSE",
      AWS_REGION: "us-east-1",
      GDAL_HTTP_MAX_RETRY: "0",
    };
    const gdal = async (signed: boolean, cmd: string, ...args: string[]) =>
      ok(
        await run(cmd, args, {
          clearEnv: true,
          env: {
            ...env,
            ...(signed
              ? { AWS_ACCESS_KEY_ID: DEV.id, AWS_SECRET_ACCESS_KEY: DEV.secret }
              : { AWS_NO_SIGN_REQUEST: "YES" }),
          },
        }),
        `${cmd} ${args.join(" ")}`,
      );
    for (const signed of [false, true]) {
      assert.match(await gdal(signed, "gdalinfo", "/vsis3/acme/data/geo/dem.tif"), /Size is 4, 4/);
      assert.match(
        await gdal(signed, "ogrinfo", "-ro", "-al", "-so", "/vsis3/acme/data/geo/p.geojson"),
        /Feature Count: 1/,
      );
    }
    // GDAL lists the directory of what it opens (logged under the configured name).
    assert.match(gw.logs(), /GET \/acme--data 200 /);
  },
});
