/**
 * IAM policies on the request path, through the whole handler: a Deny beats
 * a scope (and the log names it, the response does not), a bucket policy
 * lets anonymous callers read, `s3:prefix` bounds a listing, `aws:SourceIp`
 * is the client behind a trusted proxy (IPv4 and IPv6), and a reload that
 * narrows a role's policies narrows its live sessions.
 */
import assert from "node:assert/strict";
import { sealSession } from "../../src/auth/session_token.ts";
import type { Config, RoleConfig } from "../../src/config/types.ts";
import { type CompiledPolicy, compilePolicy } from "../../src/iam/document.ts";
import {
  ADMIN,
  errorCode,
  harness,
  makeRequest,
  NOW,
  READER,
  type RequestOptions,
  send,
  testConfig,
} from "./_harness.ts";

/** A document compiled as the config compiles it. */
function policy(
  name: string,
  kind: CompiledPolicy["kind"],
  statements: readonly Record<string, unknown>[],
): CompiledPolicy {
  const compiled = compilePolicy({ Version: "2012-10-17", Statement: statements }, { name, kind });
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.error));
  return compiled.value;
}

/** testConfig with `policies` attached to the credential `keyId`, and other overrides. */
function withPolicies(
  keyId: string,
  policies: readonly CompiledPolicy[],
  overrides: Partial<Config> = {},
): Config {
  const base = testConfig(overrides);
  return {
    ...base,
    credentials: base.credentials.map((c) => c.accessKeyId === keyId ? { ...c, policies } : c),
  };
}

const NO_SECRETS = policy("no-secrets", "identity", [{
  Sid: "NoSecrets",
  Effect: "Deny",
  Action: "s3:GetObject",
  Resource: "arn:aws:s3:::private/secret/*",
}]);

Deno.test("a Deny in a key's policies wins over its allowed_scopes; the log names it, the response does not", async () => {
  const h = harness(withPolicies(ADMIN.id, [NO_SECRETS]));
  for (const key of ["secret/plans", "open/notes"]) {
    const put = await send(h, `/private/${key}`, { method: "PUT", body: "x", key: ADMIN });
    assert.equal(put.status, 200, "the Deny names reads only");
  }
  const denied = await send(h, "/private/secret/plans", { key: ADMIN });
  assert.equal(denied.status, 403);
  const body = await denied.text();
  assert.match(body, /<Code>AccessDenied<\/Code>/);
  assert.doesNotMatch(body, /NoSecrets|no-secrets/, "never in the response");
  const entry = h.logs.at(-1)!;
  assert.equal(entry.errorCode, "AccessDenied");
  assert.equal(entry.deniedBy, "explicit deny by no-secrets[0] (NoSecrets)");
  assert.equal((await send(h, "/private/open/notes", { key: ADMIN })).status, 200);
  assert.equal(h.logs.at(-1)!.deniedBy, undefined);
  // HEAD needs s3:GetObject too; a copy's source is read as a GET.
  const head = await send(h, "/private/secret/plans", { method: "HEAD", key: ADMIN });
  assert.equal(head.status, 403);
  const copy = await send(h, "/private/open/copy", {
    method: "PUT",
    key: ADMIN,
    headers: { "x-amz-copy-source": "/private/secret/plans" },
  });
  assert.equal(copy.status, 403);
  assert.equal(h.logs.at(-1)!.deniedBy, "explicit deny by no-secrets[0] (NoSecrets)");
  // A DeleteObject with If-Match reads the object: it needs s3:GetObject too, as on AWS.
  const ifMatch = { method: "DELETE", key: ADMIN, headers: { "if-match": "*" } };
  assert.equal((await send(h, "/private/secret/plans", ifMatch)).status, 403);
  assert.equal(h.logs.at(-1)!.deniedBy, "explicit deny by no-secrets[0] (NoSecrets)");
  assert.equal((await send(h, "/private/open/notes", ifMatch)).status, 204);
  // So does a DeleteObjects entry with an ETag; without one, s3:DeleteObject is enough.
  const batch = "<Delete><Object><Key>secret/plans</Key><ETag>*</ETag></Object></Delete>";
  const xml = await (await send(h, "/private?delete", { method: "POST", body: batch, key: ADMIN }))
    .text();
  assert.match(xml, /<Error><Key>secret\/plans<\/Key><Code>AccessDenied<\/Code>/);
  const plain = await send(h, "/private/secret/plans", { method: "DELETE", key: ADMIN });
  assert.equal(plain.status, 204, "without If-Match, s3:DeleteObject is enough");
});

