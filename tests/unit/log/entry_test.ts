import assert from "node:assert/strict";
import { accessLogEntry, type AnsweredRequest, describe, isoTime } from "../../../src/log/entry.ts";
import { proxyError } from "../../../src/errors.ts";
import { err, ok } from "../../../src/result.ts";
import type { S3Request } from "../../../src/s3/request.ts";

const answered = (over: Partial<AnsweredRequest> = {}): AnsweredRequest => ({
  requestId: "RID",
  started: Date.UTC(2024, 0, 2, 3, 4, 5),
  totalMs: 7,
  outcome: { result: ok(new Response("abc")) },
  response: new Response("abc", { headers: { "content-length": "3" } }),
  client: ok({ host: "h", scheme: "http", address: "10.0.0.9", proxy: "10.0.0.1" }),
  ...over,
});
const route = (op: S3Request["op"], bucket: string, key: string): S3Request => ({
  op,
  bucket,
  key,
  query: new URLSearchParams(),
  headers: new Headers(),
  method: "GET",
  virtualHosted: false,
});
const req = (method = "GET", headers: HeadersInit = {}) =>
  new Request("http://h/b/k", { method, headers });

Deno.test("accessLogEntry() records an S3 operation: route, caller, times and sizes", () => {
  const entry = accessLogEntry(
    req("GET", { "user-agent": "aws-cli/2" }),
    answered({
      outcome: {
        result: ok(new Response("abc")),
        route: route("GetObject", "b", "k"),
        identity: { kind: "access_key", accessKeyId: "AKIDALICE", principal: "alice", scopes: [] },
        authMs: 1,
        backendMs: 4,
        bytesIn: 0,
      },
    }),
  );
  assert.deepEqual(entry, {
    time: "2024-01-02T03:04:05.000Z",
    requestId: "RID",
    remote: "10.0.0.9",
    proxy: "10.0.0.1",
    method: "GET",
    operation: "GetObject",
    bucket: "b",
    key: "k",
    principal: "alice",
    authMode: "access_key",
    status: 200,
    totalMs: 7,
    authMs: 1,
    backendMs: 4,
    bytesIn: 0,
    bytesOut: 3,
    userAgent: "aws-cli/2",
  });
});

Deno.test("accessLogEntry() names no principal for an anonymous caller", () => {
  const entry = accessLogEntry(
    req(),
    answered({ outcome: { result: ok(new Response()), identity: { kind: "anonymous" } } }),
  );
  assert.equal(entry.principal, undefined);
  assert.equal(entry.authMode, "anonymous");
});

Deno.test("accessLogEntry() records a minted STS call as web_identity with its subject", () => {
  const entry = accessLogEntry(
    req("POST"),
    answered({
      outcome: {
        result: ok(new Response()),
        sts: { action: "AssumeRoleWithWebIdentity", principal: "role/s", subject: "sub-1" },
      },
    }),
  );
  assert.equal(entry.operation, "AssumeRoleWithWebIdentity");
  assert.equal(entry.principal, "role/s");
  assert.equal(entry.authMode, "web_identity");
  assert.equal(entry.subject, "sub-1");
});

Deno.test("accessLogEntry() records the role and the minted key id of an STS call", () => {
  const entry = accessLogEntry(
    req("POST"),
    answered({
      outcome: {
        result: ok(new Response()),
        sts: {
          action: "AssumeRoleWithWebIdentity",
          principal: "ci/s",
          subject: "sub-1",
          role: "ci",
          accessKeyId: "ASIAMINTED",
        },
      },
    }),
  );
  assert.equal(entry.role, "ci");
  assert.equal(entry.accessKeyId, "ASIAMINTED");
});

Deno.test("accessLogEntry() records a session's subject, role and temporary key id on S3 lines", () => {
  const session = {
    kind: "session" as const,
    accessKeyId: "ASIASESSION",
    principal: "ci/alice",
    roleId: "ci",
    scopes: [],
    expiresAt: 0,
    subject: "user-42",
    sessionName: "alice",
  };
  const entry = accessLogEntry(
    req(),
    answered({ outcome: { result: ok(new Response()), identity: session } }),
  );
  assert.equal(entry.principal, "ci/alice", "the caller-picked name stays in principal");
  assert.equal(entry.subject, "user-42");
  assert.equal(entry.role, "ci");
  assert.equal(entry.accessKeyId, "ASIASESSION");
  const keyed = accessLogEntry(
    req(),
    answered({
      outcome: {
        result: ok(new Response()),
        identity: { kind: "access_key", accessKeyId: "AKIA1", principal: "p", scopes: [] },
      },
    }),
  );
  assert.equal(keyed.subject ?? keyed.role ?? keyed.accessKeyId, undefined);
});

