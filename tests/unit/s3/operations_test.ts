import assert from "node:assert/strict";
import type { Handler } from "../../../src/s3/context.ts";
import { OPERATION_KINDS, OPERATIONS } from "../../../src/s3/operations.ts";
import type { OperationKind } from "../../../src/s3/request.ts";
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

/** What a row must say: its handler, who authorizes it ("path" or "handler"), whether it has a key. */
type Expected = readonly [Handler, string, boolean];

// Typed over every kind but ListBuckets: a new OperationKind without a row here fails `deno check`.
const EXPECTED: Readonly<Record<Exclude<OperationKind, "ListBuckets">, Expected>> = {
  HeadBucket: [headBucket, "path", false],
  GetBucketLocation: [getBucketLocation, "path", false],
  GetBucketVersioning: [getBucketVersioning, "path", false],
  CreateBucket: [createBucket, "path", false],
  DeleteBucket: [deleteBucket, "path", false],
  ListObjects: [listObjectsV1, "path", false],
  ListObjectsV2: [listObjectsV2, "path", false],
  ListMultipartUploads: [
    listMultipartUploads,
    "path",
    false,
  ],
  DeleteObjects: [deleteObjects, "handler", false],
  PostObject: [postObject, "handler", false],
  GetObject: [getObject, "path", true],
  GetObjectTagging: [getObjectTagging, "path", true],
  GetObjectAttributes: [getObjectAttributes, "path", true],
  HeadObject: [headObject, "path", true],
  PutObject: [putObject, "path", true],
  CopyObject: [copyObject, "path", true],
  DeleteObject: [deleteObject, "path", true],
  CreateMultipartUpload: [createMultipartUpload, "path", true],
  UploadPart: [uploadPart, "path", true],
  UploadPartCopy: [uploadPartCopy, "path", true],
  CompleteMultipartUpload: [completeMultipartUpload, "path", true],
  AbortMultipartUpload: [abortMultipartUpload, "path", true],
  ListParts: [listParts, "path", true],
};

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

Deno.test("OPERATIONS says who authorizes each operation: the path, or its handler", () => {
  for (const [op, [, by]] of Object.entries(EXPECTED)) {
    assert.equal(OPERATIONS[op as keyof typeof EXPECTED].authorizedBy, by, op);
  }
});

Deno.test("OPERATIONS marks exactly the object operations as addressing a key", () => {
  for (const [op, [, , objectKey]] of Object.entries(EXPECTED)) {
    assert.equal(OPERATIONS[op as keyof typeof EXPECTED].objectKey, objectKey, op);
  }
});
