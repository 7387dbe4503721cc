/**
 * The dispatch: route → parse → authenticate → authorize → backend → handler,
 * and the one place a ProxyError becomes a response. `createApp` is pure over
 * its collaborators; `main.ts` supplies the real ones.
 */
import { authenticate } from "./auth/authenticate.ts";
import type { SigningKeyCache } from "./sigv4/signing_key.ts";
import { createSessionResolver, type SessionKeys } from "./auth/session_token.ts";
import type { Identity } from "./auth/identity.ts";
import { hasAnyAccess, isAllowed } from "./authz/scopes.ts";
import type { Backend } from "./backends/backend.ts";
import { validateKey } from "./backends/keys.ts";
import type { Clock } from "./clock.ts";
import type { Config, CredentialConfig } from "./config/types.ts";
import { type ProxyError, proxyError, statusOf, toResponse, toStsResponse } from "./errors.ts";
import { discardBody } from "./streams/discard.ts";
import { type ClientSide, clientSide, createProxyTrust } from "./http/forwarded.ts";
import { bindIdleWatchdog, createIdleWatchdog } from "./streams/idle.ts";
import { queryOf, type RequestTarget, requestTarget } from "./http/target.ts";
import { err, ok, type Result } from "./result.ts";
import type { ResolvedBucket, S3Context } from "./s3/context.ts";
import { OPERATIONS } from "./s3/operations.ts";
import { listBuckets } from "./s3/ops/buckets.ts";
import { headerSectionProblem, hostBucket, parseS3Request, type S3Request } from "./s3/request.ts";
import { type OidcIssuer, serveWellKnown } from "./oidc/issuer.ts";
import { handleSts } from "./sts/assume_role.ts";
import { createJwksCache, type JwksCache } from "./sts/jwks.ts";
import { isStsRequest, readStsParams } from "./sts/request.ts";
import { applyCors, preflight } from "./http/cors.ts";
import type { AccessLogEntry } from "./access_log.ts";

/** The collaborators of the app. */
export interface AppDeps {
  readonly config: Config;
  /** One backend per configured bucket name. */
  readonly backends: ReadonlyMap<string, Backend>;
  readonly clock: Clock;
  /** Receives one entry per request. */
  readonly log: (entry: AccessLogEntry) => void;
  /** Derived-key cache shared across requests. */
  readonly signingKeys: SigningKeyCache;
  /**
   * Keys that seal session tokens (`SESSION_TOKEN_KEY`); absent → STS answers
   * that it is not configured and requests with a session token are refused.
   */
  readonly sessionKeys?: SessionKeys;
  /** Signing keys of OIDC issuers, for STS. @default a cache over the global fetch */
  readonly jwks?: JwksCache;
  /** Makes request ids; random by default. */
  readonly requestId?: () => string;
  /** bucketgate's own OIDC issuer, whose documents are served when set. */
  readonly oidcIssuer?: OidcIssuer;
  /**
   * The count of requests being handled, which `max_concurrent_requests`
   * bounds; shared by the apps of one process so a reload does not reset it.
   * @default a count of this app's own
   */
  readonly inFlight?: InFlight;
}

/**
 * Requests being handled now (the app counts them): each until its response
 * body was delivered or dropped when Deno.serve says so (`completed`), else
 * until its handler returns.
 */
export interface InFlight {
  count: number;
}

/** Connection facts Deno.serve passes along. */
export interface ConnInfo {
  readonly remoteAddr?: { readonly hostname: string; readonly port: number };
  /**
   * Settles once the response, body included, was delivered (or could not
   * be). When given, a request counts as in flight until then: a download
   * still streaming is still being handled.
   */
  readonly completed?: Promise<void>;
}

/** A request handler as Deno.serve calls it. */
export type AppHandler = (req: Request, info?: ConnInfo) => Promise<Response>;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0").toUpperCase());
// Random bytes drawn 4 KiB at a time: one getRandomValues call per 512 ids.
const pool = new Uint8Array(4096);
let poolAt = pool.length;

/** A random 16-hex-digit request id. */
export function randomRequestId(): string {
  if (poolAt === pool.length) {
    crypto.getRandomValues(pool);
    poolAt = 0;
  }
  let id = "";
  for (let i = 0; i < 8; i++) id += HEX[pool[poolAt++]!];
  return id;
}

