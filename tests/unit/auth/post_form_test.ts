import assert from "node:assert/strict";
import { createSessionResolver, sealSession } from "../../../src/auth/session_token.ts";
import { type PostFormKeys, verifyPostForm } from "../../../src/auth/post_form.ts";
import { fixedClock } from "../../../src/clock.ts";
import { ACTIONS, type CredentialConfig } from "../../../src/config/types.ts";
import { createSigningKeyCache } from "../../../src/sigv4/signing_key.ts";
import { presignedPost, type PresignedPostOptions } from "../../_support/post_form.ts";

const NOW = Date.UTC(2026, 0, 15, 12);
const KEY = { id: "AKIDPOSTFORM0000001", secret: "post-form-secret" };
const SESSION_KEYS = { current: new Uint8Array(32).fill(7) };

const credential: CredentialConfig = {
  accessKeyId: KEY.id,
  secretAccessKey: KEY.secret,
  principalName: "poster",
  enabled: true,
  allowedScopes: [{ bucket: "*", prefixes: [], actions: [...ACTIONS] }],
};

function keys(): PostFormKeys {
  const clock = fixedClock(NOW);
  return {
    credentials: new Map([[KEY.id, credential]]),
    clock,
    signingKeys: createSigningKeyCache(),
    sessions: createSessionResolver(SESSION_KEYS, clock),
  };
}

function form(o: Partial<PresignedPostOptions> = {}, edit?: (m: Map<string, string>) => void) {
  const fields = new Map(
    presignedPost({ bucket: "b", key: "k", signer: KEY, expiresAt: NOW + 3600_000, ...o })
      .map(([n, v]) => [n.toLowerCase(), v]),
  );
  edit?.(fields);
  return fields;
}

Deno.test("verifyPostForm() proves the signer of a SigV4 form and a SigV2 form", () => {
  const v4 = verifyPostForm(form(), keys());
  assert.ok(v4.ok, v4.ok ? "" : v4.error.message);
  assert.equal(v4.value.version, 4);
  assert.equal(v4.value.identity.kind, "access_key");
  const v2 = verifyPostForm(form({ version: 2 }), keys());
  assert.ok(v2.ok, v2.ok ? "" : v2.error.message);
  assert.equal(v2.value.version, 2);
  assert.equal(v2.value.policy, form({ version: 2 }).get("policy"));
});

Deno.test("verifyPostForm() accepts session credentials with x-amz-security-token", () => {
  const token = sealSession({
    accessKeyId: "ASIAPOSTFORM0000001",
    secretAccessKey: "temporary",
    roleId: "r",
    subject: "s",
    sessionName: "n",
    issuer: "i",
    scopes: [],
    expiresAt: NOW + 60_000,
    issuedAt: NOW,
  }, SESSION_KEYS);
  const signer = { id: "ASIAPOSTFORM0000001", secret: "temporary", token };
  for (const version of [2, 4] as const) {
    const v = verifyPostForm(form({ signer, version }), keys());
    assert.ok(v.ok, v.ok ? "" : v.error.message);
    assert.equal(v.value.identity.kind, "session");
  }
  const other = verifyPostForm(form({ signer: { ...signer, id: KEY.id } }), keys());
  assert.ok(!other.ok);
  assert.equal(other.error.kind, "AccessDenied", "a token names the key it was issued to");
});

function kind(fields: Map<string, string>): string {
  const v = verifyPostForm(fields, keys());
  assert.ok(!v.ok);
  return v.error.kind;
}

Deno.test("verifyPostForm() refuses forged, incomplete and anonymous forms", () => {
  assert.equal(
    kind(form({}, (m) => m.set("x-amz-signature", "0".repeat(64)))),
    "SignatureDoesNotMatch",
  );
  assert.equal(
    kind(form({}, (m) => m.set("policy", btoa('{"conditions":[]}')))),
    "SignatureDoesNotMatch",
  );
  assert.equal(
    kind(form({ version: 2 }, (m) => m.set("signature", "AAAA"))),
    "SignatureDoesNotMatch",
  );
  assert.equal(kind(form({ signer: { id: "AKIDNOBODY", secret: "x" } })), "InvalidAccessKeyId");
  for (
    const name of ["policy", "x-amz-credential", "x-amz-date", "x-amz-signature", "x-amz-algorithm"]
  ) {
    assert.equal(kind(form({}, (m) => m.delete(name))), "InvalidArgument", name);
  }
  assert.equal(kind(form({ version: 2 }, (m) => m.delete("signature"))), "InvalidArgument");
  assert.equal(kind(form({ version: 2 }, (m) => m.delete("awsaccesskeyid"))), "InvalidArgument");
  assert.equal(
    kind(form({}, (m) => m.set("x-amz-algorithm", "AWS4-HMAC-SHA1"))),
    "InvalidArgument",
  );
  assert.equal(kind(form({}, (m) => m.set("x-amz-date", "20200101T000000Z"))), "InvalidArgument");
  assert.equal(
    kind(form({}, (m) => m.set("x-amz-credential", "AKID/2026/us/s3"))),
    "InvalidArgument",
  );
  assert.equal(kind(new Map([["key", "k"], ["policy", "e30="]])), "AccessDenied");
});

Deno.test("verifyPostForm() refuses a credential scoped to another region than the configured one", () => {
  const elsewhere = (m: Map<string, string>) =>
    m.set("x-amz-credential", m.get("x-amz-credential")!.replace("/us-east-1/", "/eu-west-1/"));
  const wrong = verifyPostForm(form({}, elsewhere), { ...keys(), region: "us-east-1" });
  assert.ok(!wrong.ok);
  assert.equal(wrong.error.kind, "AuthorizationHeaderMalformed");
  assert.match(wrong.error.message, /the region 'eu-west-1' is wrong; expecting 'us-east-1'$/);
  assert.ok(verifyPostForm(form(), { ...keys(), region: "us-east-1" }).ok);
});
