import assert from "node:assert/strict";
import { compilePolicy } from "../../../src/iam/document.ts";
import { doc, policyOf } from "./_policies.ts";

function problemsOf(raw: unknown, kind: "identity" | "bucket" | "session" = "identity") {
  const r = compilePolicy(raw, {
    name: "p",
    kind,
    bucketNames: new Set(["data"]),
    roleIds: new Set(["ci"]),
  });
  assert.ok(!r.ok, "expected problems");
  return r.error;
}

Deno.test("compilePolicy() reads a single Statement object and lone strings as lists", () => {
  const p = policyOf({
    Version: "2012-10-17",
    Statement: {
      Sid: "Read",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: "arn:aws:s3:::data/*",
    },
  });
  assert.equal(p.statements.length, 1);
  const s = p.statements[0]!;
  assert.deepEqual([s.policy, s.index, s.sid, s.effect], ["p", 0, "Read", "Allow"]);
  assert.deepEqual([...s.operations].sort(), ["GetObject", "HeadObject"]);
});

Deno.test("compilePolicy() names principals in bucket policies only", () => {
  const stmt = {
    Effect: "Allow",
    Principal: "*",
    Action: "s3:GetObject",
    Resource: "arn:aws:s3:::data/*",
  };
  assert.ok(policyOf(doc(stmt), "bucket").statements[0]!.principals?.everyone);
  assert.deepEqual(problemsOf(doc(stmt)).map((p) => p.path), ["Statement[0].Principal"]);
  const none = { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::data/*" };
  assert.match(problemsOf(doc(none), "bucket")[0]!.message, /required: Principal or NotPrincipal/);
});

Deno.test("compilePolicy() reports every problem with its path", () => {
  const problems = problemsOf({
    Version: "2012-10-18",
    Extra: 1,
    Statement: [
      { Sid: "A", Effect: "Permit", Action: "s3:GetObjekt", Resource: "arn:aws:s3:::data/*" },
      {
        Sid: "A",
        Effect: "Deny",
        Action: ["s3:GetObject", 7],
        NotAction: "s3:PutObject",
        Resource: "arn:aws:s3::data",
      },
      {
        Effect: "Allow",
        Action: "s3:GetObject",
        Resource: ["arn:aws:s3:::nope/*", "arn:aws:s3:::data/${aws:nope}"],
      },
      { Effect: "Allow", Action: "s3:GetObject" },
      {
        Effect: "Allow",
        Action: "s3:GetObject",
        Resource: "*",
        Condition: { StringEqualz: { "jwt:x": "a" } },
        Bogus: 1,
      },
      "not a statement",
    ],
  });
  assert.deepEqual(problems.map((p) => p.path), [
    "Extra",
    "Version",
    "Statement[0].Effect",
    "Statement[0].Action",
    "Statement[1].NotAction",
    "Statement[1].Resource",
    "Statement[1].Sid",
    "Statement[2].Resource[0]",
    "Statement[2].Resource[1]",
    "Statement[2]", // a variable, and the Version is not 2012-10-17
    "Statement[3]",
    "Statement[4].Bogus",
    "Statement[4].Condition.StringEqualz",
    "Statement[5]",
  ]);
  const message = (path: string) => problems.find((p) => p.path === path)!.message;
  assert.match(message("Statement[0].Action"), /unknown action 's3:GetObjekt'/);
  assert.match(message("Statement[1].Resource"), /malformed S3 resource ARN/);
  assert.match(message("Statement[1].Sid"), /duplicate Sid 'A'/);
  assert.match(message("Statement[2].Resource[0]"), /'nope', which is not a configured bucket/);
  assert.match(message("Statement[2].Resource[1]"), /unknown condition key 'aws:nope'/);
  assert.match(message("Statement[3]"), /required: Resource or NotResource/);
});

Deno.test("compilePolicy() wants Version 2012-10-17 for policy variables, as AWS reads them only there", () => {
  const stmt = {
    Effect: "Allow",
    Action: "s3:GetObject",
    Resource: "arn:aws:s3:::data/${aws:username}/*",
  };
  assert.ok(policyOf(doc(stmt)));
  const problems = problemsOf({ Statement: [stmt] });
  assert.deepEqual(problems.map((p) => p.path), ["Statement[0]"]);
  assert.match(problems[0]!.message, /need Version: "2012-10-17"/);
});

Deno.test("compilePolicy() refuses what is not a document", () => {
  assert.deepEqual(problemsOf("x").map((p) => p.path), [""]);
  assert.deepEqual(problemsOf({ Version: "2012-10-17" }).map((p) => p.path), ["Statement"]);
});