Deno.test("accessLogEntry() names preflights and the issuer's documents", () => {
  const preflight = accessLogEntry(
    req("OPTIONS"),
    answered({ outcome: { result: ok(new Response()), preflight: true, bucketName: "b" } }),
  );
  assert.equal(preflight.operation, "CorsPreflight");
  assert.equal(preflight.bucket, "b");
  const doc = accessLogEntry(
    req(),
    answered({ outcome: { result: ok(new Response()), wellKnown: true } }),
  );
  assert.equal(doc.operation, "OidcDiscovery");
});

Deno.test("accessLogEntry() keeps a 5xx's detail for the log, and no detail for a 4xx", () => {
  const boom = err(proxyError("Internal", "unexpected exception", new TypeError("x is undefined")));
  const e500 = accessLogEntry(
    req(),
    answered({ outcome: { result: boom }, response: new Response(null, { status: 500 }) }),
  );
  assert.equal(e500.errorCode, "Internal");
  assert.equal(e500.detail, "Internal: unexpected exception: TypeError: x is undefined");
  const e404 = accessLogEntry(
    req(),
    answered({
      outcome: { result: err(proxyError("NoSuchKey", "gone", "why")) },
      response: new Response(null, { status: 404 }),
    }),
  );
  assert.equal(e404.errorCode, "NoSuchKey");
  assert.equal(e404.detail, undefined);
});

Deno.test("accessLogEntry() logs HEAD as 0 bytes out and an unknown length as none", () => {
  assert.equal(accessLogEntry(req("HEAD"), answered()).bytesOut, 0);
  const chunked = accessLogEntry(req(), answered({ response: new Response("abc") }));
  assert.equal(chunked.bytesOut, undefined);
});

Deno.test("accessLogEntry() takes the peer's address when the forwarded headers were refused", () => {
  const refused = err(proxyError("InvalidRequest", "bad forwarded host"));
  const entry = accessLogEntry(
    req(),
    answered({ client: refused, peer: { hostname: "192.0.2.7" } }),
  );
  assert.equal(entry.remote, "192.0.2.7");
  assert.equal(entry.proxy, undefined);
  assert.equal(accessLogEntry(req(), answered({ client: refused })).remote, undefined);
});

Deno.test("describe() names the kind, the message and the cause", () => {
  assert.equal(describe(proxyError("Internal", "m")), "Internal: m");
  assert.equal(describe(proxyError("Internal", "m", 42)), "Internal: m: 42");
  assert.equal(
    describe(proxyError("Internal", "m", new RangeError("r"))),
    "Internal: m: RangeError: r",
  );
});

Deno.test("isoTime() is new Date(ms).toISOString() for any millisecond, in any order", () => {
  const T = Date.UTC(2026, 10, 24, 12, 0, 0);
  const samples = [0, 1, 9, 10, 99, 100, 999, 1000, 1001, T, T + 7, T + 999, T + 1000];
  // The same millisecond again, in turn with another of its second.
  samples.push(T + 7, T + 7, T, T, T + 7, T + 1007, T + 1007, T + 7);
  for (let i = 0; i < 2000; i++) samples.push(Math.floor(Math.random() * 253402300799999));
  for (const ms of samples) assert.equal(isoTime(ms), new Date(ms).toISOString(), String(ms));
  assert.equal(isoTime(T + 0.75), new Date(T).toISOString());
});

Deno.test("accessLogEntry() names an authorization refusal's deciding statement, after the error code", () => {
  const denied = proxyError("AccessDenied", "Access Denied");
  const entry = accessLogEntry(
    req(),
    answered({
      outcome: {
        result: err(denied),
        route: route("GetObject", "b", "secret/k"),
        deniedBy: "explicit deny by no-secrets[0] (NoSecrets)",
      },
      response: new Response("", { status: 403 }),
    }),
  );
  assert.equal(entry.deniedBy, "explicit deny by no-secrets[0] (NoSecrets)");
  const keys = Object.keys(entry);
  assert.equal(keys.indexOf("deniedBy"), keys.indexOf("errorCode") + 1);
  assert.equal(accessLogEntry(req(), answered()).deniedBy, undefined);
});
