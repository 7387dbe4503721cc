/**
 * IAM policies against a real client: boto3 through the shipped nginx config
 * (deploy/nginx/bucketgate.conf, over TLS) to the gateway process, under a
 * bucket policy with a Deny, an `s3:prefix` condition and an `aws:SourceIp`
 * condition. IPv4 clients stand at different 127.0.0.x source addresses;
 * IPv6 ones are named in `X-Forwarded-For` by a trusted proxy (127.0.0.1).
 */
import assert from "node:assert/strict";
import { makeCerts } from "../_support/certs.ts";
import { nginxMain, nginxTemps, renderShipped, startNginx } from "../_support/nginx.ts";
import { freePort } from "../_support/ports.ts";
import { firstReason, missingCommand, missingPythonModule, skippable } from "../_support/tools.ts";
import { DEV, run, startGateway } from "./_gateway.ts";

/** Why nginx, openssl or boto3 cannot run here; under CI=true, throws. */
const notReady = firstReason(
  await missingCommand("nginx", "openssl"),
  await missingPythonModule("boto3"),
);

const BUCKET = "guarded";
const POLICY = {
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "NoSecrets",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:GetObject",
      Resource: `arn:aws:s3:::${BUCKET}/secret/*`,
    },
    {
      Sid: "TeamListingsOnly",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:ListBucket",
      Resource: `arn:aws:s3:::${BUCKET}`,
      Condition: { StringNotLike: { "s3:prefix": "team/*" } },
    },
    {
      Sid: "OfficeOnly",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
      Condition: { NotIpAddress: { "aws:SourceIp": ["127.0.0.2/32", "2001:db8::/32"] } },
    },
  ],
};

Deno.test({
  ...skippable(
    "boto3 through the shipped nginx config under a bucket policy: a Deny, s3:prefix, aws:SourceIp (IPv4 and IPv6)",
    notReady,
  ),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // JSON is YAML: the document goes into the config as it would be pasted from AWS.
    const gw = await startGateway(
      [`{ name: ${BUCKET}, backend_type: memory, anonymous_access: false, bucket_policy: ${
        JSON.stringify(POLICY)
      } }`],
      { extraConfig: ["trusted_proxies: [127.0.0.1]"], args: ["--log-format", "json"] },
    );
    const dir = `${gw.dataDir}/nginx`;
    await Deno.mkdir(dir, { recursive: true });
    const certs = await makeCerts(dir);
    const port = freePort();
    const shipped = await renderShipped([gw.port], port, certs);
    const conf = `${nginxMain(dir)}\nhttp {\n${
      nginxTemps(dir)
    }\n  access_log off;\n${shipped}\n}\n`;
    const nginx = await startNginx(dir, conf, [port]).catch(async (e) => {
      await gw.stop();
      throw e;
    });
    try {
      const r = await run("python3", [new URL("./policies_boto3.py", import.meta.url).pathname], {
        env: {
          URL: `https://127.0.0.1:${port}`,
          CA: certs.caFile,
          KEY_ID: DEV.id,
          KEY_SECRET: DEV.secret,
          BUCKET,
        },
      });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), {
        "put team/a.txt": "ok",
        "put secret/b.txt": "ok",
        "get team/a.txt": "ok",
        "get secret/b.txt": "AccessDenied",
        "list team/": "ok",
        "list other/": "AccessDenied",
        "list all": "AccessDenied",
        "elsewhere get team/a.txt": "AccessDenied",
        "spoofed get team/a.txt": "AccessDenied",
        "v6 office get team/a.txt": "ok",
        "v6 elsewhere get team/a.txt": "AccessDenied",
      });
      const denied = gw.logs().split("\n").filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((e) => e.errorCode === "AccessDenied")
        .map((e) => [e.remote, e.operation, e.key, e.deniedBy]);
      assert.deepEqual(denied, [
        [
          "127.0.0.2",
          "GetObject",
          "secret/b.txt",
          "explicit deny by bucket:guarded[0] (NoSecrets)",
        ],
        ["127.0.0.2", "ListObjectsV2", "", "explicit deny by bucket:guarded[1] (TeamListingsOnly)"],
        ["127.0.0.2", "ListObjectsV2", "", "explicit deny by bucket:guarded[1] (TeamListingsOnly)"],
        ["127.0.0.3", "GetObject", "team/a.txt", "explicit deny by bucket:guarded[2] (OfficeOnly)"],
        ["127.0.0.3", "GetObject", "team/a.txt", "explicit deny by bucket:guarded[2] (OfficeOnly)"],
        [
          "2001:db9::1",
          "GetObject",
          "team/a.txt",
          "explicit deny by bucket:guarded[2] (OfficeOnly)",
        ],
      ]);
    } finally {
      await nginx.stop();
      await gw.stop();
    }
  },
});
