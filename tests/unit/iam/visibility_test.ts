import assert from "node:assert/strict";
import { anonymousWrites, mayAccessBucket, mayMatchUnder } from "../../../src/iam/visibility.ts";
import { parsePattern } from "../../../src/iam/wildcard.ts";
import { doc, policyOf } from "./_policies.ts";

const tokens = (text: string) => {
  const r = parsePattern(text, { wildcards: true, variables: true });
  if ("problem" in r) throw new Error(r.problem);
  return r.pattern.tokens;
};

Deno.test("mayMatchUnder() tells whether some extension of a text matches", () => {
  assert.ok(mayMatchUnder(tokens("data/public/*"), "data/"));
  assert.ok(!mayMatchUnder(tokens("data/public/*"), "logs/"));
  assert.ok(mayMatchUnder(tokens("*"), "anything/"));
  assert.ok(mayMatchUnder(tokens("d?ta/*"), "data/"));
  assert.ok(!mayMatchUnder(tokens("data2/*"), "data/"));
  assert.ok(mayMatchUnder(tokens("home-${jwt:sub}/*"), "home-x/"));
});

Deno.test("mayAccessBucket() shows buckets some Allow naming the caller may reach", () => {
  const alice = { kind: "user", accessKeyId: "AKIDALICE" } as const;
  const p = policyOf(
    doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::data/public/*" }),
  );
  assert.ok(mayAccessBucket([p], alice, "data"));
  assert.ok(!mayAccessBucket([p], alice, "logs"));
  const bucketOnly = policyOf(
    doc({ Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::logs" }),
  );
  assert.ok(mayAccessBucket([bucketOnly], alice, "logs"));
  const deny = policyOf(doc({ Effect: "Deny", Action: "s3:*", Resource: "*" }));
  assert.ok(!mayAccessBucket([deny], alice, "data"));
  const bucket = policyOf(
    doc({
      Effect: "Allow",
      Principal: { AWS: "AKIDBOB" },
      Action: "s3:GetObject",
      Resource: "arn:aws:s3:::data/*",
    }),
    "bucket",
  );
  assert.ok(!mayAccessBucket([bucket], alice, "data"));
  assert.ok(mayAccessBucket([undefined, bucket], { kind: "user", accessKeyId: "AKIDBOB" }, "data"));
  const not = policyOf(
    doc({ Effect: "Allow", Action: "s3:GetObject", NotResource: "arn:aws:s3:::data/*" }),
  );
  assert.ok(mayAccessBucket([not], alice, "logs"));
});

Deno.test("anonymousWrites() finds the Allows that let everyone write, for --check-config's warning", () => {
  const p = policyOf(
    doc(
      { Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::data/*" },
      {
        Sid: "Drop",
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: "s3:PutObject",
        Resource: "arn:aws:s3:::data/in/*",
      },
      {
        Effect: "Allow",
        Principal: { AWS: "AKIDALICE" },
        Action: "s3:*",
        Resource: "arn:aws:s3:::data/*",
      },
      { Effect: "Deny", Principal: "*", Action: "s3:DeleteObject", Resource: "*" },
      {
        Effect: "Allow",
        NotPrincipal: { AWS: "AKIDALICE" },
        NotAction: "s3:GetObject",
        Resource: "*",
      },
    ),
    "bucket",
  );
  assert.deepEqual(anonymousWrites(p).map((s) => s.index), [1, 4]);
});
