/**
 * The authorization step of the request path: one request's facts (its
 * address, transport, time, headers, query and signature) made into condition
 * keys, and each check it needs (the operation on its bucket and key, a copy's
 * source, every key of a DeleteObjects, a POST form's final key) decided by the
 * iam/ evaluator over the policies of the config at hand: the caller's scopes
 * and `policies:`, the bucket's `bucket_policy` and `anonymous_access`, and a
 * session's sealed policy. A refusal is the S3 error the client gets; the
 * decision behind the last one is kept for the access log.
 */
import type { Identity } from "../auth/identity.ts";
import type { BucketConfig, Config } from "../config/types.ts";
import { type ProxyError, proxyError } from "../errors.ts";
import type { QueryParams } from "../http/target.ts";
import type { OperationName } from "../iam/actions.ts";
import type { Decision } from "../iam/evaluate.ts";
import type { ContextKeys } from "../iam/keys.ts";
import {
  contextKeys,
  type RequestFacts,
  type SessionFacts,
  type SigningFacts,
} from "./context_keys.ts";
import { type AttachedPolicies, configuredPolicies, decide, mayAccess } from "./policy_set.ts";

/** The operations whose listing parameters (`s3:prefix`, `s3:delimiter`, `s3:max-keys`) are keys. */
const LISTINGS: ReadonlySet<OperationName> = new Set([
  "ListObjects",
  "ListObjectsV2",
  "ListMultipartUploads",
]);

/** What the request path knows of one request, once. */
export interface RequestScene {
  /** The config serving the request: its credentials' and roles' `policies:` apply. */
  readonly config: Pick<Config, "credentials" | "roles">;
  /** The client's address after trusted proxies; absent when unknown. */
  readonly sourceIp?: string;
  readonly secureTransport: boolean;
  /** The request's time (ms since the epoch). */
  readonly now: number;
  readonly headers: Headers;
  readonly query: QueryParams;
}

/** One check: may `identity` run `operation` on `bucket` (and `key`)? */
export interface Check {
  readonly identity: Identity;
  readonly bucket: BucketConfig;
  readonly operation: OperationName;
  /** The object key, for an operation on one. */
  readonly key?: string;
  /** How the caller signed, when not the request's own signature (a POST form's). */
  readonly signing?: SigningFacts;
  /** A listing's `s3:prefix`, when not the request's own (a path-mapped account listing's, per bucket). */
  readonly prefix?: string;
}

/** Decides a request's checks; `denial()` is the decision behind the last refusal. */
export interface Authorizer {
  /** Undefined when allowed; else 403 AccessDenied (MissingAuth for an anonymous caller). */
  (check: Check): ProxyError | undefined;
  /** The last refusal's decision, for the access log (never the response). */
  denial(): Decision | undefined;
  /** Whether ListBuckets shows `bucket` to `identity`: some statement may allow it something there. */
  sees(identity: Identity, bucket: BucketConfig): boolean;
}

/** How a request was signed, read from its `Authorization` header or query (none: anonymous). */
export function signingOf(
  headers: Headers,
  query: QueryParams,
  now: number,
): SigningFacts | undefined {
  const authorization = headers.get("authorization");
  if (authorization !== null) {
    const v4 = authorization.startsWith("AWS4-HMAC-SHA256");
    return withAge(
      {
        signatureVersion: v4 ? "AWS4-HMAC-SHA256" : "AWS",
        authType: "REST-HEADER",
      },
      headers.get("x-amz-date") ?? headers.get("date"),
      now,
    );
  }
  if (query.has("X-Amz-Algorithm")) {
    return withAge(
      { signatureVersion: "AWS4-HMAC-SHA256", authType: "REST-QUERY-STRING" },
      query.get("X-Amz-Date"),
      now,
    );
  }
  if (query.has("AWSAccessKeyId") && query.has("Signature")) {
    return { signatureVersion: "AWS", authType: "REST-QUERY-STRING" };
  }
  return undefined;
}

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** The signature's age from its date (`20261207T120000Z` or an HTTP date), when it parses. */
function withAge(facts: SigningFacts, date: string | null, now: number): SigningFacts {
  if (date === null) return facts;
  const m = AMZ_DATE.exec(date);
  const signed = m
    ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)
    : Date.parse(date);
  return Number.isFinite(signed) ? { ...facts, signatureAgeMs: Math.max(0, now - signed) } : facts;
}

