import assert from "node:assert/strict";
import { compilePolicy } from "../../../src/iam/document.ts";
import {
  backendRefusal,
  configOkLine,
  configRefusal,
  configWarnings,
  environmentRefusal,
} from "../../../src/cli/startup_report.ts";

const PROBLEMS = [
  { path: "buckets[0].name", message: "bad", line: 2, column: 11 },
  { path: "listen", message: "not HOST:PORT" },
];

Deno.test("configRefusal() reports under the file and counts the problems", () => {
  assert.deepEqual(configRefusal(PROBLEMS, "c.yaml"), {
    report: "c.yaml:2:11: buckets[0].name: bad\nc.yaml: listen: not HOST:PORT",
    summary: "c.yaml: 2 problem(s); not starting",
  });
});

Deno.test("environmentRefusal() reports under 'environment'", () => {
  assert.deepEqual(
    environmentRefusal([{ path: "SESSION_TOKEN_KEY", message: "must be base64" }]),
    { report: "environment: SESSION_TOKEN_KEY: must be base64", summary: "not starting" },
  );
});

Deno.test("backendRefusal() reports under the file without a count", () => {
  assert.deepEqual(backendRefusal([{ path: "buckets[0]", message: "no issuer" }], "c.yaml"), {
    report: "c.yaml: buckets[0]: no issuer",
    summary: "not starting",
  });
});

Deno.test("configOkLine() counts the buckets", () => {
  assert.equal(configOkLine("config.yaml", { buckets: [] }), "config.yaml: OK (0 buckets)");
});

Deno.test("configWarnings() names each bucket policy statement that lets anonymous callers write", () => {
  const policy = compilePolicy({
    Version: "2012-10-17",
    Statement: [
      { Sid: "Read", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*" },
      { Sid: "Drop", Effect: "Allow", Principal: "*", Action: "s3:PutObject", Resource: "*" },
    ],
  }, { name: "bucket:drop", kind: "bucket" });
  assert.ok(policy.ok);
  const bucket = { name: "drop", bucketPolicy: policy.value };
  assert.deepEqual(configWarnings("c.yaml", { buckets: [{ name: "x" }, bucket] } as never), [
    "c.yaml: warning: buckets[1].bucket_policy: bucket:drop[1] (Drop) lets anonymous callers write to bucket 'drop'",
  ]);
  assert.deepEqual(configWarnings("c.yaml", { buckets: [{ name: "x" }] } as never), []);
});
