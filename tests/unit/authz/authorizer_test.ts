import assert from "node:assert/strict";
import type { Identity } from "../../../src/auth/identity.ts";
import { ALICE, SESSION } from "./_identities.ts";
import { createAuthorizer, type RequestScene, signingOf } from "../../../src/authz/authorizer.ts";
import type { BucketConfig, Config } from "../../../src/config/types.ts";
import { type CompiledPolicy, compilePolicy } from "../../../src/iam/document.ts";

const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);

function policy(kind: CompiledPolicy["kind"], statements: Record<string, unknown>[]) {
  const r = compilePolicy({ Version: "2012-10-17", Statement: statements }, { name: "p", kind });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

const BUCKET: BucketConfig = {
  name: "data",
  backend: { type: "memory" },
  anonymousAccess: false,
  backendPrefix: "",
  allowedRoles: [],
};

function scene(
  policies: { alice?: CompiledPolicy[]; ci?: CompiledPolicy[] },
  o: Partial<RequestScene> = {},
): RequestScene {
  return {
    config: {
      credentials: [{ accessKeyId: "AKIDALICE", policies: policies.alice }],
      roles: [{ roleId: "ci", policies: policies.ci }],
    } as unknown as Pick<Config, "credentials" | "roles">,
    secureTransport: false,
    now: NOW,
    headers: new Headers(),
    query: new URLSearchParams(),
    ...o,
  };
}

const get = (identity: Identity, key = "k") => ({
  identity,
  bucket: BUCKET,
  operation: "GetObject" as const,
  key,
});

Deno.test("signingOf() reads how a request was signed, and how long ago", () => {
  const q = new URLSearchParams();
  const v4 = new Headers({
    authorization: "AWS4-HMAC-SHA256 Credential=x",
    "x-amz-date": "20260601T115950Z",
  });
  assert.deepEqual(signingOf(v4, q, NOW), {
    signatureVersion: "AWS4-HMAC-SHA256",
    authType: "REST-HEADER",
    signatureAgeMs: 10_000,
  });
  const v2 = new Headers({ authorization: "AWS AKID:sig", date: "Mon, 01 Jun 2026 12:00:00 GMT" });
  assert.deepEqual(signingOf(v2, q, NOW), {
    signatureVersion: "AWS",
    authType: "REST-HEADER",
    signatureAgeMs: 0,
  });
  const presigned = new URLSearchParams({
    "X-Amz-Algorithm": "x",
    "X-Amz-Date": "20260601T110000Z",
  });
  assert.deepEqual(signingOf(new Headers(), presigned, NOW), {
    signatureVersion: "AWS4-HMAC-SHA256",
    authType: "REST-QUERY-STRING",
    signatureAgeMs: 3_600_000,
  });
  const v2query = new URLSearchParams({ AWSAccessKeyId: "a", Signature: "s" });
  assert.deepEqual(signingOf(new Headers(), v2query, NOW), {
    signatureVersion: "AWS",
    authType: "REST-QUERY-STRING",
  });
  assert.equal(signingOf(new Headers(), q, NOW), undefined);
  const garbled = new Headers({ authorization: "AWS4-HMAC-SHA256 x", "x-amz-date": "soon" });
  assert.equal(signingOf(garbled, q, NOW)?.signatureAgeMs, undefined);
});

Deno.test("createAuthorizer() decides with the current config's policies:, and keeps the last refusal", () => {
  const reads = policy("identity", [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }]);
  const authorize = createAuthorizer(scene({ alice: [reads] }));
  assert.equal(authorize(get(ALICE)), undefined);
  assert.equal(authorize.denial(), undefined);
  const refused = authorize({ ...get(ALICE), operation: "PutObject" });
  assert.equal(refused?.kind, "AccessDenied");
  assert.equal(authorize.denial()?.reason, "implicit-deny");
  assert.equal(createAuthorizer(scene({}))(get(ALICE))?.kind, "AccessDenied", "no policies");
  assert.equal(
    createAuthorizer(scene({}))(get({ kind: "anonymous" }))?.kind,
    "MissingAuth",
    "an anonymous caller is told credentials are needed",
  );
});

