/**
 * The region check with real clients (issue 28 item 5): boto3 and aws-cli
 * signing for another region get S3's AuthorizationHeaderMalformed naming the
 * gateway's region in `<Region>`, and retry with it as they do against S3;
 * a presigned URL for another region is refused; `region: "*"` takes any.
 */
import assert from "node:assert/strict";
import { DEV, type Gateway, run, startGateway } from "./_gateway.ts";
import { firstReason, missingCommand, missingPythonModule, skippable } from "../_support/tools.ts";

const notReady = firstReason(await missingCommand("aws"), await missingPythonModule("boto3"));

/** GetObject and a presigned GET URL with boto3 signing for `region`: JSON of what happened. */
async function boto3(gw: Gateway, region: string): Promise<Record<string, string>> {
  const py = `
import json, boto3
from botocore.config import Config
from botocore.exceptions import ClientError
s3 = boto3.client("s3", endpoint_url="${gw.url}", region_name="${region}",
    aws_access_key_id="${DEV.id}", aws_secret_access_key="${DEV.secret}",
    config=Config(s3={"addressing_style": "path"}, signature_version="s3v4", retries={"max_attempts": 1}))
out = {}
try:
    out["get"] = s3.get_object(Bucket="private-uploads", Key="a.txt")["Body"].read().decode()
except ClientError as e:
    out["get"] = e.response["Error"]["Code"]
out["url"] = s3.generate_presigned_url("get_object", Params={"Bucket": "private-uploads", "Key": "a.txt"})
print(json.dumps(out))
`;
  const r = await run("python3", ["-c", py], {
    clearEnv: true,
    env: { PATH: Deno.env.get("PATH") ?? "", HOME: gw.dataDir },
  });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

async function presigned(url: string): Promise<string> {
  const res = await fetch(url);
  const text = await res.text();
  return res.ok ? text : /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? String(res.status);
}

Deno.test({
  ...skippable("e2e region: clients signing for another region are told the gateway's", notReady),
  async fn() {
    const gw = await startGateway();
    try {
      await Deno.writeTextFile(`${gw.dataDir}/private-uploads/a.txt`, "hi");
      const home = await boto3(gw, "us-east-1");
      assert.deepEqual([home.get, await presigned(home.url!)], ["hi", "hi"]);
      const away = await boto3(gw, "eu-west-1");
      assert.equal(away.get, "hi", "boto3 retried with the <Region> the 400 named");
      assert.match(gw.logs(), /GET \/private-uploads\/a\.txt 400 AuthorizationHeaderMalformed/);
      assert.equal(await presigned(away.url!), "AuthorizationQueryParametersError");
      const cli = await run("aws", [
        "--endpoint-url",
        gw.url,
        "--region",
        "eu-west-1",
        "s3",
        "ls",
        "s3://private-uploads/",
      ], {
        clearEnv: true,
        env: {
          PATH: Deno.env.get("PATH") ?? "",
          HOME: gw.dataDir,
          AWS_ACCESS_KEY_ID: DEV.id,
          AWS_SECRET_ACCESS_KEY: DEV.secret,
        },
      });
      assert.equal(cli.code, 0, cli.stderr);
      assert.match(cli.stdout, /a\.txt/);
    } finally {
      await gw.stop();
    }
    const any = await startGateway([], { extraConfig: ['region: "*"'] });
    try {
      await Deno.writeTextFile(`${any.dataDir}/private-uploads/a.txt`, "hi");
      const away = await boto3(any, "eu-west-1");
      assert.deepEqual([away.get, await presigned(away.url!)], ["hi", "hi"]);
      assert.doesNotMatch(any.logs(), /AuthorizationHeaderMalformed/);
    } finally {
      await any.stop();
    }
  },
});
