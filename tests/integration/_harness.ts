/** Builds the whole app over memory backends and signs requests with an independent SigV4 signer. */
import { defaultConfig } from "../_support/config.ts";
import { testSigner } from "../_support/signer.ts";
import type { AccessLogEntry } from "../../src/log/entry.ts";
import { type AppHandler, createApp, type InFlight } from "../../src/app.ts";
import { createSigningKeyCache } from "../../src/sigv4/signing_key.ts";
import type { Backend } from "../../src/backends/backend.ts";
import { createMemoryBackend } from "../../src/backends/memory.ts";
import { prefixed } from "../../src/backends/prefixed.ts";
import { fixedClock } from "../../src/clock.ts";
import { ACTIONS, type Config } from "../../src/config/types.ts";
import type { SessionKeys } from "../../src/auth/session_token.ts";
import type { JwksCache } from "../../src/sts/jwks.ts";
import type { OidcIssuer } from "../../src/oidc/issuer.ts";

/** The fixed time of every test request. */
export const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);

/** Full-access and read-only keys. */
export const ADMIN = { id: "AKIDADMIN0000000001", secret: "admin-secret-key-123" } as const;
export const READER = { id: "AKIDREADER000000001", secret: "reader-secret-key-123" } as const;
export const SCOPED = { id: "AKIDSCOPED000000001", secret: "scoped-secret-key-123" } as const;
export const DISABLED = { id: "AKIDDISABLED0000001", secret: "disabled-secret-123" } as const;
export const EXPIRED = { id: "AKIDEXPIRED00000001", secret: "expired-secret-1234" } as const;

/**
 * A config with a public bucket, a private one, and one with a backend prefix
 * (every other setting at parseConfig's default).
 */
export function testConfig(overrides: Partial<Config> = {}): Config {
  const bucket = (name: string, anonymousAccess: boolean, backendPrefix = "") => ({
    name,
    backend: { type: "memory" as const },
    anonymousAccess,
    backendPrefix,
    allowedRoles: [],
  });
  return {
    ...defaultConfig(),
    listen: "127.0.0.1:0",
    maxBodyBytes: 10 * 1024 * 1024,
    buckets: [bucket("public", true), bucket("private", false), bucket("prefixed", false, "v2/")],
    credentials: [
      {
        accessKeyId: ADMIN.id,
        secretAccessKey: ADMIN.secret,
        principalName: "admin",
        enabled: true,
        allowedScopes: [{ bucket: "*", prefixes: [], actions: [...ACTIONS] }],
      },
      {
        accessKeyId: READER.id,
        secretAccessKey: READER.secret,
        principalName: "reader",
        enabled: true,
        allowedScopes: [{
          bucket: "*",
          prefixes: [],
          actions: ["get_object", "head_object", "list_bucket"],
        }],
      },
      {
        accessKeyId: SCOPED.id,
        secretAccessKey: SCOPED.secret,
        principalName: "scoped",
        enabled: true,
        allowedScopes: [{ bucket: "private", prefixes: ["data"], actions: [...ACTIONS] }],
      },
      {
        accessKeyId: DISABLED.id,
        secretAccessKey: DISABLED.secret,
        principalName: "disabled",
        enabled: false,
        allowedScopes: [{ bucket: "*", prefixes: [], actions: [...ACTIONS] }],
      },
      {
        accessKeyId: EXPIRED.id,
        secretAccessKey: EXPIRED.secret,
        principalName: "expired",
        enabled: true,
        expiresAt: new Date(NOW - 1000),
        allowedScopes: [{ bucket: "*", prefixes: [], actions: [...ACTIONS] }],
      },
    ],
    ...overrides,
  };
}

/** The app under test with its raw backends (for checking what was stored). */
export interface Harness {
  readonly handle: (req: Request) => Promise<Response>;
  /** The app itself, as Deno.serve calls it (with its connection info). */
  readonly app: AppHandler;
  readonly raw: ReadonlyMap<string, Backend>;
  readonly logs: AccessLogEntry[];
  readonly clock: ReturnType<typeof fixedClock>;
}

