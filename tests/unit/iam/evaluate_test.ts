/**
 * AWS's documented evaluation logic within one account, as table tests: an
 * explicit Deny wins, an Allow from an identity or a resource-based policy
 * allows, nothing else does; session policies limit the role, and a grant
 * naming the role; and the examples of the IAM and S3 user guides (home
 * folders by ${aws:username}, source IP, TLS only, session revocation).
 */
import assert from "node:assert/strict";
import type { CompiledPolicy } from "../../../src/iam/document.ts";
import {
  type Decision,
  evaluate,
  type PolicyRequest,
  type PolicySet,
} from "../../../src/iam/evaluate.ts";
import { type ContextKeys, UNRESOLVED } from "../../../src/iam/keys.ts";
import type { Caller } from "../../../src/iam/principals.ts";
import { doc, keysOf, policyOf, req } from "./_policies.ts";

const ALICE: Caller = { kind: "user", accessKeyId: "AKIDALICE" };
const CI: Caller = { kind: "session", roleId: "ci" };
const ANON: Caller = { kind: "anonymous" };

const allow = (action: string | string[], resource: string | string[], extra: object = {}) => ({
  Effect: "Allow",
  Action: action,
  Resource: resource,
  ...extra,
});
const deny = (action: string | string[], resource: string | string[], extra: object = {}) => ({
  Effect: "Deny",
  Action: action,
  Resource: resource,
  ...extra,
});

const READ_ALL = policyOf(
  doc(allow("s3:GetObject", "arn:aws:s3:::data/*")),
  "identity",
  "read-all",
);
const WRITE_ALL = policyOf(
  doc(allow("s3:PutObject", "arn:aws:s3:::data/*")),
  "identity",
  "write-all",
);
const bucketPolicy = (...statements: unknown[]) => policyOf(doc(...statements), "bucket");
const sessionPolicy = (...statements: unknown[]) =>
  policyOf(doc(...statements), "session", "session");

const PUT_FOR_CI = bucketPolicy(
  allow("s3:PutObject", "arn:aws:s3:::data/*", { Principal: { AWS: "arn:aws:iam::*:role/ci" } }),
);

interface Row {
  readonly name: string;
  readonly policies: PolicySet;
  readonly request: PolicyRequest;
  readonly allowed: boolean;
  /** The deciding statement as `policy#index`, or undefined for an implicit deny. */
  readonly deciding?: string;
}

const ref = (d: Decision) => d.deciding && `${d.deciding.policy}#${d.deciding.index}`;

