/**
 * One store bucket as a request target: addressing (virtual-hosted or path
 * style), the one place a key becomes a path, and building, signing and
 * sending one request.
 */
import { uriEncode } from "../../sigv4/canonical.ts";
import { USER_AGENT } from "../../version.ts";
import { type SigningCredentials, signRequest } from "../../sigv4/sign.ts";
import { createSigningKeyCache, EMPTY_SHA256, sha256Hex } from "../../sigv4/signing_key.ts";
import type { ProxyError } from "../../errors.ts";
import { err, type Result } from "../../result.ts";
import type { Clock } from "../../clock.ts";
import type { StoreLocation } from "../backend.ts";
import { hasDotSegment, urlPathProblem } from "../keys.ts";
import { backendRequest, type Sleep } from "../http/retry.ts";
import type { CredentialSource } from "../../oidc/backend_auth.ts";
import { CONFIG_DEFAULTS } from "../../config/defaults.ts";
import { createUploadBuffer, type UploadBuffer } from "../upload_buffer.ts";
import type { HttpBody, HttpResponse, Transport } from "../http/send.ts";
import type { S3Options } from "../../config/backend_options/s3.ts";

/** One request to the store. */
export interface S3Request {
  readonly method: string;
  /** Made by `pathOf` or `bucketRoot`. */
  readonly path: string;
  /** Already encoded (see `queryString`). @default "" */
  readonly query?: string;
  /** @default {} */
  readonly headers?: Record<string, string>;
  readonly body?: HttpBody | undefined;
  readonly signal?: AbortSignal | undefined;
  /** A successful answer's body streams without the deadline (GetObject). @default false */
  readonly streamBody?: boolean;
}

/** A store bucket the operations talk to. */
export interface S3Client {
  /** Where `key` lives: the store (endpoint, addressing, access key), bucket and key. */
  locate(key: string): StoreLocation;
  /** The one place a key becomes a backend path. */
  pathOf(key: string): string;
  /** Bucket-level calls (listings) go here. */
  readonly bucketRoot: string;
  /** A key with a dot segment: never stored through bucketgate (see urlPathProblem), so absent. */
  unreadable(key: string): boolean;
  /** Signs and sends one request (bodiless reads are retried). */
  call(req: S3Request): Promise<Result<HttpResponse, ProxyError>>;
  /** The time source (signing dates, a written object's Last-Modified). */
  readonly clock: Clock;
  /** The memory uploads of unknown length may hold, shared with the process's other backends. */
  readonly uploadBuffer: UploadBuffer;
}

/** Collaborators of a client. */
export interface S3ClientDeps {
  readonly clock: Clock;
  /** Shared by the process's backends. @default a buffer of this client's own, of the default size */
  readonly uploadBuffer?: UploadBuffer | undefined;
  /** Waits between retries. */
  readonly sleep?: Sleep;
  /** Sends one attempt. @default backendTransport (http/wire.ts) */
  readonly transport?: Transport;
  /** Where `auth_type: oidc` credentials come from. */
  readonly credentials?: CredentialSource;
}

/** Creates the client of a store bucket. */
export function createS3Client(o: S3Options, deps: S3ClientDeps): S3Client {
  const base = new URL(o.endpoint);
  const host = o.forcePathStyle ? base.host : `${o.bucketName}.${base.host}`;
  const basePath = base.pathname.replace(/\/+$/, "");
  const bucketPath = o.forcePathStyle ? `${basePath}/${uriEncode(o.bucketName)}` : basePath;
  const pathOf = (key: string) =>
    `${bucketPath}/${PLAIN_KEY.test(key) ? key : uriEncode(key, true)}`;
  // One store: the same endpoint, addressing and access key (which names its secret).
  const store = `s3 ${o.endpoint} ${o.region} ${o.forcePathStyle} ${
    o.oidc ? `oidc:${o.oidc.roleArn}` : o.credentials?.accessKeyId ?? "anonymous"
  }`;
  return {
    locate: (key) => ({ store, bucket: o.bucketName, key }),
    pathOf,
    // As the AWS SDKs send them: a store that canonicalizes its parsed route
    // (s3rver) signs `/bucket/` as `/bucket`.
    bucketRoot: bucketPath || "/",
    unreadable: (key) => hasDotSegment(pathOf(key)),
    call: requester(o, { ...deps, origin: `${base.protocol}//${host}`, host }),
    clock: deps.clock,
    uploadBuffer: deps.uploadBuffer ?? createUploadBuffer(CONFIG_DEFAULTS.uploadBufferBytes),
  };
}

