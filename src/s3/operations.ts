/** The operation table: each S3 operation's handler and who authorizes it. */
import type { Handler } from "./context.ts";
import type { OperationKind } from "./request.ts";
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

/**
 * Who authorizes an operation: the request path, as the operation on its
 * bucket and key (authz/authorizer.ts, the IAM action iam/actions.ts names),
 * or the handler itself (DeleteObjects authorizes each key, a POST form its
 * signer on its final key).
 */
export type AuthorizedBy = "path" | "handler";

/** One row of the table. */
export interface Operation {
  readonly handler: Handler;
  readonly authorizedBy: AuthorizedBy;
  /** Whether the operation addresses an object key (which must then be valid). */
  readonly objectKey: boolean;
}

const bucketOp = (handler: Handler, authorizedBy: AuthorizedBy = "path"): Operation => ({
  handler,
  authorizedBy,
  objectKey: false,
});
const objectOp = (handler: Handler): Operation => ({
  handler,
  authorizedBy: "path",
  objectKey: true,
});

/** Every bucket and object operation (ListBuckets is served by the app itself). */
export const OPERATIONS: Readonly<Record<Exclude<OperationKind, "ListBuckets">, Operation>> = {
  HeadBucket: bucketOp(headBucket),
  GetBucketLocation: bucketOp(getBucketLocation),
  GetBucketVersioning: bucketOp(getBucketVersioning),
  CreateBucket: bucketOp(createBucket),
  DeleteBucket: bucketOp(deleteBucket),
  ListObjects: bucketOp(listObjectsV1),
  ListObjectsV2: bucketOp(listObjectsV2),
  ListMultipartUploads: bucketOp(listMultipartUploads),
  DeleteObjects: bucketOp(deleteObjects, "handler"),
  // The form's signature names the signer, who needs put_object on the form's key.
  PostObject: bucketOp(postObject, "handler"),
  GetObject: objectOp(getObject),
  GetObjectTagging: objectOp(getObjectTagging),
  GetObjectAttributes: objectOp(getObjectAttributes),
  HeadObject: objectOp(headObject),
  PutObject: objectOp(putObject),
  CopyObject: objectOp(copyObject),
  DeleteObject: objectOp(deleteObject),
  CreateMultipartUpload: objectOp(createMultipartUpload),
  UploadPart: objectOp(uploadPart),
  UploadPartCopy: objectOp(uploadPartCopy),
  CompleteMultipartUpload: objectOp(completeMultipartUpload),
  AbortMultipartUpload: objectOp(abortMultipartUpload),
  ListParts: objectOp(listParts),
};

/** Every operation bucketgate serves: ListBuckets (answered by s3/serve.ts itself) and the table's. */
export const OPERATION_KINDS: readonly OperationKind[] = [
  "ListBuckets",
  ...(Object.keys(OPERATIONS) as (keyof typeof OPERATIONS)[]),
];
