/** The operation table: each S3 operation's handler and what it must be authorized for. */
import type { Action } from "../config/types.ts";
import type { Target } from "../authz/scopes.ts";
import type { Handler } from "./context.ts";
import type { OperationKind, S3Request } from "./request.ts";
import {
  createBucket,
  deleteBucket,
  getBucketLocation,
  getBucketVersioning,
  headBucket,
} from "./ops/buckets.ts";
import { listObjectsV1, listObjectsV2 } from "./ops/list_objects.ts";
import { getObject, headObject } from "./ops/get_object.ts";
import { getObjectTagging } from "./ops/object_tagging.ts";
import { getObjectAttributes } from "./ops/object_attributes.ts";
import { putObject } from "./ops/put_object.ts";
import { copyObject, uploadPartCopy } from "./ops/copy_object.ts";
import { deleteObject, deleteObjects } from "./ops/delete.ts";
import { postObject } from "./ops/post_object.ts";
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  listMultipartUploads,
  listParts,
  uploadPart,
} from "./ops/multipart.ts";

/** What the app checks before running a handler. */
export type Requirement =
  /** One action on a key or listing prefix. */
  | { readonly kind: "action"; readonly action: Action; readonly target: (r: S3Request) => Target }
  /** Any right on the bucket (HeadBucket and friends). */
  | { readonly kind: "any" }
  /** Checked by the handler itself (DeleteObjects authorizes each key). */
  | { readonly kind: "handler" };

/** One row of the table. */
export interface Operation {
  readonly handler: Handler;
  readonly requires: Requirement;
  /** Whether the operation addresses an object key (which must then be valid). */
  readonly objectKey: boolean;
}

const onKey = (r: S3Request): Target => ({ kind: "key", key: r.key });
const onListing = (r: S3Request): Target => ({
  kind: "listing",
  prefix: r.query.get("prefix") ?? "",
});
const action = (a: Action, target: (r: S3Request) => Target): Requirement => ({
  kind: "action",
  action: a,
  target,
});
const bucketOp = (handler: Handler, requires: Requirement): Operation => ({
  handler,
  requires,
  objectKey: false,
});
const objectOp = (handler: Handler, a: Action): Operation => ({
  handler,
  requires: action(a, onKey),
  objectKey: true,
});

/** Every bucket and object operation (ListBuckets is served by the app itself). */
export const OPERATIONS: Readonly<Record<Exclude<OperationKind, "ListBuckets">, Operation>> = {
  HeadBucket: bucketOp(headBucket, { kind: "any" }),
  GetBucketLocation: bucketOp(getBucketLocation, { kind: "any" }),
  GetBucketVersioning: bucketOp(getBucketVersioning, { kind: "any" }),
  CreateBucket: bucketOp(createBucket, action("put_object", () => ({ kind: "bucket" }))),
  DeleteBucket: bucketOp(deleteBucket, action("delete_object", () => ({ kind: "bucket" }))),
  ListObjects: bucketOp(listObjectsV1, action("list_bucket", onListing)),
  ListObjectsV2: bucketOp(listObjectsV2, action("list_bucket", onListing)),
  ListMultipartUploads: bucketOp(
    listMultipartUploads,
    action("list_bucket_multipart_uploads", onListing),
  ),
  DeleteObjects: bucketOp(deleteObjects, { kind: "handler" }),
  // The form's signature names the signer, who needs put_object on the form's key.
  PostObject: bucketOp(postObject, { kind: "handler" }),
  GetObject: objectOp(getObject, "get_object"),
  GetObjectTagging: objectOp(getObjectTagging, "get_object"),
  GetObjectAttributes: objectOp(getObjectAttributes, "get_object"),
  HeadObject: objectOp(headObject, "head_object"),
  PutObject: objectOp(putObject, "put_object"),
  CopyObject: objectOp(copyObject, "put_object"),
  DeleteObject: objectOp(deleteObject, "delete_object"),
  CreateMultipartUpload: objectOp(createMultipartUpload, "create_multipart_upload"),
  UploadPart: objectOp(uploadPart, "upload_part"),
  UploadPartCopy: objectOp(uploadPartCopy, "upload_part"),
  CompleteMultipartUpload: objectOp(completeMultipartUpload, "complete_multipart_upload"),
  AbortMultipartUpload: objectOp(abortMultipartUpload, "abort_multipart_upload"),
  ListParts: objectOp(listParts, "list_multipart_upload_parts"),
};

/** Every operation bucketgate serves: ListBuckets (answered by s3/serve.ts itself) and the table's. */
export const OPERATION_KINDS: readonly OperationKind[] = [
  "ListBuckets",
  ...(Object.keys(OPERATIONS) as (keyof typeof OPERATIONS)[]),
];
