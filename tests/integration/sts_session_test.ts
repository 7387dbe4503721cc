/**
 * STS session hardening through the whole app: the `Policy` parameter (its
 * errors in STS XML, its bound), and the access log naming a session's
 * subject, role and temporary key id (issue 28 items 5 and 6).
 */
import assert from "node:assert/strict";
import { ACTIONS } from "../../src/config/types.ts";
import { send } from "./_harness.ts";
import { CI, credentials, mint, setup } from "./_sts.ts";

const READ_RELEASES = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{
    Effect: "Allow",
    Action: "s3:GetObject",
    Resource: "arn:aws:s3:::private/releases/*",
  }],
});

const code = (xml: string) => /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];

Deno.test("STS: Policy is accepted and sealed; a malformed or too long one is refused in STS XML", async () => {
  const h = setup();
  await credentials(await mint(h, { Policy: READ_RELEASES }));
  for (
    const [policy, expected] of [
      ["{not json", "MalformedPolicyDocument"],
      [READ_RELEASES.replace("s3:GetObject", "s3:GetObjekt"), "MalformedPolicyDocument"],
      [READ_RELEASES.padEnd(2049, " "), "ValidationError"],
    ] as const
  ) {
    const res = await mint(h, { Policy: policy });
    const xml = await res.text();
    assert.equal(res.status, 400, xml);
    assert.match(xml, /^<\?xml[^>]*\?>\n<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com/);
    assert.equal(code(xml), expected, xml);
  }
});

Deno.test("STS: a session whose token would exceed 8 KiB is refused at mint with PackedPolicyTooLarge", async () => {
  const scopes = Array.from({ length: 100 }, (_, i) => ({
    bucket: `bucket-number-${i}`,
    prefixes: [`some/rather/long/prefix/number/${i}/`],
    actions: [...ACTIONS],
  }));
  const h = setup({ config: { roles: [{ ...CI, allowedScopes: scopes }] } });
  const res = await mint(h, { Policy: READ_RELEASES });
  const xml = await res.text();
  assert.equal(res.status, 400, xml);
  assert.equal(code(xml), "PackedPolicyTooLarge");
  assert.doesNotMatch(xml, /SessionToken/);
});

Deno.test("STS: the log names the minted key id, and every S3 line of the session its sub, role and key id", async () => {
  const h = setup();
  const key = await credentials(await mint(h, { RoleSessionName: "alice" }));
  const sts = h.logs.at(-1)!;
  assert.equal(sts.accessKeyId, key.id);
  assert.equal(sts.role, "ci");
  const as = { id: key.id, secret: key.secret, token: key.token };
  const put = await send(h, "/private/releases/a", { method: "PUT", body: "a", key: as });
  assert.equal(put.status, 200, await put.text());
  const denied = await send(h, "/private/secret/a", { key: as });
  assert.equal(denied.status, 403);
  await denied.body?.cancel();
  for (const line of h.logs.slice(-2)) {
    assert.equal(line.principal, "ci/alice", "the name the caller picked");
    assert.equal(line.subject, "repo:org/app:ref:refs/heads/main", "who it really is");
    assert.equal(line.role, "ci");
    assert.equal(line.accessKeyId, key.id);
  }
  assert.ok(!JSON.stringify(h.logs).includes(key.token), "the token is never logged");
});

Deno.test("STS: a session with a Policy is served (its sealed policy compiled when the token opens)", async () => {
  const h = setup();
  const key = await credentials(await mint(h, { Policy: READ_RELEASES }));
  const as = { id: key.id, secret: key.secret, token: key.token };
  const res = await send(h, "/private/releases/none", { key: as });
  assert.equal(res.status, 404, "authenticated, then NoSuchKey");
  await res.body?.cancel();
});
