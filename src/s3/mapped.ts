/**
 * What a path-mapped request runs as (s3/namespace.ts): an account-level
 * request (`/acme?list-type=2`, `/acme?uploads`) runs over the mapped buckets
 * the caller may see, and a listing shows its keys under their prefixes
 * (`data/…`) with the display bucket as its `<Name>`; the keys a request
 * names in its body (DeleteObjects, a POST form) are each stored in the
 * mapped bucket they name. Other requests run on their configured bucket as
 * they would without the mapping.
 */
import type { Identity } from "../auth/identity.ts";
import type { Backend, UploadRef } from "../backends/backend.ts";
import type { Authorizer } from "../authz/authorizer.ts";
import type { BucketConfig } from "../config/types.ts";
import type { OperationName } from "../iam/actions.ts";
import { type ProxyError, proxyError } from "../errors.ts";
import type { QueryParams } from "../http/target.ts";
import { err, ok, type Result } from "../result.ts";
import type { Locator, ResolvedBucket } from "./context.ts";
import { listingBackend, mergedList, reach } from "./merged_listing.ts";
import { mergedUploads } from "./merged_uploads.ts";
import type { Namespace } from "./namespace.ts";
import type { S3Request } from "./request.ts";

/** A mapped request's bucket, the request its handler sees, and the one the log records. */
export interface MappedRun {
  readonly bucket: ResolvedBucket;
  readonly shown: S3Request;
  readonly logged: S3Request;
  /** Where the keys it names in its body are stored (DeleteObjects, a POST form). */
  readonly locate?: Locator;
}

const LISTINGS = new Set(["ListObjects", "ListObjectsV2", "ListMultipartUploads"]);
/** Operations naming their keys in the body, each authorized there on its own bucket. */
const BODY_KEYS = new Set(["DeleteObjects", "PostObject"]);
/** Account-level operations answered as by any mapped bucket the caller may see. */
const ANY_MEMBER = new Set([
  "HeadBucket",
  "GetBucketLocation",
  "GetBucketVersioning",
  "CreateBucket",
]);

/**
 * An account-level request: a listing over the visible mapped buckets, keys
 * in the body each routed to the mapped bucket they name, or a bucket
 * question answered as by the first one the caller may see; 404 when no
 * bucket is mapped under the name, 501 for other operations.
 */
export function admitAccount(
  route: S3Request,
  c: AccountCaller,
): Result<MappedRun, ProxyError> {
  const members = c.namespace.members(route.bucket).flatMap((m) => {
    const bucket = c.buckets.get(m.name);
    return bucket ? [{ prefix: m.prefix, bucket }] : [];
  });
  if (members.length === 0) {
    return err(proxyError("BucketNotFound", "The specified bucket does not exist"));
  }
  if (LISTINGS.has(route.op)) return accountListing(route, c, members);
  if (BODY_KEYS.has(route.op)) {
    // The handler stores through `locate`; the account itself stores nothing.
    const bucket = { config: members[0]!.bucket.config, backend: listingBackend({}) };
    return ok({ bucket, shown: route, logged: route, locate: accountKeys(route.bucket, c) });
  }
  if (ANY_MEMBER.has(route.op)) {
    let refused: ProxyError | undefined;
    for (const m of members) {
      refused = answersAs(route.op, c, m.bucket.config);
      if (!refused) return ok({ bucket: m.bucket, shown: route, logged: route });
    }
    return err(refused!);
  }
  return err(proxyError(
    "NotImplemented",
    `${route.op} on the account level of a path-mapped namespace is not implemented: ` +
      `name the mapped bucket (/${route.bucket}/<name>)`,
  ));
}

/** Who asks at the account level, and what it is answered from. */
export interface AccountCaller {
  readonly identity: Identity;
  /** The request's authorization step (authz/authorizer.ts). */
  readonly authorize: Authorizer;
  readonly namespace: Namespace;
  readonly buckets: ReadonlyMap<string, ResolvedBucket>;
}

/**
 * Whether `bucket` may answer an account-level bucket question: the operation
 * itself allowed there; a CreateBucket needs only that the caller may see it.
 */
function answersAs(
  op: OperationName,
  c: AccountCaller,
  bucket: BucketConfig,
): ProxyError | undefined {
  const { identity, authorize } = c;
  if (op === "CreateBucket" && authorize.sees(identity, bucket)) return undefined;
  return authorize({ identity, bucket, operation: op === "CreateBucket" ? "HeadBucket" : op });
}

/**
 * The keys of the account `display` (`data/x`): each in the mapped bucket it
 * names (`acme--data`, key `x`), shown as sent; NoSuchBucket under none.
 */
function accountKeys(display: string, c: AccountCaller): Locator {
  return (key) => {
    const at = c.namespace.address({ bucket: display, key });
    const bucket = c.buckets.get(at.bucket);
    if (!bucket) return err(proxyError("BucketNotFound", "The specified bucket does not exist"));
    return ok({ bucket, key: at.key, shown: key });
  };
}

/**
 * A listing of the account: the mapped buckets it reaches that the caller may
 * list (objects, or uploads: a bucket shown as one common prefix needs the
 * right to list its uploads, since it is shown only when it has some).
 */