/** The request's query, its `prefix` replaced when `prefix` is given. */
function queryOf(query: QueryParams, prefix: string | undefined): Pick<QueryParams, "get"> {
  if (prefix === undefined) return query;
  return { get: (name) => name === "prefix" ? prefix : query.get(name) };
}

/** A session's facts: what its token sealed, else its session name from its principal. */
function sessionFacts(identity: Identity): SessionFacts | undefined {
  if (identity.kind !== "session") return undefined;
  const p = identity.principal;
  return {
    sessionName: identity.sessionName ?? p.slice(p.indexOf("/") + 1),
    ...(identity.issuedAt !== undefined ? { issuedAt: identity.issuedAt } : {}),
    ...(identity.claims !== undefined ? { claims: identity.claims } : {}),
  };
}

/** The policies beside the scopes: the current config's `policies:` and a session's own. */
function attachedOf(identity: Identity, scene: RequestScene): AttachedPolicies {
  const policies = configuredPolicies(identity, scene.config);
  const session = identity.kind === "session" ? identity.sessionPolicy : undefined;
  return { identity: policies.length > 0 ? policies : undefined, session };
}

/** One check's facts (authz/context_keys.ts), the request's signing read only when a condition asks. */
class CheckFacts implements RequestFacts {
  readonly identity: Identity;
  readonly sourceIp: string | undefined;
  readonly secureTransport: boolean;
  readonly now: number;
  readonly headers: Headers;
  readonly query: Pick<QueryParams, "get"> | undefined;
  readonly session: SessionFacts | undefined;
  readonly #check: Check;
  readonly #signing: () => SigningFacts | undefined;

  constructor(
    scene: RequestScene,
    check: Check,
    listing: boolean,
    signing: () => SigningFacts | undefined,
  ) {
    this.identity = check.identity;
    this.sourceIp = scene.sourceIp;
    this.secureTransport = scene.secureTransport;
    this.now = scene.now;
    this.headers = scene.headers;
    this.query = listing ? queryOf(scene.query, check.prefix) : undefined;
    this.session = sessionFacts(check.identity);
    this.#check = check;
    this.#signing = signing;
  }

  get signing(): SigningFacts | undefined {
    return this.#check.signing ??
      (this.identity.kind === "anonymous" ? undefined : this.#signing());
  }
}

/** The authorizer of one request; condition keys are built once per caller and kind of check. */
export function createAuthorizer(scene: RequestScene): Authorizer {
  let signed: { facts: SigningFacts | undefined } | undefined;
  // Read only when a condition asks how the request was signed.
  const signing = () =>
    (signed ??= { facts: signingOf(scene.headers, scene.query, scene.now) }).facts;
  let last: { identity: Identity; listing: boolean; keys: ContextKeys } | undefined;
  let attached: { identity: Identity; policies: AttachedPolicies } | undefined;
  let denied: Decision | undefined;
  const keysFor = (check: Check): ContextKeys => {
    const listing = LISTINGS.has(check.operation);
    const own = !check.signing && check.prefix === undefined;
    if (own && last?.identity === check.identity && last.listing === listing) return last.keys;
    const keys = contextKeys(new CheckFacts(scene, check, listing, signing));
    if (own) last = { identity: check.identity, listing, keys };
    return keys;
  };
  const attachedTo = (identity: Identity): AttachedPolicies => {
    if (attached?.identity !== identity) {
      attached = { identity, policies: attachedOf(identity, scene) };
    }
    return attached.policies;
  };
  const authorize = (check: Check): ProxyError | undefined => {
    const policies = attachedTo(check.identity);
    const decision = decide(check.identity, check.bucket, {
      operation: check.operation,
      key: check.key,
      keys: keysFor(check),
    }, policies);
    if (decision.allowed) return undefined;
    denied = decision;
    return check.identity.kind === "anonymous"
      ? proxyError("MissingAuth", "Access Denied: this request needs credentials")
      : proxyError("AccessDenied", "Access Denied");
  };
  return Object.assign(authorize, {
    denial: () => denied,
    sees: (identity: Identity, bucket: BucketConfig) =>
      mayAccess(identity, bucket, attachedTo(identity)),
  });
}