const ROWS: readonly Row[] = [
  {
    name: "no policy allows: implicit deny",
    policies: { identity: [] },
    request: req("GetObject", "data/a"),
    allowed: false,
  },
  {
    name: "an identity policy allows",
    policies: { identity: [READ_ALL] },
    request: req("GetObject", "data/a"),
    allowed: true,
    deciding: "read-all#0",
  },
  {
    name: "an identity policy allows another action only: implicit deny",
    policies: { identity: [READ_ALL] },
    request: req("PutObject", "data/a"),
    allowed: false,
  },
  {
    name: "a bucket policy naming the key allows without an identity policy (same account)",
    policies: {
      identity: [],
      bucket: bucketPolicy(
        allow("s3:GetObject", "arn:aws:s3:::data/*", { Principal: { AWS: "AKIDALICE" } }),
      ),
    },
    request: req("GetObject", "data/a"),
    allowed: true,
    deciding: "bucket:data#0",
  },
  {
    name: "an explicit Deny in the bucket policy beats the identity policy's Allow",
    policies: {
      identity: [READ_ALL],
      bucket: bucketPolicy(deny("s3:*", "arn:aws:s3:::data/secret/*", { Principal: "*" })),
    },
    request: req("GetObject", "data/secret/x"),
    allowed: false,
    deciding: "bucket:data#0",
  },
  {
    name: "an explicit Deny in an identity policy beats the bucket policy's Allow",
    policies: {
      identity: [policyOf(doc(deny("s3:GetObject", "*")), "identity", "no-reads")],
      bucket: bucketPolicy(allow("s3:GetObject", "arn:aws:s3:::data/*", { Principal: "*" })),
    },
    request: req("GetObject", "data/a"),
    allowed: false,
    deciding: "no-reads#0",
  },
  {
    name: "Allow s3:* with a Deny on a prefix: denied under it",
    policies: {
      identity: [
        policyOf(
          doc(allow("s3:*", "arn:aws:s3:::data/*"), deny("s3:*", "arn:aws:s3:::data/private/*")),
        ),
      ],
    },
    request: req("PutObject", "data/private/k"),
    allowed: false,
    deciding: "p#1",
  },
  {
    name: "Allow s3:* with a Deny on a prefix: allowed elsewhere",
    policies: {
      identity: [
        policyOf(
          doc(allow("s3:*", "arn:aws:s3:::data/*"), deny("s3:*", "arn:aws:s3:::data/private/*")),
        ),
      ],
    },
    request: req("PutObject", "data/public/k"),
    allowed: true,
    deciding: "p#0",
  },
  {
    name: "Deny with NotAction: everything but GetObject is denied",
    policies: {
      identity: [
        policyOf(
          doc(allow("s3:*", "*"), { Effect: "Deny", NotAction: "s3:GetObject", Resource: "*" }),
        ),
      ],
    },
    request: req("DeleteObject", "data/k"),
    allowed: false,
    deciding: "p#1",
  },
  {
    name: "Allow with NotResource: allowed outside it",
    policies: {
      identity: [
        policyOf(
          doc({
            Effect: "Allow",
            Action: "s3:GetObject",
            NotResource: "arn:aws:s3:::data/secret/*",
          }),
        ),
      ],
    },
    request: req("GetObject", "data/open/k"),
    allowed: true,
    deciding: "p#0",
  },
  {
    name: "anonymous callers: only a bucket policy naming everyone",
    policies: {
      identity: [],
      bucket: bucketPolicy(allow("s3:GetObject", "arn:aws:s3:::data/public/*", { Principal: "*" })),
    },
    request: req("GetObject", "data/public/x", ANON),
    allowed: true,
    deciding: "bucket:data#0",
  },
  {
    name: "anonymous callers: a bucket policy naming a key does not apply",
    policies: {
      identity: [],
      bucket: bucketPolicy(
        allow("s3:GetObject", "arn:aws:s3:::data/*", { Principal: { AWS: "AKIDALICE" } }),
      ),
    },
    request: req("GetObject", "data/x", ANON),
    allowed: false,
  },
  {
    name: "a session policy limits the role: both allow",
    policies: {
      identity: [READ_ALL, WRITE_ALL],
      session: sessionPolicy(allow("s3:GetObject", "arn:aws:s3:::data/*")),
    },
    request: req("GetObject", "data/x", CI),
    allowed: true,
    deciding: "read-all#0",
  },
  {
    name: "a session policy limits the role: the role allows, the session policy does not",
    policies: {
      identity: [READ_ALL, WRITE_ALL],
      session: sessionPolicy(allow("s3:GetObject", "arn:aws:s3:::data/*")),
    },
    request: req("PutObject", "data/x", CI),
    allowed: false,
  },
  {
    name: "a session policy grants nothing the role lacks",
    policies: { identity: [READ_ALL], session: sessionPolicy(allow("s3:*", "*")) },
    request: req("PutObject", "data/x", CI),
    allowed: false,
  },
  {
    name: "a Deny in the session policy wins",
    policies: {
      identity: [READ_ALL],
      session: sessionPolicy(allow("s3:*", "*"), deny("s3:GetObject", "arn:aws:s3:::data/x")),
    },
    request: req("GetObject", "data/x", CI),
    allowed: false,
    deciding: "session#1",
  },
  {
    name: "a bucket grant naming the role, limited by the session policy",
    policies: {
      identity: [],
      session: sessionPolicy(allow("s3:GetObject", "*")),
      bucket: PUT_FOR_CI,
    },
    request: req("PutObject", "data/x", CI),
    allowed: false,
  },
  {
    name: "a bucket grant naming the role, allowed by the session policy too",
    policies: {
      identity: [],
      session: sessionPolicy(allow("s3:*", "*")),
      bucket: PUT_FOR_CI,
    },
    request: req("PutObject", "data/x", CI),
    allowed: true,
    deciding: "bucket:data#0",
  },
  {
    name: "a bucket grant naming the role, to a session without a session policy",
    policies: {
      identity: [],
      bucket: PUT_FOR_CI,
    },
    request: req("PutObject", "data/x", CI),
    allowed: true,
    deciding: "bucket:data#0",
  },
  {
    name: "a bucket grant to everyone is not limited by a session policy",
    policies: {
      identity: [],
      session: sessionPolicy(allow("s3:ListBucket", "*")),
      bucket: bucketPolicy(allow("s3:GetObject", "arn:aws:s3:::data/*", { Principal: "*" })),
    },
    request: req("GetObject", "data/x", CI),
    allowed: true,
    deciding: "bucket:data#0",
  },
];

Deno.test("evaluate(): AWS's evaluation logic, row by row", () => {
  for (const row of ROWS) {
    const d = evaluate(row.policies, row.request);
    assert.equal(d.allowed, row.allowed, row.name);
    assert.equal(ref(d), row.deciding, row.name);
    assert.equal(
      d.reason,
      row.allowed ? "allowed" : row.deciding ? "explicit-deny" : "implicit-deny",
      row.name,
    );
  }
});

