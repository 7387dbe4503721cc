import assert from "node:assert/strict";
import { UNRESOLVED } from "../../../src/iam/keys.ts";
import { Problems } from "../../../src/iam/problems.ts";
import {
  type CompiledResources,
  compileResources,
  requestResource,
  resourceMatches,
} from "../../../src/iam/resources.ts";
import { patternOf, STAR } from "../../../src/iam/wildcard.ts";
import { keysOf } from "./_policies.ts";

function compiled(raw: unknown, negated = false): CompiledResources {
  const problems = new Problems();
  const c = compileResources(raw, "Resource", negated, problems, {
    bucketNames: new Set(["data", "logs"]),
  });
  assert.deepEqual(problems.list, []);
  return c;
}

const at = (c: CompiledResources, bucket: string, key?: string, keys = keysOf()) =>
  resourceMatches(c, requestResource(bucket, key), keys);

Deno.test("requestResource() names a bucket, an object, or the service", () => {
  assert.deepEqual(requestResource("data"), { bucket: "data", arn: "data" });
  assert.deepEqual(requestResource("data", "a/b"), { bucket: "data", key: "a/b", arn: "data/a/b" });
  assert.deepEqual(requestResource(""), { bucket: "", arn: "*" });
});

Deno.test("ARN patterns match the bucket or its objects as AWS does: * crosses '/'", () => {
  const objects = compiled("arn:aws:s3:::data/public/*");
  assert.equal(at(objects, "data", "public/a/b"), true);
  assert.equal(at(objects, "data", "private/a"), false);
  assert.equal(at(objects, "data"), false);
  const bucket = compiled("arn:aws:s3:::data");
  assert.equal(at(bucket, "data"), true);
  assert.equal(at(bucket, "data", "x"), false);
  const everything = compiled(["*"]);
  assert.equal(at(everything, "logs", "x"), true);
  assert.equal(at(everything, ""), true);
  assert.equal(at(compiled("arn:aws:s3:::*"), "logs"), true);
  assert.equal(at(compiled("arn:aws:s3:::d?ta/*"), "data", "k"), true);
});

Deno.test("NotResource matches what none of its ARNs match", () => {
  const not = compiled("arn:aws:s3:::data/secret/*", true);
  assert.equal(at(not, "data", "public/x"), true);
  assert.equal(at(not, "data", "secret/x"), false);
});

Deno.test("a variable with no safe value leaves the match UNRESOLVED, also under NotResource", () => {
  const home = compiled("arn:aws:s3:::data/home/${aws:username}/*");
  assert.equal(at(home, "data", "home/al/x", keysOf({ "aws:username": "al" })), true);
  assert.equal(at(home, "data", "home/bo/x", keysOf({ "aws:username": "al" })), false);
  assert.equal(at(home, "data", "home/al/x"), UNRESOLVED);
  assert.equal(at(home, "data", "home/x/y", keysOf({ "aws:username": "*" })), UNRESOLVED);
  const notHome = compiled("arn:aws:s3:::data/home/${aws:username}/*", true);
  assert.equal(at(notHome, "data", "home/al/x"), UNRESOLVED);
});

Deno.test("a scope's matcher: its bucket (or any), key patterns matched literally", () => {
  const scope: CompiledResources = {
    negated: false,
    matchers: [{ kind: "scope", bucket: "data", keys: [patternOf("a*", ["a*", STAR])] }],
  };
  assert.equal(at(scope, "data", "a*/x"), true);
  assert.equal(at(scope, "data", "ab"), false);
  assert.equal(at(scope, "data"), false, "key patterns exclude the bucket itself");
  assert.equal(at(scope, "logs", "a*/x"), false);
  const anyBucket: CompiledResources = {
    negated: false,
    matchers: [{ kind: "scope", bucket: undefined, keys: undefined }],
  };
  assert.equal(at(anyBucket, "logs"), true);
  assert.equal(at(anyBucket, ""), false, "not the service");
});

Deno.test("compileResources() reports malformed ARNs and unknown buckets at their paths", () => {
  const problems = new Problems();
  compileResources(
    [
      "arn:aws:s3:::data/*",
      "arn:aws:s3:::",
      "arn:aws:iam::1:role/x",
      "arn:aws:s3:::nope",
      7,
      "arn:aws:s3:::d*/x",
    ],
    "Resource",
    false,
    problems,
    { bucketNames: new Set(["data"]) },
  );
  assert.deepEqual(problems.list.map((p) => p.path), [
    "Resource[1]",
    "Resource[2]",
    "Resource[3]",
    "Resource[4]",
  ]);
  const empty = new Problems();
  compileResources([], "Resource", false, empty);
  assert.equal(empty.list.length, 1);
});
