/** The validated configuration, as the rest of the program sees it. */
import type { CompiledPolicy } from "../iam/document.ts";
import type { AzOptions } from "./backend_options/az.ts";
import type { S3Options } from "./backend_options/s3.ts";

/** Every action a scope can grant. */
export const ACTIONS = [
  "get_object",
  "get_object_version",
  "head_object",
  "put_object",
  "delete_object",
  "list_bucket",
  "create_multipart_upload",
  "upload_part",
  "complete_multipart_upload",
  "abort_multipart_upload",
  "list_multipart_upload_parts",
  "list_bucket_multipart_uploads",
] as const;

/** One action a scope can grant. */
export type Action = typeof ACTIONS[number];

/** Backend kinds. */
export const BACKEND_TYPES = ["s3", "fs", "memory", "az"] as const;

/** One backend kind. */
export type BackendType = typeof BACKEND_TYPES[number];

/** A bucket's backend and its options, parsed at load (src/config/backend_options/). */
export type BackendOptions =
  | { readonly type: "memory" }
  | { readonly type: "fs"; readonly root: string; readonly fsync?: boolean }
  | { readonly type: "s3"; readonly options: S3Options }
  | { readonly type: "az"; readonly options: AzOptions };

/** A grant: actions on a bucket (or `*`) under key prefixes (empty = whole bucket). */
export interface Scope {
  readonly bucket: string;
  readonly prefixes: readonly string[];
  readonly actions: readonly Action[];
}

/** One virtual bucket. */
export interface BucketConfig {
  readonly name: string;
  /** The backend (`backend_type`) with its `backend_options`, typed. */
  readonly backend: BackendOptions;
  readonly anonymousAccess: boolean;
  /** Normalized: empty, or ending in `/`. */
  readonly backendPrefix: string;
  readonly allowedRoles: readonly string[];
  /** This bucket's CORS; absent = the top-level `cors:` (if any) applies. */
  readonly cors?: CorsConfig;
  /** `bucket_policy:`, compiled (named `bucket:<name>`); absent = none. */
  readonly bucketPolicy?: CompiledPolicy;
}

/** A role that OIDC callers can assume through STS. */
export interface RoleConfig {
  readonly roleId: string;
  readonly name: string;
  readonly trustedOidcIssuers: readonly string[];
  readonly requiredAudiences: readonly string[];
  readonly subjectConditions: readonly string[];
  /**
   * `allow_any_subject: true`: the config means this role to accept every
   * subject of its issuers, so loading does not refuse it for having no
   * subject_conditions. Nothing reads it at run time: the audience and
   * subject checks are those of the lists above. Absent when false.
   */
  readonly allowAnySubject?: boolean;
  readonly maxSessionDurationSecs: number;
  readonly allowedScopes: readonly Scope[];
  /** The documents its `policies:` name, compiled; absent = none. */
  readonly policies?: readonly CompiledPolicy[];
}

/** A long-lived access key. */
export interface CredentialConfig {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly principalName: string;
  readonly createdAt?: Date;
  readonly expiresAt?: Date;
  readonly enabled: boolean;
  readonly allowedScopes: readonly Scope[];
  /** The documents its `policies:` name, compiled; absent = none. */
  readonly policies?: readonly CompiledPolicy[];
}

/** CORS for browser clients (`cors:`); absent = no CORS headers at all. */
export interface CorsConfig {
  /** Origins allowed (`https://app.example.com`, normalized), or `*` for any. */
  readonly allowedOrigins: readonly string[];
  /** Methods allowed in preflight answers. Default GET, HEAD, PUT, POST, DELETE. */
  readonly allowedMethods: readonly string[];
  /** Request headers allowed in preflight answers; `*` for any. Default `*`. */
  readonly allowedHeaders: readonly string[];
  /**
   * Response headers exposed to scripts. Default ETag, Content-Range, Accept-Ranges,
   * Content-Length and `x-amz-*` (a pattern: every `x-amz-` header of the response).
   */
  readonly exposeHeaders: readonly string[];
  /** Access-Control-Max-Age of preflight answers. Default 3600. */
  readonly maxAgeSecs: number;
}

/**
 * `path_mapping:`: a hierarchical namespace over the configured buckets. Each
 * bucket name is `bucketSegments` parts joined by `separator`; clients see the
 * first `displayBucketSegments` parts (joined the same way) as the bucket and
 * the rest as the leading segments of its keys (`acme--data` → `/acme/data/…`).
 */
export interface PathMappingConfig {
  readonly bucketSegments: number;
  readonly separator: string;
  readonly displayBucketSegments: number;
}

/** `workers:`: a number of isolates, or "auto" for one per CPU. */
export type WorkerCount = number | "auto";

