/**
 * The same aws-cli session through the gateway against each backend — fs, s3
 * on moto, s3 on s3rver and az on Azurite — must give the same results: keys, sizes, ETags
 * (MD5 and multipart), listings, bytes, ranges and error codes.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { type Azurite, azuriteBucket, azuriteMissing, startAzurite } from "../_support/azurite.ts";
import { type S3rver, S3RVER_KEY, s3rverMissing, startS3rver } from "../_support/s3rver.ts";
import { type Moto, motoBucket, motoMissing, startMoto } from "../_support/moto.ts";
import { missingCommand, skippable } from "../_support/tools.ts";
import { awsCli, filesUnder, type Gateway, startGateway } from "./_gateway.ts";

/** Why the session cannot run here (the first tool or emulator missing); under CI=true, throws. */
const notReady = (await missingCommand("/usr/bin/aws")) ?? (await motoMissing()) ??
  (await azuriteMissing()) ?? (await s3rverMissing());

const NAMES = [
  "a b.txt",
  "é+%.txt",
  "sub/x~y*z.txt",
  "plus+sign.txt",
  "hash#tag.txt",
  "deep/a/b/c.txt",
];

async function cli(gw: Gateway, args: string[]): Promise<string> {
  const r = await awsCli(gw, args, { bin: "/usr/bin/aws" });
  assert.equal(r.code, 0, `aws ${args.join(" ")}: ${r.stderr}\n${gw.logs().slice(-2000)}`);
  return r.stdout;
}

/** The error code aws-cli reports for a failing call. */
async function failure(gw: Gateway, args: string[]): Promise<string> {
  const r = await awsCli(gw, args, { bin: "/usr/bin/aws" });
  assert.notEqual(r.code, 0, `aws ${args.join(" ")} should fail`);
  return /\((\w+)\)/.exec(r.stderr)?.[1] ?? r.stderr.trim();
}

/**
 * The transcript without what s3rver gets wrong on its own (each checked
 * against s3rver directly): its multipart ETag is a plain MD5 (not `…-N`); it
 * canonicalizes query values with encodeURIComponent (`*` not as `%2A`,
 * against SigV4), so a paged listing whose start-after holds `*` fails its
 * signature check; its delimiter listing drops common prefixes more than one
 * level deep (`tree/deep/` of `tree/deep/a/b/c.txt`).
 */
function asS3rverSees(t: Record<string, unknown>): unknown {
  const { paged: _paged, grouped: _grouped, ...rest } = t;
  const etag = String((t.head as unknown[])[1]);
  return JSON.parse(
    JSON.stringify(rest).replaceAll(JSON.stringify(etag).slice(1, -1), "<multipart>"),
  );
}

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** Runs the session and returns its transcript. */
async function session(
  gw: Gateway,
  src: string,
  options: { readonly paged?: boolean } = {},
): Promise<Record<string, unknown>> {
  const t: Record<string, unknown> = {};
  const out = `${gw.dataDir}/out`;
  await cli(gw, ["s3", "cp", `${src}/big.bin`, "s3://remote/big/big.bin"]);
  await cli(gw, ["s3", "sync", `${src}/tree`, "s3://remote/tree/"]);
  const listing = JSON.parse(await cli(gw, ["s3api", "list-objects-v2", "--bucket", "remote"]));
  t.listing = listing.Contents.map((c: Record<string, unknown>) => [c.Key, c.Size, c.ETag]);
  const grouped = JSON.parse(
    await cli(gw, [
      "s3api",
      "list-objects-v2",
      "--bucket",
      "remote",
      "--prefix",
      "tree/",
      "--delimiter",
      "/",
    ]),
  );
  t.grouped = [
    grouped.Contents?.map((c: Record<string, unknown>) => c.Key),
    grouped.CommonPrefixes?.map((p: Record<string, unknown>) => p.Prefix),
  ];
  if (options.paged !== false) {
    const paged = JSON.parse(
      await cli(gw, ["s3api", "list-objects-v2", "--bucket", "remote", "--page-size", "2"]),
    );
    t.paged = paged.Contents.map((c: Record<string, unknown>) => c.Key);
  }
  const head = JSON.parse(
    await cli(gw, ["s3api", "head-object", "--bucket", "remote", "--key", "big/big.bin"]),
  );
  t.head = [head.ContentLength, head.ETag];
  await cli(gw, [
    "s3api",
    "copy-object",
    "--bucket",
    "remote",
    "--key",
    "tree/copy.txt",
    "--copy-source",
    "remote/tree/a b.txt",
  ]);
  await cli(gw, [
    "s3api",
    "get-object",
    "--bucket",
    "remote",
    "--key",
    "big/big.bin",
    "--range",
    "bytes=1000000-1000999",
    `${gw.dataDir}/range.bin`,
  ]);
  t.range = sha(await Deno.readFile(`${gw.dataDir}/range.bin`));
  await cli(gw, ["s3", "sync", "s3://remote/tree/", out]);
  t.synced = await filesUnder(out);
  for (const n of NAMES) {
    assert.equal(
      await Deno.readTextFile(`${out}/${n}`),
      await Deno.readTextFile(`${src}/tree/${n}`),
      n,
    );
  }
  t.missing = await failure(gw, ["s3api", "head-object", "--bucket", "remote", "--key", "nope"]);
  t.precondition = await failure(gw, [
    "s3api",
    "get-object",
    "--bucket",
    "remote",
    "--key",
    "tree/a b.txt",
    "--if-match",
    '"0123"',
    `${gw.dataDir}/x`,
  ]);
  await cli(gw, ["s3", "rm", "--recursive", "s3://remote/tree/sub/"]);
  await cli(gw, [
    "s3api",
    "delete-objects",
    "--bucket",
    "remote",
    "--delete",
    JSON.stringify({ Objects: [{ Key: "tree/plus+sign.txt" }, { Key: "tree/é+%.txt" }] }),
  ]);
  const after = JSON.parse(await cli(gw, ["s3api", "list-objects-v2", "--bucket", "remote"]));
  t.after = after.Contents.map((c: Record<string, unknown>) => c.Key);
  return t;
}

