/**
 * The GitHub-Actions-style flow end to end, against a real OIDC issuer process
 * over TLS (a test CA trusted through DENO_CERT): token → AssumeRoleWithWebIdentity
 * → scoped S3 access → denial outside the scopes → ExpiredToken after expiry.
 * Driven by boto3 (by hand and through its web-identity provider), aws-cli and
 * @aws-sdk/client-sts + client-s3.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { AssumeRoleWithWebIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { makeCerts } from "../_support/certs.ts";
import { issuerRoles, startIssuerProcess } from "../_support/oidc_issuer.ts";
import { fakeTimeLibrary, type Gateway, run, startGateway } from "./_gateway.ts";
import {
  firstReason,
  missingCommand,
  missingPythonModule,
  requireTool,
  skippable,
} from "../_support/tools.ts";

const ROLE_ARN = "arn:aws:iam::123456789012:role/ci-deployer";
const HERE = new URL(".", import.meta.url).pathname;

function s3With(gw: Gateway, c: { id: string; secret: string; token: string }): S3Client {
  return new S3Client({
    endpoint: gw.url,
    region: "us-east-1",
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: { accessKeyId: c.id, secretAccessKey: c.secret, sessionToken: c.token },
  });
}

/** Why the issuer, its certificates or the clock offset cannot run here; under CI=true, throws. */
const notReady = firstReason(
  await missingCommand("openssl"),
  await missingPythonModule("boto3"),
  requireTool((await fakeTimeLibrary()) === undefined ? "libfaketime not installed" : undefined),
);

Deno.test({
  ...skippable(
    "e2e STS: a real OIDC issuer's token becomes scoped, expiring S3 credentials",
    notReady,
  ),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const dir = await Deno.makeTempDir({ prefix: "bucketgate-sts-" });
    const certs = await makeCerts(dir);
    const issuer = await startIssuerProcess(certs);
    const sessionKey = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64");
    const env = { DENO_CERT: certs.caFile, SESSION_TOKEN_KEY: sessionKey };
    const gw = await startGateway([], { env, extraConfig: issuerRoles(issuer.issuer) });
    let minted: { id: string; secret: string; token: string } | undefined;
    try {
      assert.match(gw.logs(), /STS on/);
      const token = await issuer.token({ sub: "repo:org/app:ref:refs/heads/main" });

      await t.step("boto3: by hand and through its web-identity provider", async () => {
        const tokenFile = `${dir}/token`;
        await Deno.writeTextFile(tokenFile, await issuer.token());
        const r = await run("python3", [`${HERE}sts_boto3.py`], {
          clearEnv: true,
          env: {
            PATH: Deno.env.get("PATH") ?? "",
            HOME: dir,
            GATEWAY: gw.url,
            TOKEN: token,
            TOKEN_FILE: tokenFile,
            WRONG_AUDIENCE_TOKEN: await issuer.token({ audience: "someone-else" }),
          },
        });
        assert.equal(r.code, 0, r.stderr + gw.logs());
        const out = JSON.parse(r.stdout);
        assert.equal(out.subject, "repo:org/app:ref:refs/heads/main");
        assert.equal(out.provider, issuer.issuer);
        assert.equal(out.get, "release bits");
        assert.deepEqual(out.listed, ["releases/app.tgz"]);
        assert.equal(out.put_outside, "AccessDenied");
        assert.equal(out.get_other_bucket, "AccessDenied");
        assert.equal(out.wrong_audience, "InvalidIdentityToken");
        assert.equal(out.unknown_role, "MalformedPolicyDocument");
        assert.equal(out.provider_method, "assume-role-with-web-identity");
        assert.equal(out.provider_get, "from the provider");
        minted = out.credentials;
      });

      await t.step("aws-cli: sts assume-role-with-web-identity, then s3 cp", async () => {
        const base = {
          PATH: Deno.env.get("PATH") ?? "",
          HOME: dir,
          AWS_DEFAULT_REGION: "us-east-1",
        };
        const r = await run("aws", [
          "sts",
          "assume-role-with-web-identity",
          "--endpoint-url",
          gw.url,
          "--role-arn",
          ROLE_ARN,
          "--role-session-name",
          "cli-e2e",
          "--web-identity-token",
          token,
          "--output",
          "json",
        ], { clearEnv: true, env: base });
        assert.equal(r.code, 0, r.stderr);
        const c = JSON.parse(r.stdout).Credentials;
        const creds = {
          ...base,
          AWS_ACCESS_KEY_ID: c.AccessKeyId,
          AWS_SECRET_ACCESS_KEY: c.SecretAccessKey,
          AWS_SESSION_TOKEN: c.SessionToken,
        };
        await Deno.writeTextFile(`${dir}/cli.txt`, "from aws-cli");
        const cp = await run("aws", [
          "--endpoint-url",
          gw.url,
          "s3",
          "cp",
          `${dir}/cli.txt`,
          "s3://private-uploads/releases/cli.txt",
        ], { clearEnv: true, env: creds });
        assert.equal(cp.code, 0, cp.stderr);
        const denied = await run("aws", [
          "--endpoint-url",
          gw.url,
          "s3",
          "cp",
          `${dir}/cli.txt`,
          "s3://private-uploads/elsewhere.txt",
        ], { clearEnv: true, env: creds });
        assert.notEqual(denied.code, 0);
        assert.match(denied.stderr, /AccessDenied/);
      });

      await t.step("@aws-sdk/client-sts + client-s3", async () => {
        const sts = new STSClient({ endpoint: gw.url, region: "us-east-1", maxAttempts: 1 });
        const r = await sts.send(
          new AssumeRoleWithWebIdentityCommand({
            RoleArn: ROLE_ARN,
            RoleSessionName: "js-e2e",
            WebIdentityToken: token,
          }),
        );
        const c = r.Credentials!;
        assert.ok(c.Expiration instanceof Date);
        const s3 = s3With(gw, {
          id: c.AccessKeyId!,
          secret: c.SecretAccessKey!,
          token: c.SessionToken!,
        });
        await s3.send(
          new PutObjectCommand({
            Bucket: "private-uploads",
            Key: "releases/js.txt",
            Body: "from js",
          }),
        );
        const got = await s3.send(
          new GetObjectCommand({ Bucket: "private-uploads", Key: "releases/js.txt" }),
        );
        assert.equal(await got.Body!.transformToString(), "from js");
        await assert.rejects(
          s3.send(new PutObjectCommand({ Bucket: "private-uploads", Key: "nope.txt", Body: "x" })),
          (e: Error) => e.name === "AccessDenied",
        );
        s3.destroy();
        sts.destroy();
      });

      await t.step("the issuer's JWKS was fetched once for every exchange", async () => {
        assert.equal(await issuer.jwksFetches(), 1);
      });

      await t.step("after expiry (a second instance 16 minutes ahead): ExpiredToken", async () => {
        assert.ok(minted, "boto3 step minted 900 s credentials");
        const later = await startGateway([], {
          env,
          extraConfig: issuerRoles(issuer.issuer),
          clockOffset: "+16m",
        });
        try {
          const s3 = s3With(later, minted);
          await assert.rejects(
            s3.send(new GetObjectCommand({ Bucket: "private-uploads", Key: "releases/app.tgz" })),
            (e: Error & { $metadata?: { httpStatusCode?: number } }) =>
              e.name === "ExpiredToken" && e.$metadata?.httpStatusCode === 403,
          );
          s3.destroy();
        } finally {
          await later.stop();
        }
      });
    } finally {
      await gw.stop();
      await issuer.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