/** The whole validated config. */
export interface Config {
  readonly listen: string;
  readonly domain?: string;
  /**
   * Region reported by GetBucketLocation and the one a SigV4 credential scope
   * must name (else AuthorizationHeaderMalformed); us-east-1 under `region: "*"`.
   */
  readonly region: string;
  /** Set by `region: "*"`: a signature's scope may name any region (as before the check). */
  readonly anyRegion?: true;
  readonly maxBodyBytes: number;
  /** Requests served at once; beyond it, 503 SlowDown. Default 1024. */
  readonly maxConcurrentRequests: number;
  /**
   * Seconds an upload may receive no byte, or a download send none (its client
   * stopped reading), before it is cut with RequestTimeout. Default 60; 0 = never.
   */
  readonly clientIdleTimeoutSecs: number;
  /**
   * Bytes that uploads of unknown length, gathered to learn their length before
   * an s3 store takes them, may hold in memory together; beyond it they spool to
   * a temporary file. Default 64 MiB.
   */
  readonly uploadBufferBytes: number;
  /**
   * Isolates serving the port together (`--workers` wins); absent = 1. Read at
   * start only: a reload does not change it.
   */
  readonly workers?: WorkerCount;
  readonly ownerId: string;
  readonly ownerDisplayName: string;
  readonly buckets: readonly BucketConfig[];
  readonly roles: readonly RoleConfig[];
  readonly credentials: readonly CredentialConfig[];
  /**
   * The origin clients use (`https://s3.example.com`, normalized, no path), for
   * requests from a trusted proxy that says no `X-Forwarded-Host`/`-Proto`
   * (http/forwarded.ts); absent = the request's own `Host`.
   */
  readonly publicEndpoint?: string;
  /**
   * Peers (IPs or CIDRs) whose `X-Forwarded-Host`, `-Proto` and `-For` are believed.
   * Default `[]`: trust no one.
   */
  readonly trustedProxies: readonly string[];
  /** CORS settings; absent = CORS off. */
  readonly cors?: CorsConfig;
  /** The hierarchical namespace clients see; absent = buckets are shown by their names. */
  readonly pathMapping?: PathMappingConfig;
  /** Whether responses carry a `Server-Timing` header. Default false. */
  readonly serverTiming: boolean;
  /** The named documents of `policies:`, compiled; absent = none. */
  readonly policies?: ReadonlyMap<string, CompiledPolicy>;
  /** Rate limits (`limits:`); absent or empty = none. */
  readonly limits?: readonly LimitRule[];
  /** Quotas (`quotas:`); absent or empty = none. */
  readonly quotas?: readonly QuotaRule[];
  /** Where the counters live (`limits_store:`); absent = in this process (shared by its workers). */
  readonly limitsStore?: LimitsStoreConfig;
}

/** Whom a limit or quota applies to: one of these (a quota has no `anonymous`). */
export type LimitMatch =
  | { readonly anonymous: true }
  | { readonly accessKeyId: string }
  | { readonly role: string }
  | { readonly bucket: string };

/** One `limits:` rule: a request rate with a burst, and byte rates each way. */
export interface LimitRule {
  /** Its `name:`, else `limits[<index>]:<match>`: the label of its throttled counter. */
  readonly name: string;
  readonly match: LimitMatch;
  readonly requestsPerSecond?: number;
  /** Requests allowed at once above the rate; set whenever requestsPerSecond is (default: the rate). */
  readonly burst?: number;
  readonly bytesPerSecondIn?: number;
  readonly bytesPerSecondOut?: number;
  /** An anonymous rule's source network: the IPv4 prefix length (default 24). */
  readonly ipv4Prefix?: number;
  /** An anonymous rule's source network: the IPv6 prefix length (default 64). */
  readonly ipv6Prefix?: number;
}

/** One `quotas:` rule: requests and bytes per UTC day and month. */
export interface QuotaRule {
  /** Its `name:`, else `quotas[<index>]:<match>`: the label of its throttled counter. */
  readonly name: string;
  readonly match: Exclude<LimitMatch, { readonly anonymous: true }>;
  readonly requestsPerDay?: number;
  readonly requestsPerMonth?: number;
  readonly bytesInPerDay?: number;
  readonly bytesInPerMonth?: number;
  readonly bytesOutPerDay?: number;
  readonly bytesOutPerMonth?: number;
}

/** `limits_store: redis://[user:password@]host[:port][/db]`. */
export interface LimitsStoreConfig {
  readonly kind: "redis";
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username?: string;
  /** A secret: never logged. */
  readonly password?: string;
}

/** One validation problem: a path like `buckets[2].backend_options.region`, a line if known. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}