Deno.test("createAuthorizer() gives conditions the request's facts: address, transport, signature, listing", () => {
  const p = policy("identity", [
    {
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:ListBucket"],
      Resource: ["arn:aws:s3:::data", "arn:aws:s3:::data/*"],
      Condition: {
        IpAddress: { "aws:SourceIp": "2001:db8::/32" },
        Bool: { "aws:SecureTransport": "true" },
        StringEquals: { "s3:signatureversion": "AWS4-HMAC-SHA256" },
      },
    },
    {
      Effect: "Deny",
      Action: "s3:ListBucket",
      Resource: "arn:aws:s3:::data",
      Condition: { StringNotLike: { "s3:prefix": "mine/*" } },
    },
  ]);
  const facts = {
    sourceIp: "2001:db8::7",
    secureTransport: true,
    headers: new Headers({ authorization: "AWS4-HMAC-SHA256 x" }),
  };
  const ok = createAuthorizer(scene({ alice: [p] }, facts));
  assert.equal(ok(get(ALICE)), undefined);
  assert.equal(
    createAuthorizer(scene({ alice: [p] }, { ...facts, sourceIp: "10.0.0.1" }))(get(ALICE))?.kind,
    "AccessDenied",
  );
  assert.equal(
    createAuthorizer(scene({ alice: [p] }, { ...facts, secureTransport: false }))(get(ALICE))?.kind,
    "AccessDenied",
  );
  const list = (prefix: string) =>
    createAuthorizer(scene({ alice: [p] }, { ...facts, query: new URLSearchParams({ prefix }) }))({
      identity: ALICE,
      bucket: BUCKET,
      operation: "ListObjectsV2",
    });
  assert.equal(list("mine/a"), undefined);
  assert.equal(list("theirs/")?.kind, "AccessDenied");
  // A GET's query is no listing: its prefix parameter is no s3:prefix.
  const withPrefix = createAuthorizer(scene({ alice: [p] }, {
    ...facts,
    query: new URLSearchParams({ prefix: "theirs/" }),
  }));
  assert.equal(withPrefix(get(ALICE)), undefined);
  // A POST form brings its own signature.
  const form = { signatureVersion: "AWS", authType: "POST" };
  assert.equal(ok({ ...get(ALICE), signing: form })?.kind, "AccessDenied");
  assert.equal(ok(get(ALICE)), undefined, "the form's signature is not remembered");
});

Deno.test("createAuthorizer() limits a session by its sealed policy and gives conditions its claims and name", () => {
  const rolePolicy = policy("identity", [{
    Effect: "Allow",
    Action: ["s3:GetObject", "s3:PutObject"],
    Resource: "arn:aws:s3:::data/${jwt:team}/*",
    Condition: { StringEquals: { "aws:userid": "ci:build" } },
  }]);
  const sealed = policy("session", [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }]);
  const session: Identity = { ...SESSION, claims: { team: "red" }, sessionPolicy: sealed };
  const authorize = createAuthorizer(scene({ ci: [rolePolicy] }));
  assert.equal(authorize(get(session, "red/x")), undefined);
  assert.equal(authorize(get(session, "blue/x"))?.kind, "AccessDenied");
  assert.equal(
    authorize({ ...get(session, "red/x"), operation: "PutObject" })?.kind,
    "AccessDenied",
    "the session policy allows no writes",
  );
  const unsealed: Identity = { ...SESSION, sessionPolicy: sealed };
  assert.equal(authorize(get(unsealed, "red/x"))?.kind, "AccessDenied", "no claims: fail closed");
});

Deno.test("createAuthorizer().sees() is ListBuckets' visibility with the caller's policies", () => {
  const reads = policy("identity", [{
    Effect: "Allow",
    Action: "s3:GetObject",
    Resource: "arn:aws:s3:::data/*",
  }]);
  const authorize = createAuthorizer(scene({ alice: [reads] }));
  assert.equal(authorize.sees(ALICE, BUCKET), true);
  assert.equal(authorize.sees(ALICE, { ...BUCKET, name: "logs" }), false);
  assert.equal(authorize.sees({ kind: "anonymous" }, BUCKET), false);
});