function accountListing(
  route: S3Request,
  c: AccountCaller,
  members: readonly { readonly prefix: string; readonly bucket: ResolvedBucket }[],
): Result<MappedRun, ProxyError> {
  const { identity, authorize } = c;
  const operation = route.op;
  const delimiter = route.query.get("delimiter");
  const o = { prefix: route.query.get("prefix") ?? "", ...(delimiter ? { delimiter } : {}) };
  const reached = members.flatMap((m) => {
    const how = reach(m.prefix, o);
    return how ? [{ ...m, how }] : [];
  });
  const visible = reached.filter(({ bucket, how }) =>
    how.kind === "group" && operation !== "ListMultipartUploads"
      ? authorize.sees(identity, bucket.config)
      : !authorize({
        identity,
        bucket: bucket.config,
        operation,
        prefix: how.kind === "list" ? how.inner.prefix : "",
      })
  );
  if (reached.length > 0 && visible.length === 0) {
    const bucket = reached[0]!.bucket.config;
    return err(
      authorize({ identity, bucket, operation, prefix: o.prefix }) ??
        proxyError("AccessDenied", "Access Denied"),
    );
  }
  const sources = visible.map((m) => ({ prefix: m.prefix, backend: m.bucket.backend }));
  const only = visible.length === 1 && visible[0]!.how.kind === "list" ? visible[0] : undefined;
  return ok({
    bucket: {
      config: (visible[0] ?? members[0]!).bucket.config,
      backend: listingBackend({
        list: (opts) => mergedList(sources, opts),
        listMultipartUploads: (opts) => mergedUploads(sources, opts),
      }),
    },
    shown: route,
    // A listing that reaches one bucket is a request on it.
    logged: only ? { ...route, bucket: only.bucket.config.name } : route,
  });
}

/**
 * A listing of one mapped bucket (`/acme/data?list-type=2&prefix=sub/`),
 * already authorized on it, shown as the account's listing under the
 * bucket's prefix (`prefix=data/sub/`); undefined for other requests.
 */
export function presentListing(route: S3Request, bucket: ResolvedBucket): MappedRun | undefined {
  const view = route.view;
  if (!view || view.account || !LISTINGS.has(route.op)) return undefined;
  const source = [{ prefix: view.keyPrefix, backend: bucket.backend }];
  const backend = listingBackend({
    list: (o) => mergedList(source, o),
    listMultipartUploads: (o) => mergedUploads(source, o),
  });
  return {
    bucket: { config: bucket.config, backend },
    shown: { ...route, bucket: view.bucket, query: underPrefix(route.query, view.keyPrefix) },
    logged: route,
  };
}

/**
 * A request on a mapped bucket naming keys in its body (`POST /acme/data` with
 * the form key `x`): they are the bucket's own, shown under its prefix
 * (`data/x`) in the display bucket; undefined for other requests.
 */
export function presentBodyKeys(route: S3Request, bucket: ResolvedBucket): MappedRun | undefined {
  const view = route.view;
  if (!view || view.account || !BODY_KEYS.has(route.op)) return undefined;
  return {
    bucket,
    shown: { ...route, bucket: view.bucket },
    logged: route,
    locate: (key) => ok({ bucket, key, shown: view.keyPrefix + key }),
  };
}

/** A locator remembering the configured buckets it located keys in: `only()` names it when one. */
export function trackBuckets(locate: Locator): { locate: Locator; only(): string | undefined } {
  const seen = new Set<string>();
  return {
    locate: (key) => {
      const at = locate(key);
      if (at.ok) seen.add(at.value.bucket.config.name);
      return at;
    },
    only: () => (seen.size === 1 ? [...seen][0] : undefined),
  };
}

/** Multipart answers name their bucket and key (`<Bucket>`, `<Key>`, `<Location>`). */
const NAMING = new Set(["CreateMultipartUpload", "CompleteMultipartUpload", "ListParts"]);

/**
 * A multipart request on a mapped bucket, run with the names the client used
 * (`acme`, `data/key`) over the bucket's backend with the key prefix taken
 * off again, so its answer names them; undefined for other requests.
 */
export function presentUpload(route: S3Request, bucket: ResolvedBucket): MappedRun | undefined {
  const view = route.view;
  if (!view || view.account || !NAMING.has(route.op)) return undefined;
  return {
    bucket: { config: bucket.config, backend: keysUnder(bucket.backend, view.keyPrefix) },
    shown: { ...route, bucket: view.bucket, key: view.keyPrefix + route.key },
    logged: route,
  };
}

/** A backend taking keys under `prefix` (`data/key`) to `inner`'s own (`key`). */
function keysUnder(inner: Backend, prefix: string): Backend {
  const strip = (k: string) => k.slice(prefix.length);
  const up = (u: UploadRef): UploadRef => ({ key: strip(u.key), uploadId: u.uploadId });
  return {
    list: (o) => mergedList([{ prefix, backend: inner }], o),
    head: (k) => inner.head(strip(k)),
    get: (k, o) => inner.get(strip(k), o),
    put: (k, body, o) => inner.put(strip(k), body, o),
    copy: (s, d, o) => inner.copy(strip(s), strip(d), o),
    delete: (k) => inner.delete(strip(k)),
    createMultipartUpload: (k, o) => inner.createMultipartUpload(strip(k), o),
    uploadPart: (u, part) => inner.uploadPart(up(u), part),
    completeMultipartUpload: (u, parts, c) => inner.completeMultipartUpload(up(u), parts, c),
    abortMultipartUpload: (u) => inner.abortMultipartUpload(up(u)),
    listParts: (u, o) => inner.listParts(up(u), o),
    listMultipartUploads: (o) => inner.listMultipartUploads(o),
  };
}

/** The query with its prefix and markers (start-after, marker, key-marker) put under `keyPrefix`. */
function underPrefix(query: QueryParams, keyPrefix: string): QueryParams {
  const out = new URLSearchParams([...query]);
  out.set("prefix", keyPrefix + (query.get("prefix") ?? ""));
  for (const name of ["start-after", "marker", "key-marker"]) {
    const v = query.get(name);
    if (v) out.set(name, keyPrefix + v);
  }
  return out;
}
