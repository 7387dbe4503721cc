/**
 * Builds an `S3Context` over memory backends so that a handler can be called
 * directly, without routing, authentication or sockets.
 */
import type { QueryParams } from "../../../../src/http/target.ts";
import { type Authorizer, createAuthorizer } from "../../../../src/authz/authorizer.ts";
import assert from "node:assert/strict";
import { defaultConfig } from "../../../_support/config.ts";
import type { Identity } from "../../../../src/auth/identity.ts";
import type {
  Backend,
  HttpMeta,
  ObjectMeta,
  ObjectStore,
} from "../../../../src/backends/backend.ts";
import { createMemoryBackend } from "../../../../src/backends/memory.ts";
import { fixedClock } from "../../../../src/clock.ts";
import {
  ACTIONS,
  type BucketConfig,
  type Config,
  type Scope,
} from "../../../../src/config/types.ts";
import type { ProxyError, ProxyErrorKind } from "../../../../src/errors.ts";
import type { ClientSide } from "../../../../src/http/forwarded.ts";
import type { Result } from "../../../../src/result.ts";
import type { ResolvedBucket, S3Context } from "../../../../src/s3/context.ts";
import type { OperationKind } from "../../../../src/s3/request.ts";

/** The fixed time of every context's clock. */
export const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

/** An access key granted every action on every bucket. */
export const ADMIN: Identity = identityWith([{ bucket: "*", prefixes: [], actions: [...ACTIONS] }]);

/** An access-key identity with the given scopes. */
export function identityWith(scopes: readonly Scope[]): Identity {
  return { kind: "access_key", accessKeyId: "AKIDUNITTEST0000001", principal: "unit", scopes };
}

/** A memory bucket's config. */
export function bucketConfig(name: string, options: Partial<BucketConfig> = {}): BucketConfig {
  return {
    name,
    backend: { type: "memory" },
    anonymousAccess: false,
    backendPrefix: "",
    allowedRoles: [],
    ...options,
  };
}

/** A config with the given buckets (and small, fixed settings; the rest parseConfig's defaults). */
export function unitConfig(overrides: Partial<Config> = {}): Config {
  return {
    ...defaultConfig(),
    listen: "127.0.0.1:0",
    maxBodyBytes: 1024,
    maxConcurrentRequests: 16,
    ownerId: "owner-id",
    ownerDisplayName: "owner-name",
    buckets: [bucketConfig("bkt")],
    ...overrides,
  };
}

/** What a test says about the request a handler is given. */
export interface ContextOptions {
  readonly op?: OperationKind;
  readonly method?: string;
  /** The addressed bucket; default `bkt`. */
  readonly bucket?: string;
  readonly key?: string;
  /** The query string (without `?`) or its pairs. */
  readonly query?: string | Record<string, string>;
  readonly headers?: HeadersInit;
  /** The payload; a string is UTF-8 encoded. */
  readonly body?: string | Uint8Array | ReadableStream<Uint8Array> | null;
  /** The payload length; default the byte length of a string or array body. */
  readonly contentLength?: number;
  readonly identity?: Identity;
  readonly config?: Partial<Config>;
  /** The backend of the addressed bucket; default a new memory backend. */
  readonly backend?: Backend;
  /** Other virtual buckets (CopyObject sources), by name. */
  readonly others?: Readonly<Record<string, ResolvedBucket>>;
  readonly bucketOptions?: Partial<BucketConfig>;
  readonly virtualHosted?: boolean;
  readonly client?: ClientSide;
}

function bodyOf(
  body: ContextOptions["body"],
): { stream: ReadableStream<Uint8Array> | null; length?: number } {
  if (body === undefined || body === null) return { stream: null };
  if (body instanceof ReadableStream) return { stream: body };
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  return { stream: streamOf(bytes), length: bytes.byteLength };
}

/** A stream yielding `bytes` as one chunk (none when empty). */
export function streamOf(bytes: Uint8Array | string): ReadableStream<Uint8Array> {
  const b = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
  return new ReadableStream({
    start(c) {
      if (b.byteLength > 0) c.enqueue(b);
      c.close();
    },
  });
}

/** A handler's context with a backend it can be checked against. */
export function s3Context(options: ContextOptions = {}): S3Context & { backend: Backend } {
  const name = options.bucket ?? "bkt";
  const backend = options.backend ?? createMemoryBackend({ clock: { now: () => NOW } });
  const here: ResolvedBucket = { config: bucketConfig(name, options.bucketOptions), backend };
  const others = options.others ?? {};
  const config = unitConfig({
    buckets: [here.config, ...Object.values(others).map((b) => b.config)],
    ...options.config,
  });
  const { stream, length } = bodyOf(options.body);
  const contentLength = options.contentLength ?? length;
  const query = new URLSearchParams(options.query ?? "");
  const headers = new Headers(options.headers);
  return {
    req: {
      op: options.op ?? "GetObject",
      bucket: name,
      key: options.key ?? "",
      query,
      headers,
      method: options.method ?? "GET",
      virtualHosted: options.virtualHosted ?? false,
    },
    identity: options.identity ?? ADMIN,
    body: stream,
    ...(contentLength !== undefined ? { contentLength } : {}),
    config,
    bucket: here,
    resolve: (n) => (n === name ? here : others[n]),
    clock: fixedClock(NOW),
    requestId: "REQ123",
    ...(options.client ? { client: options.client } : {}),
    authorize: authorizerFor(config, headers, query),
    backend,
  };
}

/** The request path's authorizer over `config`, for a request with these headers and query. */
export function authorizerFor(
  config: Config,
  headers = new Headers(),
  query: QueryParams = new URLSearchParams(),
): Authorizer {
  return createAuthorizer({ config, secureTransport: false, now: NOW, headers, query });
}

/** A bucket to resolve as another virtual bucket (a copy source). */
export function otherBucket(
  name: string,
  backend: Backend = createMemoryBackend({ clock: { now: () => NOW } }),
  options: Partial<BucketConfig> = {},
): ResolvedBucket {
  return { config: bucketConfig(name, options), backend };
}

/** Stores an object directly in a backend. */
export async function seed(
  backend: Backend,
  key: string,
  bytes: string | Uint8Array,
  meta: Partial<HttpMeta> = {},
): Promise<ObjectMeta> {
  const b = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
  const put = await backend.put(key, streamOf(b), {
    meta: { userMetadata: {}, ...meta },
    contentLength: b.byteLength,
  });
  assert.ok(put.ok, `seeding ${key}`);
  return put.value;
}

/** The response of a handler that must have succeeded. */
export function okResponse(r: Result<Response, ProxyError>): Response {
  if (!r.ok) assert.fail(`expected a response, got ${r.error.kind}: ${r.error.message}`);
  return r.value;
}

/** The error of a handler that must have failed with `kind`. */
export function errorOf(r: Result<Response, ProxyError>, kind: ProxyErrorKind): ProxyError {
  if (r.ok) {
    void r.value.body?.cancel();
    assert.fail(`expected ${kind}, got ${r.value.status}`);
  }
  assert.equal(r.error.kind, kind, r.error.message);
  return r.error;
}

/** The stored object's bytes as text, or undefined when absent. */
export async function storedText(backend: ObjectStore, key: string): Promise<string | undefined> {
  const got = await backend.get(key);
  if (!got.ok) return undefined;
  const body = got.value.body;
  return body instanceof Uint8Array
    ? new TextDecoder().decode(body)
    : await new Response(body).text();
}
