/**
 * The authorization step of the pipeline: may this caller run this operation
 * on this bucket? A refusal is the S3 error the client gets.
 */
import type { Identity } from "../auth/identity.ts";
import type { Action, BucketConfig } from "../config/types.ts";
import { type ProxyError, proxyError } from "../errors.ts";
import { hasAnyAccess, isAllowed, type Target } from "./scopes.ts";

/** What an operation must be allowed, resolved against its request (s3/operations.ts says which). */
export type Need =
  /** One action on a key, a listing prefix or the bucket. */
  | { readonly kind: "action"; readonly action: Action; readonly target: Target }
  /** Any right on the bucket (HeadBucket and friends). */
  | { readonly kind: "any" }
  /** Nothing here: the handler checks each item itself (DeleteObjects). */
  | { readonly kind: "handler" };

/** The bucket addressed and what the operation needs on it. */
export interface AuthorizeRequest {
  readonly bucket: BucketConfig;
  readonly need: Need;
}

/**
 * Undefined when `identity` may do what `request` needs; else the refusal:
 * 403 AccessDenied, or for an anonymous caller AccessDenied that says
 * credentials are needed (MissingAuth).
 */
export function authorize(identity: Identity, request: AuthorizeRequest): ProxyError | undefined {
  const { bucket, need } = request;
  let allowed: boolean;
  switch (need.kind) {
    case "handler":
      return undefined;
    case "any":
      allowed = hasAnyAccess(identity, bucket);
      break;
    case "action":
      allowed = isAllowed(identity, bucket, need.action, need.target);
      break;
    default: {
      const never: never = need;
      return never;
    }
  }
  if (allowed) return undefined;
  return identity.kind === "anonymous"
    ? proxyError("MissingAuth", "Access Denied: this request needs credentials")
    : proxyError("AccessDenied", "Access Denied");
}