interface Outcome {
  readonly result: Result<Response, ProxyError>;
  readonly authMs?: number;
  readonly backendMs?: number;
  readonly bytesIn?: number;
  readonly route?: S3Request;
  /** The bucket addressed (for CORS), when the request named one. */
  readonly bucketName?: string;
  readonly identity?: Identity;
  /** Set for CORS preflights. */
  readonly preflight?: boolean;
  /** Set for the OIDC issuer's documents. */
  readonly wellKnown?: boolean;
  /**
   * Set on STS calls (errors render as STS XML); a successful one names whom
   * it minted credentials for.
   */
  readonly sts?: {
    readonly action: string;
    readonly principal?: string;
    readonly subject?: string;
  };
}

/** Builds the request handler over a validated config and its backends. */
export function createApp(deps: AppDeps): AppHandler {
  const { config, clock } = deps;
  const credentials = new Map<string, CredentialConfig>(
    config.credentials.map((c) => [c.accessKeyId, c]),
  );
  const buckets = new Map<string, ResolvedBucket>();
  for (const b of config.buckets) {
    const backend = deps.backends.get(b.name);
    if (backend) buckets.set(b.name, { config: b, backend });
  }
  const resolve = (name: string) => buckets.get(name);
  const newId = deps.requestId ?? randomRequestId;
  const sessions = deps.sessionKeys ? createSessionResolver(deps.sessionKeys, clock) : undefined;
  const jwks = deps.jwks ?? createJwksCache({ clock });
  const proxies = createProxyTrust({
    trustedProxies: config.trustedProxies ?? [],
    ...(config.publicEndpoint ? { publicEndpoint: config.publicEndpoint } : {}),
  });
  // Cuts uploads and downloads whose client went quiet (streams/idle.ts).
  const idleSecs = config.clientIdleTimeoutSecs ?? 0;
  const idle = idleSecs > 0 ? createIdleWatchdog({ timeoutMs: idleSecs * 1000, clock }) : undefined;

  async function serveSts(
    req: Request,
    target: RequestTarget,
    requestId: string,
  ): Promise<Outcome> {
    const params = await readStsParams(req, target);
    const action = { action: (params.ok && params.value.get("Action")) || "STS" };
    if (!params.ok) return { result: params, sts: action };
    const answer = await handleSts(params.value, {
      roles: config.roles,
      ...(deps.sessionKeys ? { keys: deps.sessionKeys } : {}),
      jwks,
      clock,
      requestId,
    });
    if (!answer.ok) return { result: answer, sts: action };
    const { response, principal, subject } = answer.value;
    return { result: ok(response), sts: { ...action, principal, subject } };
  }

  /** A bucket's CORS rules: its own `cors:`, else the top-level one. */
  const corsOf = (name: string | undefined) => {
    const bucket = name ? buckets.get(name) : undefined;
    return bucket ? bucket.config.cors ?? config.cors : undefined;
  };

  function answerPreflight(name: string, headers: Headers): Result<Response, ProxyError> {
    if (name !== "" && !buckets.has(name)) {
      return err(proxyError("BucketNotFound", "The specified bucket does not exist"));
    }
    const answer = preflight(corsOf(name), headers);
    if (answer.ok) return ok(new Response(null, { status: 200, headers: answer.headers }));
    const message = {
      "no-origin": "Insufficient information. Origin request header needed.",
      "not-enabled": "CORSResponse: CORS is not enabled for this bucket.",
      "not-allowed":
        "CORSResponse: This CORS request is not allowed. The Origin, the Access-Control-Request-Method or the Access-Control-Request-Headers are not allowed by the bucket's CORS rules.",
    }[answer.refusal];
    return err(proxyError("CorsForbidden", message));
  }

  async function run(req: Request, requestId: string, client: ClientSide): Promise<Outcome> {
    const target = requestTarget(req.url);
    // The issuer's documents, unless the path is a key of a virtual-hosted bucket.
    const doc = deps.oidcIssuer && serveWellKnown(deps.oidcIssuer, req.method, target.rawPath);
    if (doc && !hostBucket(client.host, config.domain)) {
      return { result: ok(doc), wellKnown: true };
    }
    // S3 requests have their header section checked while routed; STS calls and preflights here.
    if (isStsRequest(req.method, target, req.headers)) {
      const tooLarge = headerSectionProblem(req.headers);
      if (tooLarge) return { result: err(tooLarge), sts: { action: "STS" } };
      return await serveSts(req, target, requestId);
    }
    // One strict decoding of the query serves the router and the signature check;
    // a query that does not decode is refused before either reads it.
    const query = queryOf(target);
    if (!query.ok) return { result: query };
    const addressing = { host: client.host, ...(config.domain ? { domain: config.domain } : {}) };
    if (req.method === "OPTIONS") {
      const tooLarge = headerSectionProblem(req.headers);
      if (tooLarge) return { result: err(tooLarge) };
      // A CORS preflight: answered from the bucket's CORS rules, without authentication.
      const named = parseS3Request("GET", target, req.headers, addressing);
      const name = named.ok ? named.value.bucket : "";
      return { result: answerPreflight(name, req.headers), bucketName: name, preflight: true };
    }
    const routed = parseS3Request(req.method, target, req.headers, addressing);
    if (!routed.ok) return { result: routed };
    const route = routed.value;
    const authStart = clock.now();
    const auth = await authenticate(req, target, {
      credentials,
      clock,
      signingKeys: deps.signingKeys,
      ...(sessions ? { sessions } : {}),
      ...(route.virtualHosted ? { vhostBucket: route.bucket } : {}),
      host: client.host,
    });
    const authMs = clock.now() - authStart;
    if (!auth.ok) return { result: auth, route, authMs };
    const { identity } = auth.value;
    if (route.op === "ListBuckets") {
      return { result: ok(listBuckets(config, identity)), route, identity };
    }
    const bucket = buckets.get(route.bucket);
    if (!bucket) {
      return {
        result: err(proxyError("BucketNotFound", "The specified bucket does not exist")),
        route,
        identity,
      };
    }
    const op = OPERATIONS[route.op];
    if (op.objectKey) {
      const bad = validateKey(route.key);
      if (bad) return { result: err(bad), route, identity };
    }
    const denied = authorize(identity, bucket, route, op.requires);
    if (denied) return { result: err(denied), route, identity };
    const ctx: S3Context = {
      req: route,
      identity,
      body: auth.value.body,
      ...(auth.value.contentLength !== undefined
        ? { contentLength: auth.value.contentLength }
        : {}),
      config,
      bucket,
      resolve,
      clock,
      requestId,
      signal: req.signal,
      client,
    };
    if (idle) bindIdleWatchdog(req.signal, idle);
    const opStart = clock.now();
    const result = await op.handler(ctx);
    return {
      result,
      route,
      identity,
      authMs,
      backendMs: clock.now() - opStart,
      ...(auth.value.contentLength !== undefined ? { bytesIn: auth.value.contentLength } : {}),
    };
  }

  const load = deps.inFlight ?? { count: 0 };

  return async function handle(req: Request, info?: ConnInfo): Promise<Response> {
    const started = clock.now();
    const requestId = newId();
    const client = clientSide(req.headers, info?.remoteAddr?.hostname, proxies);
    let outcome: Outcome;
    load.count++;
    // Counted until the response body is delivered (a stalled download holds its
    // place, so max_concurrent_requests bounds the memory of open responses too);
    // without Deno.serve's `completed`, until the handler returns.
    const done = () => void load.count--;
    try {
      outcome = load.count > config.maxConcurrentRequests
        ? { result: err(proxyError("SlowDown", "Please reduce your request rate.")) }
        : !client.ok
        ? { result: client }
        : await run(req, requestId, client.value);
    } catch (e) {
      outcome = { result: err(proxyError("Internal", "unexpected exception", e)) };
    } finally {
      if (info?.completed) info.completed.then(done, done);
      else done();
    }
    const { result, route, identity, authMs, backendMs, bytesIn, sts } = outcome;
    const bucketName = route?.bucket ?? outcome.bucketName;
    let response: Response;
    let detail: string | undefined;
    if (result.ok) {
      response = result.value;
      response.headers.set("x-amz-request-id", requestId);
      response.headers.set("x-amz-id-2", requestId);
    } else {
      const e = result.error;
      if (statusOf(e) >= 500) detail = describe(e);
      response = sts
        ? toStsResponse(e, requestId)
        : toResponse(e, requestId, { head: req.method === "HEAD" });
      if (await discardBody(req) || e.kind === "RequestTimeout") {
        response.headers.set("connection", "close");
      }
    }
    if (awaitsContinueWithoutBody(req.headers)) response.headers.set("connection", "close");
    if (!outcome.preflight) {
      applyCors(corsOf(bucketName), req.method, req.headers, response.headers);
    }
    const totalMs = clock.now() - started;
    if (config.serverTiming) {
      const parts = [
        ...(authMs !== undefined ? [`auth;dur=${authMs}`] : []),
        ...(backendMs !== undefined ? [`backend;dur=${backendMs}`] : []),
        `total;dur=${totalMs}`,
      ];
      response.headers.set("server-timing", parts.join(", "));
    }
    const bytesOut = req.method === "HEAD"
      ? 0
      : Number(response.headers.get("content-length") ?? NaN);
    deps.log({
      time: new Date(started).toISOString(),
      requestId,
      ...(client.ok ? clientFields(client.value) : remoteField(info)),
      method: req.method,
      ...(route ? { operation: route.op, bucket: route.bucket, key: route.key } : {}),
      ...(sts ? { operation: sts.action } : {}),
      ...(outcome.preflight ? { operation: "CorsPreflight", bucket: bucketName ?? "" } : {}),
      ...(outcome.wellKnown ? { operation: "OidcDiscovery" } : {}),
      ...(sts?.principal
        ? { principal: sts.principal, authMode: "web_identity", subject: sts.subject }
        : {}),
      ...(identity && identity.kind !== "anonymous" ? { principal: identity.principal } : {}),
      ...(identity ? { authMode: identity.kind } : {}),
      status: response.status,
      ...(!result.ok ? { errorCode: result.error.kind } : {}),
      totalMs,
      ...(authMs !== undefined ? { authMs } : {}),
      ...(backendMs !== undefined ? { backendMs } : {}),
      ...(bytesIn !== undefined ? { bytesIn } : {}),
      ...(Number.isFinite(bytesOut) ? { bytesOut } : {}),
      ...(req.headers.get("user-agent") ? { userAgent: req.headers.get("user-agent")! } : {}),
      ...(detail ? { detail } : {}),
    });
    return response;
  };
}

