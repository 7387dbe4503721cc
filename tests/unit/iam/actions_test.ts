import assert from "node:assert/strict";
import {
  actionsMatching,
  OPERATION_ACTIONS,
  OPERATION_NAMES,
  type OperationName,
  operationsNamed,
} from "../../../src/iam/actions.ts";
import type { OperationKind } from "../../../src/s3/request.ts";

// The two lists name the same operations: each type is assignable to the other.
const _toKind: OperationKind = "" as OperationName;
const _toName: OperationName = "" as OperationKind;

Deno.test("OPERATION_ACTIONS is AWS's table for the operations the issue names", () => {
  assert.equal(OPERATION_NAMES.length, new Set(OPERATION_NAMES).size);
  const expected: Partial<Record<OperationName, string>> = {
    HeadObject: "s3:GetObject",
    GetObject: "s3:GetObject",
    ListObjects: "s3:ListBucket",
    ListObjectsV2: "s3:ListBucket",
    HeadBucket: "s3:ListBucket",
    ListMultipartUploads: "s3:ListBucketMultipartUploads",
    ListParts: "s3:ListMultipartUploadParts",
    AbortMultipartUpload: "s3:AbortMultipartUpload",
    CreateMultipartUpload: "s3:PutObject",
    UploadPart: "s3:PutObject",
    CompleteMultipartUpload: "s3:PutObject",
    CopyObject: "s3:PutObject",
    GetBucketLocation: "s3:GetBucketLocation",
    ListBuckets: "s3:ListAllMyBuckets",
    GetObjectTagging: "s3:GetObjectTagging",
    GetObjectAttributes: "s3:GetObjectAttributes",
    DeleteObject: "s3:DeleteObject",
    DeleteObjects: "s3:DeleteObject",
  };
  for (const [op, action] of Object.entries(expected)) {
    assert.equal(OPERATION_ACTIONS[op as OperationName], action, op);
  }
});

Deno.test("actionsMatching() reads exact names in any case, and * and ? wildcards", () => {
  assert.deepEqual(actionsMatching("S3:getobject"), ["s3:GetObject"]);
  assert.deepEqual(actionsMatching("s3:ListBucket*"), [
    "s3:ListBucket",
    "s3:ListBucketMultipartUploads",
  ]);
  assert.deepEqual(actionsMatching("s3:?etObject"), ["s3:GetObject"]);
  assert.equal(
    (actionsMatching("*") as string[]).length,
    (actionsMatching("s3:*") as string[]).length,
  );
  assert.deepEqual(actionsMatching("s3:GetObjectAttributes"), ["s3:GetObjectAttributes"]);
});

Deno.test("actionsMatching() reports unknown actions and other services", () => {
  for (
    const bad of ["s3:GetObjekt", "s3:PutBucketPolicy", "s3:Nothing*", "iam:PassRole", "GetObject"]
  ) {
    const r = actionsMatching(bad);
    assert.ok(!Array.isArray(r) && /unknown action|not an S3 action/.test(r.problem), bad);
  }
});

Deno.test("operationsNamed() maps actions to operations, and NotAction to all the others", () => {
  assert.deepEqual(
    [...operationsNamed(["s3:GetObject"], false)].sort(),
    ["GetObject", "HeadObject"],
  );
  const notGet = operationsNamed(["s3:GetObject"], true);
  assert.ok(!notGet.has("GetObject") && !notGet.has("HeadObject") && notGet.has("PutObject"));
  assert.equal(notGet.size, OPERATION_NAMES.length - 2);
  assert.deepEqual([...operationsNamed(["s3:GetObjectAttributes"], false)], [
    "GetObjectAttributes",
  ]);
  assert.equal(operationsNamed(["s3:GetObjectVersion"], false).size, 0);
});