/** Optional collaborators of the app under test. */
export interface HarnessOptions {
  readonly sessionKeys?: SessionKeys;
  readonly jwks?: JwksCache;
  /** Wraps each bucket's backend (spies, fault injection). */
  readonly wrapBackend?: (b: Backend) => Backend;
  /** bucketgate's own OIDC issuer. */
  readonly oidcIssuer?: OidcIssuer;
  /** A count of requests in flight shared with other apps. */
  readonly inFlight?: InFlight;
  /** Told the rule that refused a request (its throttled counter). */
  readonly onThrottled?: (rule: string) => void;
}

/** Builds the app over fresh memory backends. */
export function harness(config: Config = testConfig(), options: HarnessOptions = {}): Harness {
  const raw = new Map<string, Backend>();
  const backends = new Map<string, Backend>();
  const clock = fixedClock(NOW);
  for (const b of config.buckets) {
    const m = createMemoryBackend({ clock: { now: () => clock.now() } });
    raw.set(b.name, m);
    const inner = prefixed(m, b.backendPrefix);
    backends.set(b.name, options.wrapBackend ? options.wrapBackend(inner) : inner);
  }
  const logs: AccessLogEntry[] = [];
  const app = createApp({
    config,
    backends,
    clock,
    log: (e) => logs.push(e),
    signingKeys: createSigningKeyCache(),
    ...(options.sessionKeys ? { sessionKeys: options.sessionKeys } : {}),
    ...(options.jwks ? { jwks: options.jwks } : {}),
    ...(options.oidcIssuer ? { oidcIssuer: options.oidcIssuer } : {}),
    ...(options.inFlight ? { inFlight: options.inFlight } : {}),
    ...(options.onThrottled ? { onThrottled: options.onThrottled } : {}),
  });
  return { handle: (req) => app(req), app, raw, logs, clock };
}

/** Options of a test request. */
export interface RequestOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Uint8Array;
  /** Sign with these credentials (with a session token for temporary ones); anonymous when absent. */
  readonly key?: { readonly id: string; readonly secret: string; readonly token?: string };
  /** Payload hash to sign; default the body's SHA-256. */
  readonly unsignedPayload?: boolean;
  readonly signedAt?: number;
  /** Scheme and host to address; default BASE. */
  readonly base?: string;
}

/** The base URL of test requests. */
export const BASE = "http://gateway.test";

/** Builds a (signed) Request for a path with an optional query, e.g. `/bucket/key?list-type=2`. */
export async function makeRequest(pathAndQuery: string, o: RequestOptions = {}): Promise<Request> {
  const url = new URL((o.base ?? BASE) + pathAndQuery);
  const method = o.method ?? "GET";
  const body: Uint8Array<ArrayBuffer> | undefined = typeof o.body === "string"
    ? new TextEncoder().encode(o.body)
    : o.body
    ? new Uint8Array(o.body)
    : undefined;
  const headers: Record<string, string> = {
    host: url.host,
    // Deno.serve requests carry the Content-Length the client sent; a Request built here does not.
    ...(body ? { "content-length": String(body.length) } : {}),
    ...(o.headers ?? {}),
  };
  if (!o.key) return new Request(url, { method, headers, ...(body ? { body } : {}) });
  const signer = testSigner(o.key, !o.unsignedPayload);
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  if (o.unsignedPayload) headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD";
  const signed = await signer.sign({
    method,
    protocol: "http:",
    hostname: url.hostname,
    path: url.pathname,
    query,
    headers,
    ...(body ? { body } : {}),
  }, { signingDate: new Date(o.signedAt ?? NOW) });
  return new Request(url, {
    method,
    headers: signed.headers as Record<string, string>,
    ...(body ? { body } : {}),
  });
}

/** Sends a request through the app. */
export async function send(
  h: Harness,
  pathAndQuery: string,
  o: RequestOptions = {},
): Promise<Response> {
  return await h.handle(await makeRequest(pathAndQuery, o));
}

/** The `<Code>` of an S3 error body. */
export async function errorCode(res: Response): Promise<string | undefined> {
  const text = await res.text();
  return /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
}
