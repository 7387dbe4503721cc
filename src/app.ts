/**
 * The pipeline's wiring and `handle`: a request goes to the OIDC issuer's
 * documents, STS (sts/serve.ts), a CORS preflight (http/cors_preflight.ts) or
 * the S3 path (s3/serve.ts: route → authenticate → bucket → key → authorize →
 * handler), each ending in a `RequestOutcome` (s3/outcome.ts);
 * http/finish_response.ts makes the response sent, and log/entry.ts its log
 * entry. `createApp` is pure over its collaborators;
 * `main.ts` supplies the real ones.
 */
import type { SessionKeys } from "./auth/session_token.ts";
import type { Backend } from "./backends/backend.ts";
import type { Clock } from "./clock.ts";
import type { Config } from "./config/types.ts";
import { proxyError } from "./errors.ts";
import { answerPreflight, corsOf, type CorsSources } from "./http/cors_preflight.ts";
import { type FinishOptions, finishResponse } from "./http/finish_response.ts";
import {
  type ClientSide,
  clientSide,
  createProxyTrust,
  type ProxyTrust,
} from "./http/forwarded.ts";
import { queryOf, type RequestTarget, requestTarget } from "./http/target.ts";
import { type AccessLogEntry, accessLogEntry } from "./log/entry.ts";
import { type OidcIssuer, serveWellKnown } from "./oidc/issuer.ts";
import { randomRequestId } from "./http/request_id.ts";
import { err, ok } from "./result.ts";
import type { ResolvedBucket } from "./s3/context.ts";
import { bucketOf, type RequestOutcome, stepTimes } from "./s3/outcome.ts";
import { headerSectionProblem, hostBucket, parseS3Request } from "./s3/request.ts";
import { createLimiter, type Limiter } from "./limits/limiter.ts";
import { createLocalStore } from "./limits/local_store.ts";
import { realSleep } from "./limits/pace.ts";
import { callerOf } from "./limits/plan.ts";
import type { CounterStore } from "./limits/store.ts";
import { createS3Server, type S3Server } from "./s3/serve.ts";
import { createNamespace, type Namespace } from "./s3/namespace.ts";
import type { SigningKeyCache } from "./sigv4/signing_key.ts";
import { createJwksCache, type JwksCache } from "./sts/jwks.ts";
import { isStsRequest } from "./sts/request.ts";
import { serveSts } from "./sts/serve.ts";

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
  /**
   * The counters of `limits:` and `quotas:`, shared by the apps of one process
   * so a reload keeps them (limits/open_store.ts). @default counters of this app's own
   */
  readonly limits?: CounterStore;
  /** Told the name of the limit or quota rule that refused a request (its throttled counter). */
  readonly onThrottled?: (rule: string) => void;
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

/** The limiter of a config with `limits:` or `quotas:`, over the shared counters. */
function limiterOf(deps: AppDeps): Limiter | undefined {
  const rules = { limits: deps.config.limits ?? [], quotas: deps.config.quotas ?? [] };
  if (rules.limits.length === 0 && rules.quotas.length === 0) return undefined;
  const store = deps.limits ?? createLocalStore();
  return createLimiter({
    rules: () => rules,
    store,
    clock: deps.clock,
    sleep: realSleep,
    ...(deps.onThrottled ? { onRefused: deps.onThrottled } : {}),
  });
}

/** What the steps share: the app's collaborators and what was built from them once. */
interface Pipeline extends AppDeps {
  readonly limiter?: Limiter;
  readonly cors: CorsSources;
  readonly newId: () => string;
  readonly serveS3: S3Server;
  readonly jwks: JwksCache;
  readonly proxies: ProxyTrust | undefined;
  readonly load: InFlight;
  /** Counts one request out of `load` (made once, not per request). */
  readonly release: () => void;
  /** `path_mapping`'s translation (s3/namespace.ts), for the S3 path and preflights alike. */
  readonly namespace?: Namespace;
}