Deno.test("DeleteObjects decides each key: a Deny on one key refuses that key alone", async () => {
  const keep = policy("keep", "identity", [{
    Sid: "Keep",
    Effect: "Deny",
    Action: "s3:DeleteObject",
    Resource: "arn:aws:s3:::private/keep/*",
  }]);
  const h = harness(withPolicies(ADMIN.id, [keep]));
  for (const key of ["keep/a", "drop/b"]) {
    await send(h, `/private/${key}`, { method: "PUT", body: "x", key: ADMIN });
  }
  const body = "<Delete><Object><Key>keep/a</Key></Object><Object><Key>drop/b</Key></Object>" +
    "</Delete>";
  const res = await send(h, "/private?delete", { method: "POST", body, key: ADMIN });
  const xml = await res.text();
  assert.equal(res.status, 200, xml);
  assert.match(xml, /<Error><Key>keep\/a<\/Key><Code>AccessDenied<\/Code>/);
  assert.match(xml, /<Deleted><Key>drop\/b<\/Key><\/Deleted>/);
  assert.equal((await send(h, "/private/keep/a", { key: ADMIN })).status, 200);
  assert.equal((await send(h, "/private/drop/b", { key: ADMIN })).status, 404);
});

Deno.test("a bucket policy with Principal '*' lets anonymous callers read where it says, and no further", async () => {
  const open = policy("bucket:private", "bucket", [{
    Sid: "PublicRead",
    Effect: "Allow",
    Principal: "*",
    Action: "s3:GetObject",
    Resource: "arn:aws:s3:::private/pub/*",
  }]);
  const base = testConfig();
  const h = harness({
    ...base,
    buckets: base.buckets.map((b) => b.name === "private" ? { ...b, bucketPolicy: open } : b),
  });
  for (const key of ["pub/a", "closed/b"]) {
    await send(h, `/private/${key}`, { method: "PUT", body: "x", key: ADMIN });
  }
  const read = await send(h, "/private/pub/a");
  assert.equal(read.status, 200);
  assert.equal(await read.text(), "x");
  assert.equal((await send(h, "/private/closed/b")).status, 403);
  assert.equal((await send(h, "/private/pub/new", { method: "PUT", body: "y" })).status, 403);
  assert.equal(h.logs.at(-1)!.deniedBy, "no statement allows");
  const list = await (await send(h, "/")).text();
  assert.deepEqual([...list.matchAll(/<Name>([^<]*)<\/Name>/g)].map((m) => m[1]), [
    "public",
    "private",
  ], "ListBuckets shows the bucket its policy opens");
});

Deno.test("s3:prefix bounds a ListBucket grant to the listing prefixes it names", async () => {
  const home = policy("home", "identity", [{
    Sid: "Home",
    Effect: "Allow",
    Action: "s3:ListBucket",
    Resource: "arn:aws:s3:::private",
    Condition: { StringLike: { "s3:prefix": ["home/alice/*"] } },
  }]);
  const base = withPolicies(READER.id, [home]);
  const h = harness({
    ...base,
    credentials: base.credentials.map((c) =>
      c.accessKeyId === READER.id ? { ...c, allowedScopes: [] } : c
    ),
  });
  const list = (query: string) => send(h, `/private?list-type=2${query}`, { key: READER });
  assert.equal((await list("&prefix=home%2Falice%2F")).status, 200);
  assert.equal((await list("&prefix=home%2Falice%2Fdocs%2F")).status, 200);
  assert.equal(await errorCode(await list("&prefix=home%2Fbob%2F")), "AccessDenied");
  assert.equal(await errorCode(await list("")), "AccessDenied", "no prefix: the whole bucket");
  assert.equal(
    await errorCode(await send(h, "/private/home/alice/x", { key: READER })),
    "AccessDenied",
  );
});

