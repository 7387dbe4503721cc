/**
 * The action table: each operation bucketgate serves and the IAM action AWS
 * documents for it, and a policy's `Action`/`NotAction` compiled to the set of
 * operations it names. Decisions are over operations, so a scope (which names
 * them through bucketgate's own actions) and a document (through AWS's) meet
 * in one evaluator.
 */
import { matchTokens, parsePattern } from "./wildcard.ts";

/** Every operation bucketgate authorizes (the OperationKinds of s3/request.ts). */
export const OPERATION_NAMES = [
  "ListBuckets",
  "HeadBucket",
  "GetBucketLocation",
  "GetBucketVersioning",
  "CreateBucket",
  "DeleteBucket",
  "ListObjects",
  "ListObjectsV2",
  "ListMultipartUploads",
  "DeleteObjects",
  "PostObject",
  "GetObject",
  "GetObjectTagging",
  "GetObjectAttributes",
  "HeadObject",
  "PutObject",
  "CopyObject",
  "DeleteObject",
  "CreateMultipartUpload",
  "UploadPart",
  "UploadPartCopy",
  "CompleteMultipartUpload",
  "AbortMultipartUpload",
  "ListParts",
] as const;

/** One operation. */
export type OperationName = typeof OPERATION_NAMES[number];

/**
 * The IAM action each operation needs, as AWS's API reference says. CopyObject
 * and UploadPartCopy also need s3:GetObject on their source, and DeleteObjects
 * s3:DeleteObject on each key, and a POST form upload s3:PutObject on its
 * final key: the handlers authorize those as GetObject, DeleteObject and PutObject.
 */
export const OPERATION_ACTIONS: Readonly<Record<OperationName, string>> = {
  ListBuckets: "s3:ListAllMyBuckets",
  HeadBucket: "s3:ListBucket",
  GetBucketLocation: "s3:GetBucketLocation",
  GetBucketVersioning: "s3:GetBucketVersioning",
  CreateBucket: "s3:CreateBucket",
  DeleteBucket: "s3:DeleteBucket",
  ListObjects: "s3:ListBucket",
  ListObjectsV2: "s3:ListBucket",
  ListMultipartUploads: "s3:ListBucketMultipartUploads",
  DeleteObjects: "s3:DeleteObject",
  PostObject: "s3:PutObject",
  GetObject: "s3:GetObject",
  GetObjectTagging: "s3:GetObjectTagging",
  GetObjectAttributes: "s3:GetObjectAttributes",
  HeadObject: "s3:GetObject",
  PutObject: "s3:PutObject",
  CopyObject: "s3:PutObject",
  DeleteObject: "s3:DeleteObject",
  CreateMultipartUpload: "s3:PutObject",
  UploadPart: "s3:PutObject",
  UploadPartCopy: "s3:PutObject",
  CompleteMultipartUpload: "s3:PutObject",
  AbortMultipartUpload: "s3:AbortMultipartUpload",
  ListParts: "s3:ListMultipartUploadParts",
};

/**
 * Actions a document may name that no served operation needs (yet): pasted
 * policies keep working, and they grant nothing here.
 */
export const UNSERVED_ACTIONS: readonly string[] = [
  "s3:GetObjectVersion",
  "s3:PutObjectTagging",
  "s3:DeleteObjectTagging",
];

/** Every action a document may name. */
export const IAM_ACTIONS: readonly string[] = [
  ...new Set([...Object.values(OPERATION_ACTIONS), ...UNSERVED_ACTIONS]),
];

const LOWER_ACTIONS = IAM_ACTIONS.map((a) => a.toLowerCase());

/** The operations that need `action` (an exact IAM action name, any case). */
function operationsOf(action: string): OperationName[] {
  const lower = action.toLowerCase();
  return OPERATION_NAMES.filter((op) => OPERATION_ACTIONS[op].toLowerCase() === lower);
}

/** The IAM actions an action pattern (`s3:Get*`, `*`) names, or a problem. */
export function actionsMatching(written: string): string[] | { readonly problem: string } {
  const lower = written.toLowerCase();
  if (lower !== "*" && !lower.startsWith("s3:")) {
    return { problem: `'${written}' is not an S3 action: bucketgate serves s3:* actions only` };
  }
  const parsed = parsePattern(lower, { wildcards: true, variables: false });
  if ("problem" in parsed) return { problem: parsed.problem };
  const found = IAM_ACTIONS.filter((_, i) => matchTokens(parsed.pattern.tokens, LOWER_ACTIONS[i]!));
  if (found.length > 0) return found;
  return {
    problem: `unknown action '${written}': bucketgate serves ${IAM_ACTIONS.join(", ")}`,
  };
}

/** The operations a statement's `Action` names, or all the others for `NotAction`. */
export function operationsNamed(
  actions: readonly string[],
  negated: boolean,
): ReadonlySet<OperationName> {
  const named = new Set(actions.flatMap(operationsOf));
  return new Set(OPERATION_NAMES.filter((op) => named.has(op) !== negated));
}
