/**
 * Bulk transfers through the real gateway process, over an fs bucket, an s3
 * bucket backed by moto and an az bucket backed by Azurite: `aws s3 sync` of 500 small files up and back
 * down (every file compared), a 200 MiB multipart `aws s3 cp`, and boto3
 * ranged reads of it compared byte for byte with the local file.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { awsCli, DEV, filesUnder, type Gateway, run, startGateway } from "./_gateway.ts";
import { memory } from "../_support/proc.ts";
import { type Moto, motoBucket, motoMissing, startMoto } from "../_support/moto.ts";
import { type Azurite, azuriteBucket, azuriteMissing, startAzurite } from "../_support/azurite.ts";
import { firstReason, missingCommand, missingPythonModule, skippable } from "../_support/tools.ts";
import { tally } from "../_support/tally.ts";

const MiB = 1024 * 1024;
const SMALL_FILES = 500;
const BIG_SIZE = 200 * MiB;
/** How far the gateway's peak RSS may rise over the big transfers (a buffered body would be 200 MiB). */
const PEAK_GROWTH_LIMIT = 100 * MiB;

/** Why the clients (aws-cli, boto3) cannot run here; under CI=true, throws. */
const noClients = firstReason(await missingCommand("aws"), await missingPythonModule("boto3"));
/** Debian's aws-cli v2 where present, else whatever `aws` is on PATH. */
const AWS = await Deno.stat("/usr/bin/aws").then(() => "/usr/bin/aws", () => "aws");

/** Fills `dir` with SMALL_FILES random files (1 byte to 16 KiB) in nested folders; returns their paths. */
async function makeTree(dir: string): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < SMALL_FILES; i++) {
    const odd = ["a b", "plus+sign", "caf\u00e9", "x~y"][i % 4]!;
    const name = i % 25 === 0 ? `odd/${odd} ${i}.bin` : `d${i % 20}/s${i % 3}/f${i}.bin`;
    // Every 50th file is empty: botocore's `Expect: 100-continue` on an empty PUT
    // must not stall the connection it is pooled on (boto/botocore#3755).
    const bytes = new Uint8Array(i % 50 === 7 ? 0 : Math.floor(Math.random() * 16 * 1024) + 1);
    crypto.getRandomValues(bytes);
    await Deno.mkdir(`${dir}/${name.slice(0, name.lastIndexOf("/"))}`, { recursive: true });
    await Deno.writeFile(`${dir}/${name}`, bytes);
    names.push(name);
  }
  // Stores report LastModified to the second (S3, moto, Azurite), and aws-cli's sync sends a
  // file again when its mtime is later: a file written in the second it was first uploaded in
  // would go again. The tree is made 10 s old, as files being synced are.
  const old = Date.now() / 1000 - 10;
  for (const name of names) await Deno.utime(`${dir}/${name}`, old, old);
  return names.sort();
}

/** Writes `size` random bytes to `path`; returns their SHA-256. */
async function makeBigFile(path: string, size: number): Promise<string> {
  const hash = createHash("sha256");
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  try {
    const block = new Uint8Array(4 * MiB);
    for (let at = 0; at < size; at += block.length) {
      const piece = block.subarray(0, Math.min(block.length, size - at));
      for (let o = 0; o < piece.length; o += 65536) {
        crypto.getRandomValues(piece.subarray(o, Math.min(o + 65536, piece.length)));
      }
      hash.update(piece);
      let w = 0;
      while (w < piece.length) w += await file.write(piece.subarray(w));
    }
  } finally {
    file.close();
  }
  return hash.digest("hex");
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  const file = await Deno.open(path);
  for await (const chunk of file.readable) hash.update(chunk);
  return hash.digest("hex");
}

/** Runs aws-cli against the gateway with the development key and an 8 MiB multipart size. */
async function aws(gw: Gateway, args: string[]): Promise<string> {
  const r = await awsCli(gw, args, { bin: AWS });
  assert.equal(r.code, 0, `aws ${args.join(" ")}: ${r.stderr}\n${gw.logs().slice(-3000)}`);
  return r.stdout;
}

/**
 * boto3: several ranged GETs of `key` (first byte, a span across the 8 MiB
 * part boundaries, a suffix, an open end, one byte past the middle), each
 * compared with the local file, then the whole object's SHA-256.
 */
const BOTO3_RANGES = `
import hashlib, os, sys, boto3
from botocore.config import Config
s3 = boto3.client("s3", endpoint_url=os.environ["ENDPOINT"], region_name="us-east-1",
    aws_access_key_id=os.environ["KEY_ID"], aws_secret_access_key=os.environ["SECRET"],
    config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
bucket, key, local = os.environ["BUCKET"], os.environ["KEY"], os.environ["LOCAL"]
size = os.path.getsize(local)
MiB = 1024 * 1024
spans = [(0, 0), (8 * MiB - 5, 8 * MiB + 4), (3 * MiB, 27 * MiB - 1), (size // 2, size // 2),
         (size - 1, size - 1), (size - 1000, None), (None, 4096), (size - 3 * MiB - 7, size + 100)]
with open(local, "rb") as f:
    for start, end in spans:
        header = f"bytes={'' if start is None else start}-{'' if end is None else end}"
        got = s3.get_object(Bucket=bucket, Key=key, Range=header)
        body = got["Body"].read()
        if start is None:
            first, last = size - end, size - 1
        else:
            first, last = start, size - 1 if end is None else min(end, size - 1)
        f.seek(first)
        want = f.read(last - first + 1)
        assert got["ResponseMetadata"]["HTTPStatusCode"] == 206, (header, got["ResponseMetadata"])
        assert got["ContentRange"] == f"bytes {first}-{last}/{size}", (header, got["ContentRange"])
        assert body == want, (header, len(body), len(want))
digest = hashlib.sha256()
whole = s3.get_object(Bucket=bucket, Key=key)
for chunk in whole["Body"].iter_chunks(1024 * 1024):
    digest.update(chunk)
assert whole["ContentLength"] == size
print("sha256", digest.hexdigest())
print("ranges OK", len(spans))
`;

