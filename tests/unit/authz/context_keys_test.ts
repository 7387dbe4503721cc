import assert from "node:assert/strict";
import { ALICE, SESSION } from "./_identities.ts";
import { claimValues, contextKeys, type RequestFacts } from "../../../src/authz/context_keys.ts";
import { canonicalKey, UNRESOLVED } from "../../../src/iam/keys.ts";

const NOW = Date.UTC(2026, 2, 1, 12, 0, 0);

function facts(over: Partial<RequestFacts> = {}): RequestFacts {
  return {
    identity: ALICE,
    sourceIp: "10.1.2.3",
    secureTransport: true,
    now: NOW,
    headers: new Headers({
      "user-agent": "aws-cli/2",
      referer: "https://app.example/",
      "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
    }),
    query: new URLSearchParams({ prefix: "home/", delimiter: "/", "max-keys": "100" }),
    signing: {
      signatureVersion: "AWS4-HMAC-SHA256",
      authType: "REST-QUERY-STRING",
      signatureAgeMs: 1500,
    },
    ...over,
  };
}

const value = (f: RequestFacts, key: string) => contextKeys(f).get(canonicalKey(key));

Deno.test("contextKeys() answers every key of the issue from the request's facts", () => {
  const f = facts();
  const expected: Record<string, string> = {
    "aws:SourceIp": "10.1.2.3",
    "aws:SecureTransport": "true",
    "aws:CurrentTime": "2026-03-01T12:00:00Z",
    "aws:EpochTime": String(NOW / 1000),
    "aws:UserAgent": "aws-cli/2",
    "aws:Referer": "https://app.example/",
    "aws:username": "alice",
    "aws:userid": "AKIDALICE",
    "aws:PrincipalType": "User",
    "s3:prefix": "home/",
    "s3:delimiter": "/",
    "s3:max-keys": "100",
    "s3:signatureversion": "AWS4-HMAC-SHA256",
    "s3:authType": "REST-QUERY-STRING",
    "s3:signatureAge": "1500",
    "s3:x-amz-content-sha256": "UNSIGNED-PAYLOAD",
  };
  for (const [key, v] of Object.entries(expected)) assert.deepEqual(value(f, key), [v], key);
  assert.equal(value(f, "aws:TokenIssueTime"), undefined, "a long-lived key has no token");
  assert.equal(value(f, "jwt:sub"), undefined, "nor claims");
});

Deno.test("contextKeys() of a session: no aws:username, role:session as userid, its issue time and claims", () => {
  const f = facts({
    identity: SESSION,
    session: {
      sessionName: "build",
      issuedAt: NOW - 60_000,
      claims: { sub: "u1", aud: ["a", "b"], n: 7, o: { x: 1 } },
    },
  });
  assert.equal(value(f, "aws:username"), undefined);
  assert.deepEqual(value(f, "aws:userid"), ["ci:build"]);
  assert.deepEqual(value(f, "aws:PrincipalType"), ["AssumedRole"]);
  assert.deepEqual(value(f, "aws:TokenIssueTime"), ["2026-03-01T11:59:00Z"]);
  assert.deepEqual(value(f, "jwt:sub"), ["u1"]);
  assert.deepEqual(value(f, "jwt:aud"), ["a", "b"]);
  assert.deepEqual(value(f, "jwt:n"), ["7"]);
  assert.equal(value(f, "jwt:o"), UNRESOLVED, "an object claim cannot be a value");
  assert.equal(value(f, "jwt:missing"), undefined);
  const old = facts({ identity: SESSION, session: { sessionName: "build" } });
  assert.deepEqual(
    value(old, "aws:TokenIssueTime"),
    ["1970-01-01T00:00:00Z"],
    "older tokens: the epoch",
  );
  assert.equal(value(old, "jwt:sub"), UNRESOLVED, "no sealed claims: fail closed");
});

Deno.test("contextKeys() leaves out what the request does not have", () => {
  const f = facts({
    identity: { kind: "anonymous" },
    headers: new Headers(),
    query: new URLSearchParams(),
  });
  const { signing: _, sourceIp: __, ...rest } = f;
  const bare = { ...rest, identity: { kind: "anonymous" } as const };
  for (
    const key of [
      "aws:SourceIp",
      "aws:UserAgent",
      "aws:Referer",
      "aws:userid",
      "s3:prefix",
      "s3:authType",
      "s3:x-amz-content-sha256",
    ]
  ) {
    assert.equal(value(bare, key), undefined, key);
  }
  assert.deepEqual(value(bare, "aws:PrincipalType"), ["Anonymous"]);
  assert.deepEqual(value({ ...bare, secureTransport: false }, "aws:SecureTransport"), ["false"]);
});

Deno.test("claimValues() reads strings, numbers, booleans and lists of them; anything else is UNRESOLVED", () => {
  assert.deepEqual(claimValues("x"), ["x"]);
  assert.deepEqual(claimValues(true), ["true"]);
  assert.deepEqual(claimValues(["a", 1]), ["a", "1"]);
  assert.equal(claimValues(null), undefined);
  assert.equal(claimValues([{}]), UNRESOLVED);
  assert.equal(claimValues({}), UNRESOLVED);
});