Deno.test({
  ...skippable(
    "aws-cli gives the same results through fs, s3 (moto, s3rver) and az (Azurite) backends",
    notReady,
  ),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const src = await Deno.makeTempDir({ prefix: "bucketgate-same-" });
    let moto: Moto | undefined;
    let azurite: Azurite | undefined;
    let s3rver: S3rver | undefined;
    try {
      const big = new Uint8Array(20 * 1024 * 1024 + 12345);
      for (let i = 0; i < big.length; i += 65536) {
        crypto.getRandomValues(big.subarray(i, Math.min(big.length, i + 65536)));
      }
      await Deno.writeFile(`${src}/big.bin`, big);
      for (const n of NAMES) {
        await Deno.mkdir(`${src}/tree/${n}`.replace(/\/[^/]*$/, ""), { recursive: true });
        await Deno.writeTextFile(`${src}/tree/${n}`, `content of ${n}`);
      }
      moto = await startMoto();
      await (await fetch(`${moto.endpoint}/backing`, { method: "PUT" })).body?.cancel();
      azurite = await startAzurite();
      await azurite.createContainer("backing");
      s3rver = await startS3rver();
      await s3rver.createBucket("backing");
      await Deno.mkdir(`${src}/fs-root`);
      const buckets: Record<string, string> = {
        fs:
          `{ name: remote, backend_type: fs, anonymous_access: false, backend_options: { root: "${src}/fs-root" } }`,
        s3: motoBucket(moto.endpoint, "backing", { extra: "backend_prefix: p" }),
        az: azuriteBucket(azurite.endpoint, "backing", { extra: "backend_prefix: p" }),
        s3rver:
          `{ name: remote, backend_type: s3, anonymous_access: false, backend_options: { endpoint: "${s3rver.endpoint}", bucket_name: backing, region: us-east-1, access_key_id: ${S3RVER_KEY.id}, secret_access_key: ${S3RVER_KEY.secret} } }`,
      };
      const transcripts: Record<string, Record<string, unknown>> = {};
      for (const [backend, bucket] of Object.entries(buckets)) {
        const gw = await startGateway([bucket]);
        try {
          transcripts[backend] = await session(gw, src, { paged: backend !== "s3rver" });
        } finally {
          await gw.stop();
        }
      }
      const fs = transcripts.fs!;
      assert.equal(fs.missing, "404");
      assert.equal(fs.precondition, "PreconditionFailed");
      assert.match(String((fs.head as unknown[])[1]), /^"[0-9a-f]{32}-3"$/, "a multipart ETag");
      assert.deepEqual(transcripts.s3, fs, "s3 (moto) differs from fs");
      assert.deepEqual(transcripts.az, fs, "az (Azurite) differs from fs");
      assert.deepEqual(
        asS3rverSees(transcripts.s3rver!),
        asS3rverSees(fs),
        "s3 (s3rver) differs from fs",
      );
    } finally {
      await moto?.stop();
      await azurite?.stop();
      await s3rver?.stop();
      await Deno.remove(src, { recursive: true });
    }
  },
});
