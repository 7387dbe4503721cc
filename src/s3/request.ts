/**
 * Turns an HTTP request into an S3 operation: which operation, on which
 * virtual bucket and key. Path style (`/bucket/key`) and virtual-hosted style
 * (`bucket.<domain>/key`) when a domain is configured.
 */
import { type ProxyError, proxyError } from "../errors.ts";
import { queryOf, type QueryParams, type RequestTarget } from "../http/target.ts";
import { err, ok, type Result } from "../result.ts";
import { mapCopySource, type Namespace, type View } from "./namespace.ts";

/** Every S3 operation bucketgate serves (or recognizes to refuse precisely). */
export type OperationKind =
  | "ListBuckets"
  | "HeadBucket"
  | "GetBucketLocation"
  | "GetBucketVersioning"
  | "CreateBucket"
  | "DeleteBucket"
  | "ListObjects"
  | "ListObjectsV2"
  | "ListMultipartUploads"
  | "DeleteObjects"
  | "PostObject"
  | "GetObject"
  | "GetObjectTagging"
  | "GetObjectAttributes"
  | "HeadObject"
  | "PutObject"
  | "CopyObject"
  | "DeleteObject"
  | "CreateMultipartUpload"
  | "UploadPart"
  | "UploadPartCopy"
  | "CompleteMultipartUpload"
  | "AbortMultipartUpload"
  | "ListParts";

/** A routed S3 request. */
export interface S3Request {
  readonly op: OperationKind;
  /** Virtual bucket name; empty for ListBuckets. */
  readonly bucket: string;
  /** Decoded object key; empty for bucket operations. */
  readonly key: string;
  readonly query: QueryParams;
  readonly headers: Headers;
  readonly method: string;
  /** Whether the bucket was named by the host (`<bucket>.<domain>`) rather than the path. */
  readonly virtualHosted: boolean;
  /**
   * Whether the request sent an `If-*` header: false lets a read skip looking
   * for its conditions (issue 30). Absent (a request built elsewhere): look.
   */
  readonly conditional?: boolean;
  /**
   * Under `path_mapping`: what the client named (`bucket` and `key` above are
   * then the configured bucket and its key; s3/namespace.ts).
   */
  readonly view?: View;
}

// Bucket and object subresources we recognize but do not serve: a precise 501.
const UNSUPPORTED_BUCKET_SUBRESOURCES = [
  "acl",
  "analytics",
  "accelerate",
  "cors",
  "encryption",
  "intelligent-tiering",
  "inventory",
  "lifecycle",
  "logging",
  "metrics",
  "notification",
  "object-lock",
  "ownershipControls",
  "policy",
  "policyStatus",
  "publicAccessBlock",
  "replication",
  "requestPayment",
  "tagging",
  "versions",
  "website",
];
const UNSUPPORTED_OBJECT_SUBRESOURCES = [
  "acl",
  "attributes",
  "legal-hold",
  "restore",
  "retention",
  "select",
  "tagging",
  "torrent",
];

/** Addressing settings. */
export interface AddressingOptions {
  /** Enables virtual-hosted style for `<bucket>.<domain>` hosts. */
  readonly domain?: string | undefined;
  /**
   * The `Host` the client addressed (http/forwarded.ts: a trusted proxy's
   * `X-Forwarded-Host`); absent = the request's own `Host` header.
   */
  readonly host?: string | null;
  /** `path_mapping`'s translation: the address named is mapped to the configured bucket. */
  readonly namespace?: Namespace | undefined;
}

/** S3's message for a path that is not percent-encoded UTF-8. */
const UNDECODABLE_PATH = "Couldn't parse the specified URI: the path does not decode to UTF-8.";

