/** What every S3 operation handler is given: the routed request, the caller, and its collaborators. */
import type { Identity } from "../auth/identity.ts";
import type { PostFormKeys } from "../auth/post_form.ts";
import type { Authorizer } from "../authz/authorizer.ts";
import type { Backend } from "../backends/backend.ts";
import type { Clock } from "../clock.ts";
import type { BucketConfig, Config } from "../config/types.ts";
import type { ProxyError } from "../errors.ts";
import type { ClientSide } from "../http/forwarded.ts";
import { ok, type Result } from "../result.ts";
import type { AdmitSigner } from "./form_limits.ts";
import type { S3Request } from "./request.ts";

/** A virtual bucket with its backend. */
export interface ResolvedBucket {
  readonly config: BucketConfig;
  readonly backend: Backend;
}

/** The inputs and collaborators of a handler. */
export interface S3Context {
  readonly req: S3Request;
  readonly identity: Identity;
  /** The payload (verified or decoded by authentication), or null. */
  readonly body: ReadableStream<Uint8Array> | null;
  /** Payload length when known. */
  readonly contentLength?: number | undefined;
  readonly config: Config;
  /** The addressed bucket (absent only for ListBuckets). */
  readonly bucket: ResolvedBucket;
  /** Looks up another virtual bucket (CopyObject sources). */
  readonly resolve: (name: string) => ResolvedBucket | undefined;
  readonly clock: Clock;
  readonly requestId: string;
  /** Aborted when the client goes away. */
  readonly signal?: AbortSignal;
  /** The host and scheme the client addressed (through a trusted proxy: what it reported). */
  readonly client?: ClientSide;
  /** The keys a browser POST form's signature is verified with (PostObject authenticates itself). */
  readonly keys?: PostFormKeys;
  /**
   * Decides what the handler authorizes itself (a copy's source, each key of a
   * DeleteObjects, a POST form's signer), as the path authorized the operation.
   */
  readonly authorize: Authorizer;
  /** Told who signed a POST form and the key it names, for the access log. */
  readonly onFormSigned?: ((signed: FormSigned) => void) | undefined;
  /** Under `limits:`/`quotas:`: admits a POST form as its signer before its file streams (form_limits.ts). */
  readonly admitSigner?: AdmitSigner | undefined;
  /**
   * Under `path_mapping`: where a key named in the body (DeleteObjects, a POST
   * form) is stored (s3/mapped.ts); absent = in `bucket` as it is.
   */
  readonly locate?: Locator | undefined;
}

/** Where a key a request names in its body is stored, and how answers show it. */
export interface Located {
  readonly bucket: ResolvedBucket;
  /** The key in that bucket. */
  readonly key: string;
  /** The key as answers name it (`data/x` for a mapped bucket's `x`). */
  readonly shown: string;
}

/** A key named in a request's body → where it is stored, or why it cannot be (NoSuchBucket). */
export type Locator = (key: string) => Result<Located, ProxyError>;

/** Where `key` (named in the request's body) is stored: by `ctx.locate`, else in the addressed bucket. */
export function locateKey(ctx: S3Context, key: string): Result<Located, ProxyError> {
  return ctx.locate ? ctx.locate(key) : ok({ bucket: ctx.bucket, key, shown: key });
}

/** A POST form's signer and key, once its signature holds. */
export interface FormSigned {
  readonly identity: Identity;
  readonly key: string;
}

/** The shape of every operation handler. */
export type Handler = (ctx: S3Context) => Promise<Result<Response, ProxyError>>;
