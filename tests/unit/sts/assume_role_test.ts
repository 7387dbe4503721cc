import assert from "node:assert/strict";
import { fixedClock } from "../../../src/clock.ts";
import type { RoleConfig } from "../../../src/config/types.ts";
import { unsealSession } from "../../../src/auth/session_token.ts";
import { createJwksCache } from "../../../src/sts/jwks.ts";
import { findRole, handleSts, sessionSeconds, type StsDeps } from "../../../src/sts/assume_role.ts";
import { fakeIssuer, signToken, TEST_ISSUER, TEST_ROLE, testKey } from "../../_support/oidc.ts";

const NOW = Date.UTC(2026, 10, 24, 12, 0, 0, 500);
const KEYS = { current: new Uint8Array(32).fill(1) };
const rsa = await testKey("rsa-1", "RS256");
const ROLE: RoleConfig = {
  ...TEST_ROLE,
  allowedScopes: [{ bucket: "team-{team}", prefixes: ["{team}/"], actions: ["get_object"] }],
};

function deps(over: Partial<StsDeps> = {}): StsDeps {
  const clock = fixedClock(NOW);
  return {
    roles: [ROLE],
    keys: KEYS,
    jwks: createJwksCache({ clock, fetch: fakeIssuer([rsa.publicJwk]).fetch }),
    clock,
    requestId: "REQ1",
    ...over,
  };
}

const call = async (extra: Record<string, string> = {}) =>
  new URLSearchParams({
    Action: "AssumeRoleWithWebIdentity",
    Version: "2011-06-15",
    RoleArn: "arn:aws:iam::123456789012:role/ci",
    WebIdentityToken: await signToken(rsa, { team: "blue" }, { now: NOW }),
    ...extra,
  });

const tag = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

async function failure(params: URLSearchParams, d = deps()): Promise<string> {
  const r = await handleSts(params, d);
  assert.ok(!r.ok);
  return `${r.error.kind}: ${r.error.message}`;
}

Deno.test("findRole() matches a role ARN's last part, or a bare role id", () => {
  assert.equal(findRole([ROLE], "arn:aws:iam::123456789012:role/ci"), ROLE);
  assert.equal(findRole([ROLE], "arn:aws:iam::123456789012:role/path/ci"), ROLE);
  assert.equal(findRole([ROLE], "ci"), ROLE);
  assert.equal(findRole([ROLE], "arn:aws:iam::1:role/other"), undefined);
});

Deno.test("sessionSeconds() defaults to 3600 and clamps to [900, the role's maximum]", () => {
  const role = { ...ROLE, maxSessionDurationSecs: 7200 };
  assert.equal(sessionSeconds(undefined, role), 3600);
  assert.equal(sessionSeconds(60, role), 900);
  assert.equal(sessionSeconds(5000, role), 5000);
  assert.equal(sessionSeconds(99999, role), 7200);
  assert.equal(sessionSeconds(undefined, { ...ROLE, maxSessionDurationSecs: 1200 }), 1200);
});

Deno.test("handleSts() mints sealed credentials and answers STS's XML", async () => {
  const r = await handleSts(await call({ DurationSeconds: "1000" }), deps());
  assert.ok(r.ok, JSON.stringify(r));
  const { response, principal, subject } = r.value;
  assert.equal(subject, "repo:org/app:ref:refs/heads/main");
  assert.equal(principal, "ci/repo-org-app-ref-refs-heads-main");
  assert.equal(response.headers.get("x-amzn-requestid"), "REQ1");
  assert.equal(response.headers.get("cache-control"), "no-store");
  const xml = await response.text();
  assert.match(
    xml,
    /^<\?xml[^>]*\?>\n<AssumeRoleWithWebIdentityResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">/,
  );
  assert.equal(
    tag(xml, "Arn"),
    "arn:aws:sts::000000000000:assumed-role/ci/repo-org-app-ref-refs-heads-main",
  );
  assert.equal(tag(xml, "Provider"), TEST_ISSUER);
  assert.equal(tag(xml, "Audience"), "sts.bucketgate.test");
  assert.equal(tag(xml, "Expiration"), "2026-11-24T12:16:40Z", "whole seconds, 1000 s on");
  assert.equal(tag(xml, "RequestId"), "REQ1");
  const claims = unsealSession(tag(xml, "SessionToken")!, KEYS);
  assert.ok(claims);
  assert.equal(claims.accessKeyId, tag(xml, "AccessKeyId"));
  assert.equal(claims.secretAccessKey, tag(xml, "SecretAccessKey"));
  assert.equal(claims.roleId, "ci");
  assert.deepEqual(claims.scopes, [
    { bucket: "team-blue", prefixes: ["blue/"], actions: ["get_object"] },
  ], "the role's {claim} templates filled from the token");
  assert.equal(claims.expiresAt, Date.UTC(2026, 10, 24, 12, 16, 40));
});