function decodeSegment(raw: string): string | undefined {
  if (!raw.includes("%")) return raw; // nothing to decode (decodeURIComponent leaves `+` as is)
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/** The bucket a virtual-hosted request names in its Host (`<bucket>.<domain>`), if any. */
export function hostBucket(host: string | null, domain: string | undefined): string | undefined {
  if (!host || !domain) return undefined;
  const name = host.replace(/:\d+$/, "").toLowerCase();
  const suffix = "." + domain.toLowerCase();
  if (!name.endsWith(suffix)) return undefined;
  const bucket = name.slice(0, -suffix.length);
  return bucket === "" ? undefined : bucket;
}

/** S3's limit on user metadata: the UTF-8 bytes of every `x-amz-meta-*` name (without the prefix) and value. */
export const MAX_USER_METADATA_BYTES = 2048;
/** The largest header section accepted (names, values and separators). */
export const MAX_HEADER_BYTES = 16 * 1024;

// Header names and values arrive as byte strings (one char per byte on the
// wire, UTF-8 included), so a string's length is its size in bytes.

/** What the routing needs to know of a header section, learned in one pass. */
interface HeaderScan {
  /** The section's size as sent (`name: value\r\n` each). */
  readonly bytes: number;
  /** Bytes of every `x-amz-meta-*` name (without the prefix) and value. */
  readonly metadataBytes: number;
  /** Whether an SSE-C header is present (on the object or on a copy source). */
  readonly sseC: boolean;
  /** Whether an `If-*` header is present. */
  readonly conditional: boolean;
}

const SSE_C = "x-amz-server-side-encryption-customer-";
const COPY_SSE_C = "x-amz-copy-source-server-side-encryption-customer-";

// Walking a Headers object sorts and joins its list each time, so it is walked
// once, with forEach (its iterator costs ~10× as much, issue 30).
function scanHeaders(headers: Headers): HeaderScan {
  let bytes = 0;
  let metadataBytes = 0;
  let sseC = false;
  let conditional = false;
  headers.forEach((v, k) => {
    bytes += k.length + v.length + 4;
    if (k.startsWith("x-amz-")) {
      if (k.startsWith("x-amz-meta-")) metadataBytes += k.length - 11 + v.length;
      else if (k.startsWith(SSE_C) || k.startsWith(COPY_SSE_C)) sseC = true;
    } else if (k.startsWith("if-")) conditional = true;
  });
  return { bytes, metadataBytes, sseC, conditional };
}

function tooLarge(bytes: number): ProxyError | undefined {
  if (bytes <= MAX_HEADER_BYTES) return undefined;
  return proxyError(
    "HeadersTooLarge",
    `Your request header section exceeds the maximum allowed size of ${MAX_HEADER_BYTES} bytes`,
  );
}

/** HeadersTooLarge when the header section is over MAX_HEADER_BYTES. */
export function headerSectionProblem(headers: Headers): ProxyError | undefined {
  return tooLarge(scanHeaders(headers).bytes);
}

function unsupported(what: string): ProxyError {
  return proxyError("NotImplemented", `${what} is not implemented by bucketgate`);
}

/** Each name's place in its list, for `firstPresent`. */
const rankOf = (names: readonly string[]): ReadonlyMap<string, number> =>
  new Map(names.map((n, i) => [n, i]));
const BUCKET_SUBRESOURCE_RANK = rankOf(UNSUPPORTED_BUCKET_SUBRESOURCES);
const OBJECT_SUBRESOURCE_RANK = rankOf(UNSUPPORTED_OBJECT_SUBRESOURCES);

/**
 * The first of `names` (ranked by `rank`) the query has: one lookup per
 * parameter, not a scan of the query per name (issue 30).
 */
function firstPresent(
  query: QueryParams,
  names: readonly string[],
  rank: ReadonlyMap<string, number>,
): string | undefined {
  if (query.size === 0) return undefined;
  let best = names.length;
  for (const [name] of query) {
    const r = rank.get(name);
    if (r !== undefined && r < best) best = r;
  }
  return names[best];
}

/** Routes a request to an S3 operation, or a precise error. */
export function parseS3Request(
  method: string,
  target: RequestTarget,
  headers: Headers,
  options: AddressingOptions = {},
): Result<S3Request, ProxyError> {
  const scan = scanHeaders(headers);
  const oversized = tooLarge(scan.bytes);
  if (oversized) return err(oversized);
  const params = queryOf(target);
  if (!params.ok) return params;
  const query = params.value;
  const address = addressOf(target, headers, options);
  if (!address.ok) return address;
  const { virtualHosted } = address.value;
  const { bucket, key, view }: { bucket: string; key: string; view?: View } =
    options.namespace && address.value.bucket !== ""
      ? options.namespace.address(address.value)
      : address.value;
  // HEAD /acme/data is a client asking whether the object `data` exists (rclone
  // does, before listing `data/`): no key of a mapped namespace is one segment.
  if (view && !view.account && key === "" && method === "HEAD" && !/\/$/.test(target.rawPath)) {
    return err(proxyError("NoSuchKey", "The specified key does not exist."));
  }
  const op = bucket === ""
    ? serviceOperation(method)
    : key === ""
    ? bucketOperation(method, query)
    : objectOperation({ method, query, headers, scan });
  if (!op.ok) return op;
  const copied = view && options.namespace && headers.get("x-amz-copy-source");
  const routed: { -readonly [K in keyof S3Request]: S3Request[K] } = {
    op: op.value,
    bucket,
    key,
    query,
    headers: copied ? mappedCopy(headers, mapCopySource(options.namespace!, copied)) : headers,
    method,
    virtualHosted,
    conditional: scan.conditional,
  };
  if (view) routed.view = view;
  return ok(routed);
}

/** The headers with `x-amz-copy-source` replaced (the signature was over the original ones). */
function mappedCopy(headers: Headers, source: string): Headers {
  const out = new Headers(headers);
  out.set("x-amz-copy-source", source);
  return out;
}

/** The bucket and key a request names: by its Host (virtual-hosted) or its path's first segment. */
function addressOf(
  target: RequestTarget,
  headers: Headers,
  options: AddressingOptions,
): Result<{ bucket: string; key: string; virtualHosted: boolean }, ProxyError> {
  const path = target.rawPath.startsWith("/") ? target.rawPath.slice(1) : target.rawPath;
  const vhost = hostBucket(
    options.host !== undefined ? options.host : headers.get("Host"), // "Host": see clientSide
    options.domain,
  );
  let bucket: string | undefined = vhost;
  let rawKey = path;
  if (vhost === undefined) {
    const slash = path.indexOf("/");
    rawKey = slash < 0 ? "" : path.slice(slash + 1);
    bucket = decodeSegment(slash < 0 ? path : path.slice(0, slash));
  }
  const key = decodeSegment(rawKey);
  if (bucket === undefined || key === undefined) {
    return err(proxyError("InvalidURI", UNDECODABLE_PATH));
  }
  return ok({ bucket, key, virtualHosted: vhost !== undefined });
}

/** A request on the service itself (no bucket): only ListBuckets. */
function serviceOperation(method: string): Result<OperationKind, ProxyError> {
  if (method === "GET") return ok("ListBuckets");
  return err(proxyError("MethodNotAllowed", `${method} is not allowed on the service`));
}

/** A request on a bucket (no key), by method and subresource. */
function bucketOperation(method: string, query: QueryParams): Result<OperationKind, ProxyError> {
  const sub = firstPresent(query, UNSUPPORTED_BUCKET_SUBRESOURCES, BUCKET_SUBRESOURCE_RANK);
  switch (method) {
    case "HEAD":
      return ok("HeadBucket");
    case "GET":
      if (query.has("location")) return ok("GetBucketLocation");
      if (query.has("versioning")) return ok("GetBucketVersioning");
      if (query.has("uploads")) return ok("ListMultipartUploads");
      if (sub) return err(unsupported(`Bucket subresource '${sub}'`));
      return ok(query.get("list-type") === "2" ? "ListObjectsV2" : "ListObjects");
    case "PUT":
      if (sub || query.has("versioning")) {
        return err(unsupported(`Bucket subresource '${sub ?? "versioning"}'`));
      }
      return ok("CreateBucket");
    case "POST":
      if (query.has("delete")) return ok("DeleteObjects");
      return ok("PostObject");
    case "DELETE":
      if (sub) return err(unsupported(`Bucket subresource '${sub}'`));
      return ok("DeleteBucket");
    default:
      return err(proxyError("MethodNotAllowed", `${method} is not allowed on a bucket`));
  }
}

/** What an object request's operation is read from. */
interface ObjectRequest {
  readonly method: string;
  readonly query: QueryParams;
  readonly headers: Headers;
  readonly scan: HeaderScan;
}

/** A request on an object, by method, subresource and headers. */
function objectOperation(r: ObjectRequest): Result<OperationKind, ProxyError> {
  const { method, query, headers, scan } = r;
  const sub = firstPresent(query, UNSUPPORTED_OBJECT_SUBRESOURCES, OBJECT_SUBRESOURCE_RANK);
  if (sub === "tagging" && method === "GET") return ok("GetObjectTagging");
  if (sub === "attributes" && method === "GET") return ok("GetObjectAttributes");
  if (sub && method !== "HEAD") return err(unsupported(`Object subresource '${sub}'`));
  if (scan.sseC) {
    return err(unsupported("Server-side encryption with customer-provided keys (SSE-C)"));
  }
  if (scan.metadataBytes > MAX_USER_METADATA_BYTES) {
    return err(proxyError(
      "MetadataTooLarge",
      `Your metadata headers exceed the maximum allowed metadata size of ${MAX_USER_METADATA_BYTES} bytes`,
    ));
  }
  switch (method) {
    case "GET":
      return ok(query.has("uploadId") ? "ListParts" : "GetObject");
    case "HEAD":
      return ok("HeadObject");
    case "PUT": {
      const copy = headers.has("x-amz-copy-source");
      if (query.has("uploadId") || query.has("partNumber")) {
        return ok(copy ? "UploadPartCopy" : "UploadPart");
      }
      return ok(copy ? "CopyObject" : "PutObject");
    }
    case "POST":
      if (query.has("uploads")) return ok("CreateMultipartUpload");
      if (query.has("uploadId")) return ok("CompleteMultipartUpload");
      return err(unsupported("POST on an object without ?uploads or ?uploadId"));
    case "DELETE":
      return ok(query.has("uploadId") ? "AbortMultipartUpload" : "DeleteObject");
    default:
      return err(proxyError("MethodNotAllowed", `${method} is not allowed on an object`));
  }
}
