/**
 * STS session policies and revocation end to end, with boto3 against a real
 * OIDC issuer process over TLS: `assume_role_with_web_identity(Policy=…)`
 * narrows a session below its role; and AWS's "revoke active sessions"
 * recipe (a Deny on `DateLessThan aws:TokenIssueTime` added to the role's
 * policies, reloaded with SIGHUP) cuts off a session issued before it, while
 * a session minted after it works (issue 28 item 6).
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { makeCerts } from "../_support/certs.ts";
import { type IssuerProcess, issuerRoles, startIssuerProcess } from "../_support/oidc_issuer.ts";
import { type Gateway, reloadGateway, run, startGateway } from "./_gateway.ts";
import { firstReason, missingCommand, missingPythonModule, skippable } from "../_support/tools.ts";

const HERE = new URL(".", import.meta.url).pathname;

const notReady = firstReason(
  await missingCommand("openssl"),
  await missingPythonModule("boto3"),
);

/** Runs sts_session_boto3.py in `mode`; its JSON answer. */
async function boto3(
  gw: Gateway,
  issuer: IssuerProcess,
  mode: string,
  extra: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  const r = await run("python3", [`${HERE}sts_session_boto3.py`], {
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: gw.dataDir,
      GATEWAY: gw.url,
      TOKEN: await issuer.token({ sub: "repo:org/app:ref:refs/heads/main" }),
      MODE: mode,
      ...extra,
    },
  });
  assert.equal(r.code, 0, r.stderr + gw.logs());
  return JSON.parse(r.stdout);
}

/** The role's policies: a Deny of every S3 action to sessions issued before `before`. */
function revocation(before: Date): string {
  return [
    "    policies: [revoke-older-sessions]",
    "policies:",
    "  revoke-older-sessions:",
    '    Version: "2012-10-17"',
    "    Statement:",
    "      - Sid: RevokeOlderSessions",
    "        Effect: Deny",
    '        Action: "s3:*"',
    '        Resource: "arn:aws:s3:::*"',
    `        Condition: { DateLessThan: { "aws:TokenIssueTime": "${before.toISOString()}" } }`,
    "",
  ].join("\n");
}

Deno.test({
  ...skippable(
    "e2e STS: session policies narrow a session; SIGHUP revokes older sessions",
    notReady,
  ),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const dir = await Deno.makeTempDir({ prefix: "bucketgate-sts-session-" });
    const certs = await makeCerts(dir);
    const issuer = await startIssuerProcess(certs);
    const sessionKey = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64");
    const env = { DENO_CERT: certs.caFile, SESSION_TOKEN_KEY: sessionKey };
    const gw = await startGateway([], { env, extraConfig: issuerRoles(issuer.issuer) });
    try {
      await t.step("boto3: Policy= narrows the session below its role", async () => {
        const out = await boto3(gw, issuer, "narrow");
        assert.equal(out.get, "release bits", "what the session policy allows");
        assert.equal(out.put, "AccessDenied", "the role may put; the session policy may not");
        assert.equal(out.list, "AccessDenied");
        assert.equal(
          out.put_without_policy,
          "OK",
          "a session without Policy keeps its role's rights",
        );
        assert.equal(out.malformed, "MalformedPolicyDocument");
        assert.equal(out.too_long, "ValidationError");
      });

      await t.step(
        "SIGHUP with a Deny on aws:TokenIssueTime cuts off an older session",
        async () => {
          const older = await boto3(gw, issuer, "mint");
          const credentials = JSON.stringify(older);
          assert.deepEqual(await boto3(gw, issuer, "get", { CREDENTIALS: credentials }), {
            get: "OK",
          });
          // Tokens carry whole seconds: revoke from the next second on, and mint after it.
          const cutoff = new Date(Math.ceil(Date.now() / 1000) * 1000 + 1000);
          const path = `${gw.dataDir}/config.yaml`;
          const config = await Deno.readTextFile(path);
          await Deno.writeTextFile(path, config.trimEnd() + "\n" + revocation(cutoff));
          await reloadGateway(gw, /reloaded|reload refused/);
          assert.doesNotMatch(gw.logs(), /reload refused/);
          assert.deepEqual(await boto3(gw, issuer, "get", { CREDENTIALS: credentials }), {
            get: "AccessDenied",
          });
          while (Date.now() < cutoff.getTime() + 50) await new Promise((r) => setTimeout(r, 50));
          const newer = JSON.stringify(await boto3(gw, issuer, "mint"));
          assert.deepEqual(await boto3(gw, issuer, "get", { CREDENTIALS: newer }), { get: "OK" });
          assert.ok(!gw.logs().includes(older.token as string), "the token is never logged");
        },
      );
    } finally {
      await gw.stop();
      await issuer.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