const PROXY = { hostname: "127.0.0.1", port: 40100 };
const STRANGER = { hostname: "192.0.2.10", port: 40200 };

Deno.test("aws:SourceIp is the client a trusted proxy names in X-Forwarded-For (IPv4 and IPv6)", async () => {
  const office = policy("office", "identity", [{
    Sid: "OutsideTheOffice",
    Effect: "Deny",
    Action: "s3:*",
    Resource: "*",
    Condition: { NotIpAddress: { "aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"] } },
  }]);
  const h = harness(withPolicies(ADMIN.id, [office], { trustedProxies: ["127.0.0.1"] }));
  const get = async (forwardedFor: string, peer = PROXY, o: RequestOptions = {}) => {
    const signed = await makeRequest("/public/x", { key: ADMIN, ...o });
    const headers = new Headers(signed.headers);
    headers.set("x-forwarded-for", forwardedFor);
    return await h.app(new Request(signed, { headers }), { remoteAddr: peer });
  };
  assert.equal((await get("203.0.113.9", PROXY, { method: "PUT", body: "x" })).status, 200);
  assert.equal((await get("203.0.113.7")).status, 200);
  assert.equal((await get("198.51.100.1")).status, 403);
  assert.equal(h.logs.at(-1)!.deniedBy, "explicit deny by office[0] (OutsideTheOffice)");
  assert.equal((await get("2001:db8::5")).status, 200);
  assert.equal((await get("2001:db9::1")).status, 403);
  assert.equal((await get("198.51.100.1, 203.0.113.7")).status, 200, "the proxy's own entry");
  assert.equal(
    (await get("203.0.113.7", STRANGER)).status,
    403,
    "from an untrusted peer X-Forwarded-For is not read: the peer is the client",
  );
});

const ROLE: RoleConfig = {
  roleId: "ci",
  name: "ci",
  trustedOidcIssuers: ["https://idp.test"],
  requiredAudiences: [],
  subjectConditions: [],
  allowAnySubject: true,
  maxSessionDurationSecs: 3600,
  allowedScopes: [],
};

Deno.test("a reload that narrows a role's policies narrows its live sessions", async () => {
  const keys = { current: crypto.getRandomValues(new Uint8Array(32)) };
  const reads = policy("reads", "identity", [{
    Effect: "Allow",
    Action: "s3:GetObject",
    Resource: "arn:aws:s3:::private/*",
  }]);
  const publicOnly = policy("reads", "identity", [{
    Effect: "Allow",
    Action: "s3:GetObject",
    Resource: "arn:aws:s3:::private/pub/*",
  }]);
  const token = sealSession({
    accessKeyId: "ASIATESTTESTTEST0001",
    secretAccessKey: "session-secret",
    roleId: "ci",
    subject: "build-1",
    sessionName: "build",
    issuer: "https://idp.test",
    scopes: [],
    expiresAt: NOW + 3600_000,
  }, keys);
  const session = { id: "ASIATESTTESTTEST0001", secret: "session-secret", token };
  const served = (role: RoleConfig) => {
    const h = harness(testConfig({ roles: [role] }), { sessionKeys: keys });
    return h;
  };
  const before = served({ ...ROLE, policies: [reads] });
  await send(before, "/private/team/a", { method: "PUT", body: "x", key: ADMIN });
  assert.equal((await send(before, "/private/team/a", { key: session })).status, 200);
  // SIGHUP builds a new app over the new config; the token is the same.
  const after = served({ ...ROLE, policies: [publicOnly] });
  await send(after, "/private/team/a", { method: "PUT", body: "x", key: ADMIN });
  assert.equal((await send(after, "/private/team/a", { key: session })).status, 403);
  assert.equal(after.logs.at(-1)!.deniedBy, "no statement allows");
});
