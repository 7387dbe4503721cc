import assert from "node:assert/strict";
import { fixedClock } from "../../../src/clock.ts";
import { requestTarget } from "../../../src/http/target.ts";
import { createJwksCache } from "../../../src/sts/jwks.ts";
import { serveSts, type ServeStsOptions } from "../../../src/sts/serve.ts";
import { fakeIssuer, signToken, TEST_ROLE, testKey } from "../../_support/oidc.ts";

const NOW = Date.UTC(2026, 10, 24, 12);
const rsa = await testKey("rsa-1", "RS256");

function options(url: string, over: Partial<ServeStsOptions> = {}): ServeStsOptions {
  const clock = fixedClock(NOW);
  return {
    target: requestTarget(url),
    requestId: "REQ",
    roles: [TEST_ROLE],
    sessionKeys: { current: new Uint8Array(32).fill(2) },
    jwks: createJwksCache({ clock, fetch: fakeIssuer([rsa.publicJwk]).fetch }),
    clock,
    ...over,
  };
}

const form = async (extra: Record<string, string> = {}) =>
  new URLSearchParams({
    Action: "AssumeRoleWithWebIdentity",
    RoleArn: "arn:aws:iam::123456789012:role/ci",
    WebIdentityToken: await signToken(rsa, {}, { now: NOW }),
    ...extra,
  }).toString();

const post = (body: string) =>
  new Request("http://gw.test/", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body,
  });

Deno.test("serveSts() answers a form POST and names the principal, subject, role and minted key id for the log", async () => {
  const out = await serveSts(post(await form()), options("http://gw.test/"));
  assert.ok(out.result.ok);
  assert.equal(out.result.value.status, 200);
  const text = await out.result.value.text();
  assert.match(text, /<AccessKeyId>ASIA[A-Z0-9]{16}<\/AccessKeyId>/);
  assert.deepEqual(out.sts, {
    action: "AssumeRoleWithWebIdentity",
    principal: "ci/repo-org-app-ref-refs-heads-main",
    subject: "repo:org/app:ref:refs/heads/main",
    role: "ci",
    accessKeyId: /<AccessKeyId>([^<]*)</.exec(text)?.[1],
  });
});

Deno.test("serveSts() reads the parameters from the query too", async () => {
  const url = `http://gw.test/?${await form()}`;
  const out = await serveSts(new Request(url), options(url));
  assert.ok(out.result.ok);
  assert.equal(out.sts.action, "AssumeRoleWithWebIdentity");
});

Deno.test("serveSts() logs the Action of a refused call, STS when there is none", async () => {
  const refused = await serveSts(
    post(await form({ Action: "GetCallerIdentity" })),
    options("http://gw.test/"),
  );
  assert.ok(!refused.result.ok);
  assert.equal(refused.result.error.kind, "InvalidAction");
  assert.deepEqual(refused.sts, { action: "GetCallerIdentity" });
  const none = await serveSts(post("RoleArn=x"), options("http://gw.test/"));
  assert.ok(!none.result.ok);
  assert.deepEqual(none.sts, { action: "STS" });
});

Deno.test("serveSts() without session keys says STS is not configured", async () => {
  const { sessionKeys: _, ...unconfigured } = options("http://gw.test/");
  const out = await serveSts(post(await form()), unconfigured);
  assert.ok(!out.result.ok);
  assert.equal(out.result.error.kind, "StsNotConfigured");
});

Deno.test("serveSts() refuses a form body over 64 KiB before reading the call", async () => {
  const out = await serveSts(post("a=" + "x".repeat(65 * 1024)), options("http://gw.test/"));
  assert.ok(!out.result.ok);
  assert.equal(out.result.error.kind, "InvalidArgument");
  assert.match(out.result.error.message, /exceeds 65536 bytes/);
  assert.deepEqual(out.sts, { action: "STS" });
});