/** The log's address fields of a request whose client side is known. */
function clientFields(client: ClientSide): Pick<AccessLogEntry, "remote" | "proxy"> {
  return {
    ...(client.address !== undefined ? { remote: client.address } : {}),
    ...(client.proxy !== undefined ? { proxy: client.proxy } : {}),
  };
}

/** The peer's address, for a request whose forwarded headers were refused. */
function remoteField(info: ConnInfo | undefined): Pick<AccessLogEntry, "remote"> {
  return info?.remoteAddr ? { remote: info.remoteAddr.hostname } : {};
}

function describe(e: ProxyError): string {
  const d = e.detail;
  if (d instanceof Error) return `${e.kind}: ${e.message}: ${d.name}: ${d.message}`;
  return d === undefined ? `${e.kind}: ${e.message}` : `${e.kind}: ${e.message}: ${String(d)}`;
}

function authorize(
  identity: Identity,
  bucket: ResolvedBucket,
  route: S3Request,
  requires: (typeof OPERATIONS)[keyof typeof OPERATIONS]["requires"],
): ProxyError | undefined {
  let allowed: boolean;
  switch (requires.kind) {
    case "handler":
      return undefined;
    case "any":
      allowed = hasAnyAccess(identity, bucket.config);
      break;
    case "action":
      allowed = isAllowed(identity, bucket.config, requires.action, requires.target(route));
      break;
    default: {
      const never: never = requires;
      return never;
    }
  }
  if (allowed) return undefined;
  return identity.kind === "anonymous"
    ? proxyError("MissingAuth", "Access Denied: this request needs credentials")
    : proxyError("AccessDenied", "Access Denied");
}

/**
 * A request that sent `Expect: 100-continue` with an empty body never gets a
 * 100 from Deno.serve (there is no body to ask for), and botocore then misreads
 * the next response on that connection, stalling 60 s (boto/botocore#3755):
 * such a connection is closed after its response.
 */
export function awaitsContinueWithoutBody(headers: Headers): boolean {
  return (headers.get("expect") ?? "").toLowerCase().includes("100-continue") &&
    headers.get("content-length") === "0";
}