/** The bulk scenario against one bucket of a running gateway. */
async function bulk(gw: Gateway, bucket: string, onDisk?: string): Promise<void> {
  const work = await Deno.makeTempDir({ prefix: "bucketgate-bulk-" });
  try {
    const src = `${work}/src`;
    const names = await makeTree(src);
    await aws(gw, ["s3", "sync", src, `s3://${bucket}/tree/`, "--only-show-errors"]);
    if (onDisk) assert.deepEqual(await filesUnder(`${onDisk}/tree`), names);
    const down = `${work}/down`;
    await aws(gw, ["s3", "sync", `s3://${bucket}/tree/`, down, "--only-show-errors"]);
    assert.deepEqual(await filesUnder(down), names, "the same files came back");
    for (const name of names) {
      const [a, b] = await Promise.all([
        Deno.readFile(`${src}/${name}`),
        Deno.readFile(`${down}/${name}`),
      ]);
      assert.deepEqual(b, a, name);
    }
    tally("objects", "bulk: files compared", names.length);
    // A second sync up has nothing to send.
    const again = await aws(gw, ["s3", "sync", src, `s3://${bucket}/tree/`]);
    assert.equal(again.trim(), "", "a second sync uploads nothing");
    await Deno.remove(src, { recursive: true });
    await Deno.remove(down, { recursive: true });

    const big = `${work}/big.bin`;
    const digest = await makeBigFile(big, BIG_SIZE);
    const rssBefore = await memory(gw.pid);
    await aws(gw, ["s3", "cp", big, `s3://${bucket}/big/big.bin`, "--only-show-errors"]);
    if (onDisk) assert.equal(await sha256File(`${onDisk}/big/big.bin`), digest);
    const head = JSON.parse(
      await aws(gw, ["s3api", "head-object", "--bucket", bucket, "--key", "big/big.bin"]),
    );
    assert.equal(head.ContentLength, BIG_SIZE);
    assert.match(head.ETag, /-25"$/, "25 parts of 8 MiB");
    const r = await run("python3", ["-c", BOTO3_RANGES], {
      env: {
        ENDPOINT: gw.url,
        KEY_ID: DEV.id,
        SECRET: DEV.secret,
        BUCKET: bucket,
        KEY: "big/big.bin",
        LOCAL: big,
        PATH: Deno.env.get("PATH") ?? "",
        HOME: work,
      },
    });
    assert.equal(r.code, 0, `boto3: ${r.stdout}\n${r.stderr}\n${gw.logs().slice(-3000)}`);
    assert.match(r.stdout, /ranges OK 8/);
    assert.match(r.stdout, new RegExp(`sha256 ${digest}`), "the whole download matches");
    tally("objects", "bulk: 200 MiB object by SHA-256");
    // Streamed, not buffered: 200 MiB up and down leave the peak far below 200 MiB more.
    const growth = (await memory(gw.pid, "VmHWM")) - rssBefore;
    // deno-lint-ignore no-console -- the figure is worth seeing in every run
    console.log(
      `gateway peak RSS growth over the 200 MiB transfers: ${(growth / MiB).toFixed(1)} MiB`,
    );
    assert.ok(growth < PEAK_GROWTH_LIMIT, `peak RSS grew ${growth / MiB} MiB`);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}

Deno.test({
  ...skippable(
    "bulk over fs: aws s3 sync of 500 files both ways, 200 MiB multipart cp, boto3 ranges",
    noClients,
  ),
  async fn() {
    const gw = await startGateway();
    try {
      await bulk(gw, "private-uploads", `${gw.dataDir}/private-uploads`);
    } finally {
      await gw.stop();
    }
  },
});

Deno.test({
  ...skippable(
    "bulk over s3 (moto): aws s3 sync of 500 files both ways, 200 MiB multipart cp, boto3 ranges",
    firstReason(noClients, await motoMissing()),
  ),
  async fn() {
    let moto: Moto | undefined;
    let gw: Gateway | undefined;
    try {
      moto = await startMoto();
      const made = await fetch(`${moto.endpoint}/backing`, { method: "PUT" });
      await made.body?.cancel();
      gw = await startGateway([
        motoBucket(moto.endpoint),
      ]);
      await bulk(gw, "remote");
    } finally {
      await gw?.stop();
      await moto?.stop();
    }
  },
});

Deno.test({
  ...skippable(
    "bulk over az (Azurite): aws s3 sync of 500 files both ways, 200 MiB multipart cp, boto3 ranges",
    firstReason(noClients, await azuriteMissing()),
  ),
  async fn() {
    let azurite: Azurite | undefined;
    let gw: Gateway | undefined;
    try {
      azurite = await startAzurite();
      await azurite.createContainer("backing");
      gw = await startGateway([
        azuriteBucket(azurite.endpoint),
      ]);
      await bulk(gw, "remote");
    } finally {
      await gw?.stop();
      await azurite?.stop();
    }
  },
});
