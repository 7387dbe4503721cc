import assert from "node:assert/strict";
import type { Action } from "../../../src/config/types.ts";
import type { Handler } from "../../../src/s3/context.ts";
import { OPERATION_KINDS, OPERATIONS } from "../../../src/s3/operations.ts";
import type { OperationKind, S3Request } from "../../../src/s3/request.ts";
import {
  createBucket,
  deleteBucket,
  getBucketLocation,
  getBucketVersioning,
  headBucket,
} from "../../../src/s3/ops/buckets.ts";
import { listObjectsV1, listObjectsV2 } from "../../../src/s3/ops/list_objects.ts";
import { getObject, headObject } from "../../../src/s3/ops/get_object.ts";
import { getObjectTagging } from "../../../src/s3/ops/object_tagging.ts";
import { getObjectAttributes } from "../../../src/s3/ops/object_attributes.ts";
import { putObject } from "../../../src/s3/ops/put_object.ts";
import { copyObject, uploadPartCopy } from "../../../src/s3/ops/copy_object.ts";
import { deleteObject, deleteObjects } from "../../../src/s3/ops/delete.ts";
import { postObject } from "../../../src/s3/ops/post_object.ts";
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  listMultipartUploads,
  listParts,
  uploadPart,
} from "../../../src/s3/ops/multipart.ts";

/** What a row must say: `action@target` ("get_object@key"), "any" or "handler". */
type Expected = readonly [Handler, string, boolean];

// Typed over every kind but ListBuckets: a new OperationKind without a row here fails `deno check`.
const EXPECTED: Readonly<Record<Exclude<OperationKind, "ListBuckets">, Expected>> = {
  HeadBucket: [headBucket, "any", false],
  GetBucketLocation: [getBucketLocation, "any", false],
  GetBucketVersioning: [getBucketVersioning, "any", false],
  CreateBucket: [createBucket, "put_object@bucket", false],
  DeleteBucket: [deleteBucket, "delete_object@bucket", false],
  ListObjects: [listObjectsV1, "list_bucket@listing:photos/", false],
  ListObjectsV2: [listObjectsV2, "list_bucket@listing:photos/", false],
  ListMultipartUploads: [
    listMultipartUploads,
    "list_bucket_multipart_uploads@listing:photos/",
    false,
  ],
  DeleteObjects: [deleteObjects, "handler", false],
  PostObject: [postObject, "handler", false],
  GetObject: [getObject, "get_object@key:a/b", true],
  GetObjectTagging: [getObjectTagging, "get_object@key:a/b", true],
  GetObjectAttributes: [getObjectAttributes, "get_object@key:a/b", true],
  HeadObject: [headObject, "head_object@key:a/b", true],
  PutObject: [putObject, "put_object@key:a/b", true],
  CopyObject: [copyObject, "put_object@key:a/b", true],
  DeleteObject: [deleteObject, "delete_object@key:a/b", true],
  CreateMultipartUpload: [createMultipartUpload, "create_multipart_upload@key:a/b", true],
  UploadPart: [uploadPart, "upload_part@key:a/b", true],
  UploadPartCopy: [uploadPartCopy, "upload_part@key:a/b", true],
  CompleteMultipartUpload: [completeMultipartUpload, "complete_multipart_upload@key:a/b", true],
  AbortMultipartUpload: [abortMultipartUpload, "abort_multipart_upload@key:a/b", true],
  ListParts: [listParts, "list_multipart_upload_parts@key:a/b", true],
};

function request(op: OperationKind, query: string): S3Request {
  return {
    op,
    bucket: "bkt",
    key: "a/b",
    query: new URLSearchParams(query),
    headers: new Headers(),
    method: "GET",
    virtualHosted: false,
  };
}

function describe(op: Exclude<OperationKind, "ListBuckets">): string {
  const r = OPERATIONS[op].requires;
  if (r.kind !== "action") return r.kind;
  const action: Action = r.action;
  const t = r.target(request(op, "prefix=photos/"));
  const target = t.kind === "key"
    ? `key:${t.key}`
    : t.kind === "listing"
    ? `listing:${t.prefix}`
    : t.kind;
  return `${action}@${target}`;
}

Deno.test("OPERATIONS has a row for every operation but ListBuckets, and no other", () => {
  assert.deepEqual(Object.keys(OPERATIONS).sort(), Object.keys(EXPECTED).sort());
  assert.equal("ListBuckets" in OPERATIONS, false);
});

Deno.test("OPERATION_KINDS is ListBuckets and every row of the table, once each", () => {
  assert.deepEqual([...OPERATION_KINDS].sort(), ["ListBuckets", ...Object.keys(EXPECTED)].sort());
});

Deno.test("OPERATIONS routes each operation to its handler", () => {
  for (const [op, [handler]] of Object.entries(EXPECTED)) {
    assert.equal(OPERATIONS[op as keyof typeof EXPECTED].handler, handler, op);
  }
});

Deno.test("OPERATIONS requires each operation's action on its key, listing prefix or bucket", () => {
  for (const [op, [, requires]] of Object.entries(EXPECTED)) {
    assert.equal(describe(op as keyof typeof EXPECTED), requires, op);
  }
});

Deno.test("OPERATIONS marks exactly the object operations as addressing a key", () => {
  for (const [op, [, , objectKey]] of Object.entries(EXPECTED)) {
    assert.equal(OPERATIONS[op as keyof typeof EXPECTED].objectKey, objectKey, op);
  }
});

Deno.test("OPERATIONS authorizes a listing without a prefix against the empty prefix", () => {
  const r = OPERATIONS.ListObjectsV2.requires;
  assert.ok(r.kind === "action");
  assert.deepEqual(r.target(request("ListObjectsV2", "")), { kind: "listing", prefix: "" });
});