/**
 * A key of unreserved characters and slashes, which `uriEncode(key, true)`
 * gives back as it is: most keys with a folder, which its own fast path (no
 * slash) misses (~0.5 µs a request; issue 30).
 */
const PLAIN_KEY = /^[A-Za-z0-9._~/-]*$/;

/** What every request to a store carries (before the caller's own headers). */
const BASE_HEADERS: Readonly<Record<string, string>> = {
  "accept-encoding": "identity",
  "user-agent": USER_AGENT,
};

/** Where a store's requests go. */
interface Target extends S3ClientDeps {
  /** `https://host`, without a path. */
  readonly origin: string;
  readonly host: string;
}

/** The `call` of a client: headers, SigV4 (static or OIDC credentials), send with retries. */
function requester(o: S3Options, t: Target): S3Client["call"] {
  const keys = createSigningKeyCache(64);
  const retry = {
    ...(t.sleep ? { sleep: t.sleep } : {}),
    ...(t.transport ? { transport: t.transport } : {}),
  };
  /** Builds, signs with `credentials` (if any) and sends. */
  const send = (req: S3Request, credentials: SigningCredentials | undefined) => {
    const { method, path, query = "", body } = req;
    // fetch sends the URL's host whatever Host it is given, so only SigV4 (which
    // signs it) and node:http's streamed uploads (which send it) are given one:
    // one header less for fetch to convert and drop (issue 30).
    const h: Record<string, string> = credentials || body?.kind === "stream"
      ? { host: t.host, ...BASE_HEADERS, ...req.headers }
      : { ...BASE_HEADERS, ...req.headers };
    const signed = credentials
      ? signRequest(
        { method, path, query, headers: h, payloadHash: payloadHash(body) },
        credentials,
        {
          region: o.region,
          now: t.clock.now(),
          keys,
        },
      )
      : h;
    return backendRequest({
      method,
      url: `${t.origin}${path}${query ? "?" + query : ""}`,
      headers: signed,
      body,
      timeoutMs: o.requestTimeoutMs,
      signal: req.signal,
      streamBody: req.streamBody ?? false,
    }, retry);
  };
  /** Sends with `auth_type: oidc`'s current credentials. */
  const sendFresh = async (req: S3Request, source: CredentialSource) => {
    const got = await source();
    return got.ok ? await send(req, got.value) : got;
  };
  const fresh = t.credentials;
  // Not an async function: static credentials (or none) need no await (issue 30).
  return (req) => {
    // A dot segment would be resolved away by URL parsing; pathOf keeps them literal.
    const dots = urlPathProblem(req.path, "s3");
    if (dots) return Promise.resolve(err(dots));
    return fresh ? sendFresh(req, fresh) : send(req, o.credentials);
  };
}

/** The payload hash a body is signed with: bytes are hashed, a stream is unsigned. */
function payloadHash(body: HttpBody | undefined): string {
  if (body?.kind === "bytes") return sha256Hex(body.bytes);
  return body ? "UNSIGNED-PAYLOAD" : EMPTY_SHA256;
}

/** A query string with RFC 3986 encoding (what the signer canonicalizes to). */
export function queryString(q: URLSearchParams): string {
  return [...q].map((
    [k, v],
  ) => (v === "" && k === "uploads" ? k : `${uriEncode(k)}=${uriEncode(v)}`)).join("&");
}