Deno.test("evaluate(): the home-folder example: ListBucket on one's prefix, objects under it", () => {
  const home = policyOf(doc(
    allow("s3:ListBucket", "arn:aws:s3:::data", {
      Condition: { StringLike: { "s3:prefix": ["", "home/", "home/${aws:username}/*"] } },
    }),
    allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::data/home/${aws:username}/*"),
  ));
  const alice = (op: "ListObjectsV2" | "GetObject", path: string, prefix?: string) =>
    evaluate(
      { identity: [home] },
      req(
        op,
        path,
        ALICE,
        keysOf({
          "aws:username": "alice",
          ...(prefix === undefined ? {} : { "s3:prefix": prefix }),
        }),
      ),
    ).allowed;
  assert.equal(alice("ListObjectsV2", "data", "home/alice/"), true);
  assert.equal(alice("ListObjectsV2", "data", "home/bob/"), false);
  assert.equal(alice("ListObjectsV2", "data"), false, "no prefix: s3:prefix is absent");
  assert.equal(alice("GetObject", "data/home/alice/a.txt"), true);
  assert.equal(alice("GetObject", "data/home/bob/a.txt"), false);
  // A session has no aws:username: the Allow cannot resolve, so it does not apply.
  assert.equal(
    evaluate({ identity: [home] }, req("GetObject", "data/home/alice/a", CI)).allowed,
    false,
  );
});

Deno.test("evaluate(): Deny from outside a network (NotIpAddress) and without TLS (Bool)", () => {
  const p = policyOf(doc(
    allow("s3:*", "*"),
    deny("s3:*", "*", {
      Condition: { NotIpAddress: { "aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"] } },
    }),
    deny("s3:*", "*", { Condition: { Bool: { "aws:SecureTransport": "false" } } }),
  ));
  const at = (ip: string, tls: string) =>
    evaluate(
      { identity: [p] },
      req("GetObject", "data/k", ALICE, keysOf({ "aws:SourceIp": ip, "aws:SecureTransport": tls })),
    );
  assert.equal(at("10.2.3.4", "true").allowed, true);
  assert.equal(at("2001:db8::1", "true").allowed, true);
  assert.equal(ref(at("192.0.2.1", "true")), "p#1");
  assert.equal(ref(at("10.2.3.4", "false")), "p#2");
  assert.deepEqual(at("192.0.2.1", "false").matched.map((s) => s.index), [0, 1, 2]);
});

Deno.test("evaluate(): AWS's session revocation recipe (DateLessThan aws:TokenIssueTime)", () => {
  const role = policyOf(doc(
    allow("s3:GetObject", "*"),
    deny("s3:*", "*", {
      Condition: { DateLessThan: { "aws:TokenIssueTime": "2026-03-01T12:00:00Z" } },
    }),
  ));
  const issued = (t: string) =>
    evaluate(
      { identity: [role] },
      req("GetObject", "data/k", CI, keysOf({ "aws:TokenIssueTime": t })),
    ).allowed;
  assert.equal(issued("2026-03-01T11:59:59Z"), false);
  assert.equal(
    issued("1970-01-01T00:00:00Z"),
    false,
    "tokens minted before the key existed count as issued at the epoch",
  );
  assert.equal(issued("2026-03-01T12:00:01Z"), true);
});

Deno.test("evaluate(): fail closed: an unresolvable key or variable lets a Deny apply and no Allow", () => {
  const allowTeam = policyOf(doc(allow("s3:GetObject", "arn:aws:s3:::data/${jwt:team}/*")));
  const denyTeam = policyOf(doc(
    allow("s3:GetObject", "*"),
    deny("s3:GetObject", "arn:aws:s3:::data/${jwt:team}/*"),
  ));
  const withTeam = (team: string | typeof UNRESOLVED | undefined): ContextKeys =>
    new Map<string, readonly string[] | typeof UNRESOLVED>(
      team === undefined ? [] : [["jwt:team", team === UNRESOLVED ? UNRESOLVED : [team]]],
    );
  const run = (
    p: CompiledPolicy,
    team: string | typeof UNRESOLVED | undefined,
    path = "data/red/k",
  ) => evaluate({ identity: [p] }, req("GetObject", path, CI, withTeam(team))).allowed;
  assert.equal(run(allowTeam, "red"), true);
  for (const bad of [undefined, UNRESOLVED, "*", "..", "r?d"] as const) {
    assert.equal(run(allowTeam, bad), false, `Allow with ${String(bad)}`);
    assert.equal(run(denyTeam, bad, "data/blue/k"), false, `Deny with ${String(bad)}`);
  }
  assert.equal(
    run(denyTeam, "red", "data/blue/k"),
    true,
    "a resolved Deny elsewhere does not apply",
  );
  const denyClaim = policyOf(
    doc(
      allow("s3:*", "*"),
      deny("s3:*", "*", { Condition: { StringEquals: { "jwt:tier": "free" } } }),
    ),
  );
  const keys: ContextKeys = new Map([["jwt:tier", UNRESOLVED]]);
  assert.equal(
    evaluate({ identity: [denyClaim] }, req("GetObject", "data/k", CI, keys)).reason,
    "explicit-deny",
  );
});