/**
 * Builds the request handler over a validated config and its backends.
 *
 * @example A public bucket over memory, served without a socket
 * ```ts
 * import assert from "node:assert/strict";
 * import { createApp } from "./app.ts";
 * import type { AccessLogEntry } from "./log/entry.ts";
 * import { createMemoryBackend } from "./backends/memory.ts";
 * import { systemClock } from "./clock.ts";
 * import { parseConfig } from "./config/load.ts";
 * import { createSigningKeyCache } from "./sigv4/signing_key.ts";
 *
 * const yaml = "buckets:\n  - { name: public, backend_type: memory, anonymous_access: true }\n";
 * const parsed = parseConfig(yaml, () => undefined);
 * assert.ok(parsed.ok);
 * const store = createMemoryBackend();
 * const log: AccessLogEntry[] = [];
 * const handle = createApp({
 *   config: parsed.value,
 *   backends: new Map([["public", store]]),
 *   clock: systemClock,
 *   log: (entry) => log.push(entry),
 *   signingKeys: createSigningKeyCache(),
 * });
 *
 * await store.put("hello.txt", new Blob(["hi"]).stream(), { meta: { userMetadata: {} } });
 * const res = await handle(new Request("http://127.0.0.1:8080/public/hello.txt"));
 * assert.equal(res.status, 200);
 * assert.equal(await res.text(), "hi");
 *
 * // An anonymous write is refused, and each request leaves one log entry.
 * const put = await handle(new Request("http://127.0.0.1:8080/public/x", { method: "PUT" }));
 * assert.equal(put.status, 403);
 * await put.body?.cancel();
 * assert.deepEqual(log.map((e) => [e.operation, e.authMode, e.status]), [
 *   ["GetObject", "anonymous", 200],
 *   ["PutObject", "anonymous", 403],
 * ]);
 * ```
 */
export function createApp(deps: AppDeps): AppHandler {
  const { config, clock } = deps;
  const buckets = new Map<string, ResolvedBucket>();
  for (const b of config.buckets) {
    const backend = deps.backends.get(b.name);
    if (backend) buckets.set(b.name, { config: b, backend });
  }
  const limiter = limiterOf(deps);
  const load = deps.inFlight ?? { count: 0 };
  const pipeline: Pipeline = {
    ...deps,
    ...(limiter ? { limiter } : {}),
    cors: { lookup: (name) => buckets.get(name), fallback: config.cors },
    ...(config.pathMapping
      ? { namespace: createNamespace(config.pathMapping, buckets.keys()) }
      : {}),
    newId: deps.requestId ?? randomRequestId,
    serveS3: createS3Server({
      config,
      buckets,
      clock,
      signingKeys: deps.signingKeys,
      ...(deps.sessionKeys ? { sessionKeys: deps.sessionKeys } : {}),
      ...(limiter ? { limiter } : {}),
    }),
    jwks: deps.jwks ?? createJwksCache({ clock }),
    proxies: createProxyTrust({
      trustedProxies: config.trustedProxies,
      ...(config.publicEndpoint ? { publicEndpoint: config.publicEndpoint } : {}),
    }),
    load,
    release: () => void load.count--,
  };
  return function handle(req: Request, info?: ConnInfo): Promise<Response> {
    return respond(req, info, pipeline);
  };
}

/**
 * One request, start to end: counted in flight, refused beyond
 * `max_concurrent_requests` (503 SlowDown) or when its forwarded headers were
 * refused, else dispatched (an exception is a 500); the response made of its
 * outcome, and its log entry. One async layer (issue 30).
 */
