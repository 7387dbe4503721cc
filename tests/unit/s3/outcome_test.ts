import assert from "node:assert/strict";
import { ok } from "../../../src/result.ts";
import { bucketOf, type RequestOutcome, stepTimes } from "../../../src/s3/outcome.ts";
import type { StsOutcome } from "../../../src/sts/serve.ts";

const result = ok(new Response());
const route = {
  op: "GetObject" as const,
  bucket: "b",
  key: "k",
  query: new URLSearchParams(),
  headers: new Headers(),
  method: "GET",
  virtualHosted: false,
};

Deno.test("bucketOf() is the route's bucket, else a preflight's, else none", () => {
  assert.equal(bucketOf({ result, route, bucketName: "other" }), "b");
  assert.equal(bucketOf({ result, preflight: true, bucketName: "p" }), "p");
  assert.equal(bucketOf({ result }), undefined);
});

Deno.test("stepTimes() carries the steps measured and leaves out the others", () => {
  assert.deepEqual(stepTimes({ result, authMs: 1, backendMs: 0 }), { authMs: 1, backendMs: 0 });
  assert.deepEqual(stepTimes({ result, authMs: 2 }), { authMs: 2 });
  assert.deepEqual(stepTimes({ result }), {});
});

Deno.test("the STS path's outcome is a RequestOutcome as it is", () => {
  const sts: StsOutcome = { result, sts: { action: "AssumeRoleWithWebIdentity" } };
  const outcome: RequestOutcome = sts;
  assert.equal(outcome.sts?.action, "AssumeRoleWithWebIdentity");
});