Deno.test("handleSts() uses the caller's RoleSessionName and the configured account id", async () => {
  const r = await handleSts(await call({ RoleSessionName: "build-7" }), deps({ accountId: "42" }));
  assert.ok(r.ok);
  assert.equal(r.value.principal, "ci/build-7");
  assert.equal(
    tag(await r.value.response.text(), "Arn"),
    "arn:aws:sts::42:assumed-role/ci/build-7",
  );
});

Deno.test("handleSts() checks the call, then STS's configuration, then the parameters, then the role", async () => {
  const p = await call();
  p.delete("Action");
  assert.match(await failure(p), /^InvalidArgument: .*parameter Action/);
  assert.match(await failure(await call({ Action: "AssumeRole" })), /^InvalidAction: /);
  assert.match(await failure(await call({ Version: "2010-01-01" })), /^InvalidArgument: Version/);
  const noKeys = deps();
  const { keys: _, ...unconfigured } = noKeys;
  assert.match(await failure(await call({ RoleArn: "" }), unconfigured), /^StsNotConfigured: /);
  assert.match(await failure(await call({ RoleArn: "" })), /^InvalidArgument: .*RoleArn/);
  assert.match(
    await failure(await call({ RoleArn: "arn:aws:iam::1:role/nope" })),
    /^RoleNotFound: /,
  );
  assert.match(await failure(await call({ WebIdentityToken: "x.y.z" })), /^InvalidOidcToken: /);
});

const READ_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::data/*" }],
});

Deno.test("handleSts() seals the Policy, the claims and the issue time into the token", async () => {
  const r = await handleSts(await call({ Policy: READ_POLICY }), deps());
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(r.value.role, "ci");
  assert.match(r.value.accessKeyId, /^ASIA/);
  const claims = unsealSession(tag(await r.value.response.text(), "SessionToken")!, KEYS);
  assert.ok(claims);
  assert.equal(claims.sessionPolicy, READ_POLICY);
  assert.equal(claims.issuedAt, NOW - 500, "whole seconds");
  assert.equal(claims.claims?.sub, "repo:org/app:ref:refs/heads/main");
  assert.equal(claims.claims?.aud, "sts.bucketgate.test");
  assert.equal(claims.claims?.team, "blue");
});

Deno.test("handleSts() without Policy seals no session policy", async () => {
  const r = await handleSts(await call(), deps());
  assert.ok(r.ok);
  const claims = unsealSession(tag(await r.value.response.text(), "SessionToken")!, KEYS);
  assert.equal(claims?.sessionPolicy, undefined);
});

Deno.test("handleSts() refuses a malformed Policy, and one over 2,048 characters", async () => {
  assert.match(await failure(await call({ Policy: "{not json" })), /^MalformedPolicyDocument: /);
  assert.match(
    await failure(await call({ Policy: READ_POLICY.replace("s3:GetObject", "s3:Nope") })),
    /^MalformedPolicyDocument: Policy Statement\[0\]\.Action/,
  );
  assert.match(
    await failure(await call({ Policy: READ_POLICY.padEnd(2049, " ") })),
    /^ValidationError: /,
  );
  assert.match(await failure(await call({ Policy: "" })), /^ValidationError: /);
});

Deno.test("handleSts() refuses at mint a session whose token would exceed 8 KiB: PackedPolicyTooLarge", async () => {
  const many = Array.from({ length: 100 }, (_, i) => ({
    bucket: `bucket-number-${i}`,
    prefixes: [`some/rather/long/prefix/number/${i}/`],
    actions: ["get_object" as const, "put_object" as const],
  }));
  const big = deps({ roles: [{ ...ROLE, allowedScopes: many }] });
  const message = await failure(await call({ Policy: READ_POLICY }), big);
  assert.match(message, /^PackedPolicyTooLarge: Packed size .* is \d+% of the 8192-character/);
  const fits = deps({ roles: [{ ...ROLE, allowedScopes: many.slice(0, 5) }] });
  assert.ok((await handleSts(await call({ Policy: READ_POLICY }), fits)).ok);
});