async function respond(req: Request, info: ConnInfo | undefined, p: Pipeline): Promise<Response> {
  const started = p.clock.now();
  const requestId = p.newId();
  // Read once: Deno.serve's `remoteAddr` getter builds a new object on every read.
  const peer = info?.remoteAddr;
  const client = clientSide(req.headers, peer?.hostname, p.proxies);
  const load = p.load;
  load.count++;
  // Counted until the response body is delivered (a stalled download holds its
  // place, so max_concurrent_requests bounds the memory of open responses too);
  // without Deno.serve's `completed`, until the outcome is known.
  let outcome: RequestOutcome;
  try {
    outcome = load.count > p.config.maxConcurrentRequests
      ? { result: err(proxyError("SlowDown", "Please reduce your request rate.")) }
      : !client.ok
      ? { result: client }
      : await dispatch(req, requestId, client.value, p);
  } catch (e) {
    outcome = { result: err(proxyError("Internal", "unexpected exception", e)) };
  }
  const completed = info?.completed;
  if (completed) completed.then(p.release, p.release);
  else p.release();
  const finish: FinishOptions = {
    requestId,
    result: outcome.result,
    sts: outcome.sts !== undefined,
    // A preflight's answer carries its own CORS headers.
    cors: outcome.preflight ? undefined : corsOf(bucketOf(outcome), p.cors),
    clock: p.clock,
    started,
  };
  const finishing = finishResponse(
    req,
    // No empty object spread per request when Server-Timing is off (issue 30).
    p.config.serverTiming ? { ...finish, serverTiming: stepTimes(outcome) } : finish,
  );
  const { response, totalMs } = finishing instanceof Promise ? await finishing : finishing;
  p.log(accessLogEntry(req, {
    requestId,
    started,
    totalMs,
    outcome,
    response,
    client,
    peer,
  }));
  return response;
}

/**
 * Sends a request down its path: the issuer's documents, STS, a CORS
 * preflight, or S3. Not `async`: an S3 request's outcome is the S3 path's own
 * promise, with no layer around it (issue 30).
 */
function dispatch(
  req: Request,
  requestId: string,
  client: ClientSide,
  p: Pipeline,
): Promise<RequestOutcome> {
  const { config } = p;
  const target = requestTarget(req.url);
  // The issuer's documents, unless the path is a key of a virtual-hosted bucket.
  const doc = p.oidcIssuer && serveWellKnown(p.oidcIssuer, req.method, target.rawPath);
  if (doc && !hostBucket(client.host, config.domain)) {
    return Promise.resolve({ result: ok(doc), wellKnown: true });
  }
  // S3 requests have their header section checked while routed; STS calls and preflights here.
  if (isStsRequest(req.method, target, req.headers)) {
    return dispatchSts(req, target, requestId, client, p);
  }
  // One strict decoding of the query serves the router and the signature check;
  // a query that does not decode is refused before either reads it.
  const query = queryOf(target);
  if (!query.ok) return Promise.resolve({ result: query });
  // One shape for every request, no spreads (issue 30).
  const addressing = { host: client.host, domain: config.domain, namespace: p.namespace };
  if (req.method === "OPTIONS") {
    const tooLarge = headerSectionProblem(req.headers);
    if (tooLarge) return Promise.resolve({ result: err(tooLarge) });
    // A CORS preflight: answered from the bucket's CORS rules, without authentication.
    const named = parseS3Request("GET", target, req.headers, addressing);
    const name = named.ok ? named.value.bucket : "";
    const result = answerPreflight(name, { ...p.cors, headers: req.headers });
    return Promise.resolve({ result, bucketName: name, preflight: true });
  }
  return p.serveS3(req, { target, addressing, requestId, client });
}

/** An STS call: its header section checked, its source network's anonymous rate charged, then served. */
async function dispatchSts(
  req: Request,
  target: RequestTarget,
  requestId: string,
  client: ClientSide,
  p: Pipeline,
): Promise<RequestOutcome> {
  const tooLarge = headerSectionProblem(req.headers);
  if (tooLarge) return { result: err(tooLarge), sts: { action: "STS" } };
  // An STS call is unsigned: it counts toward its source network's anonymous rate.
  const limited = await p.limiter?.admit(callerOf(undefined, client.address ?? ""), 0);
  if (limited && !limited.ok) return { result: limited, sts: { action: "STS" } };
  return await serveSts(req, {
    target,
    requestId,
    roles: p.config.roles,
    ...(p.sessionKeys ? { sessionKeys: p.sessionKeys } : {}),
    jwks: p.jwks,
    clock: p.clock,
  });
}
