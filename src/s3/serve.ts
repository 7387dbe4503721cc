/**
 * The S3 path of a request: route → authenticate → resolve the bucket →
 * validate the key → authorize → run the operation's handler. Each step that
 * refuses ends the path with its error; the outcome says how far it got, for
 * the access log. Under `limits:` and `quotas:` an admitted request is
 * checked and counted before its handler runs, and its bodies metered
 * (limits/): a request refused for its signature counts toward its source
 * network's anonymous rate.
 */
import { authenticate, type SessionResolver } from "../auth/authenticate.ts";
import type { Authenticated, Identity } from "../auth/identity.ts";
import type { PostFormKeys } from "../auth/post_form.ts";
import { createSessionResolver, type SessionKeys } from "../auth/session_token.ts";
import { createPresignedCache, type PresignedCache } from "../auth/presigned_cache.ts";
import { createSessionPolicyCache } from "../sts/session_policy.ts";
import { type Authorizer, createAuthorizer } from "../authz/authorizer.ts";
import { decisionReason } from "../iam/explain.ts";
import { validateKey } from "../backends/keys.ts";
import type { Clock } from "../clock.ts";
import type { Config, CredentialConfig } from "../config/types.ts";
import { type ProxyError, proxyError } from "../errors.ts";
import type { ClientSide } from "../http/forwarded.ts";
import type { RequestTarget } from "../http/target.ts";
import { err, ok, type Result } from "../result.ts";
import type { Limiter, Ticket } from "../limits/limiter.ts";
import { meterResponse, meterUpload } from "../limits/meter.ts";
import { keepWatched } from "../limits/pace.ts";
import { callerOf } from "../limits/plan.ts";
import type { SigningKeyCache } from "../sigv4/signing_key.ts";
import { bindIdleWatchdog, createIdleWatchdog, type IdleWatchdog } from "../streams/idle.ts";
import type { FormSigned, ResolvedBucket, S3Context } from "./context.ts";
import { type FormLimits, formLimits } from "./form_limits.ts";
import type { RequestOutcome } from "./outcome.ts";
import {
  admitAccount,
  type MappedRun,
  presentBodyKeys,
  presentListing,
  presentUpload,
  trackBuckets,
} from "./mapped.ts";
import { type Operation, OPERATIONS } from "./operations.ts";
import { listBuckets } from "./ops/buckets.ts";
import { bucketLabel } from "./namespace.ts";
import { type AddressingOptions, parseS3Request, type S3Request } from "./request.ts";

/** What the S3 path is built over (once per app). */
export interface S3ServerOptions {
  readonly config: Config;
  /** The configured buckets that have a backend, by name. */
  readonly buckets: ReadonlyMap<string, ResolvedBucket>;
  readonly clock: Clock;
  /** Derived-key cache shared across requests. */
  readonly signingKeys: SigningKeyCache;
  /** Keys that seal session tokens; absent → requests with a session token are refused. */
  readonly sessionKeys?: SessionKeys;
  /** Rate limits and quotas; absent = none. */
  readonly limiter?: Limiter;
}

/** One request's facts besides the request itself. */
export interface S3Call {
  readonly target: RequestTarget;
  /** The host the client addressed, the domain of virtual-hosted buckets, the path mapping. */
  readonly addressing: AddressingOptions;
  readonly requestId: string;
  readonly client: ClientSide;
}

/** Serves the S3 path of one request; the outcome says how far it got. */
export type S3Server = (req: Request, call: S3Call) => Promise<RequestOutcome>;

/** What the steps share, built once from the options. */
interface Wiring extends S3ServerOptions {
  readonly credentials: ReadonlyMap<string, CredentialConfig>;
  readonly sessions?: SessionResolver;
  /** Cuts uploads and downloads whose client went quiet (streams/idle.ts). */
  readonly idle?: IdleWatchdog;
  /** Looks up another bucket (CopyObject sources). */
  readonly resolve: (name: string) => ResolvedBucket | undefined;
  /** What a browser POST form's signature is verified with. */
  readonly formKeys: PostFormKeys;
  /** The region a SigV4 scope must name; absent under `region: "*"`. */
  readonly region?: string;
  /** Presigned URLs used again, one cache per S3 path (a reload starts afresh). */
  readonly presigned: PresignedCache;
}

/** Builds the S3 path over a config, its buckets and the keys it verifies with. */
export function createS3Server(options: S3ServerOptions): S3Server {
  const { config, clock } = options;
  const idleSecs = config.clientIdleTimeoutSecs;
  const credentials = new Map(config.credentials.map((c) => [c.accessKeyId, c]));
  const sessions = options.sessionKeys
    ? {
      sessions: createSessionResolver(options.sessionKeys, clock, {
        sessionPolicy: createSessionPolicyCache(),
      }),
    }
    : {};
  // The region a SigV4 scope must name; none under `region: "*"`.
  const region = config.anyRegion ? {} : { region: config.region };
  const wiring: Wiring = {
    ...region,
    ...options,
    resolve: (name) => options.buckets.get(name),
    credentials,
    ...sessions,
    presigned: createPresignedCache(),
    ...(idleSecs > 0 ? { idle: createIdleWatchdog({ timeoutMs: idleSecs * 1000, clock }) } : {}),
    formKeys: { credentials, clock, signingKeys: options.signingKeys, ...sessions, ...region },
  };
  return function serveS3(req: Request, call: S3Call): Promise<RequestOutcome> {
    return serve(req, call, wiring);
  };
}

/**
 * Routes and authenticates; ListBuckets is answered here, every other
 * operation run. Not `async`: an admitted request's outcome is its handler's
 * own promise, with no layer of promise around it (issue 30).
 */
function serve(req: Request, call: S3Call, w: Wiring): Promise<RequestOutcome> {
  const routed = parseS3Request(req.method, call.target, req.headers, call.addressing);
  if (!routed.ok) return Promise.resolve({ result: routed });
  const route = routed.value;
  const authStart = w.clock.now();
  const auth = authenticate(req, call.target, {
    credentials: w.credentials,
    clock: w.clock,
    signingKeys: w.signingKeys,
    ...(w.sessions ? { sessions: w.sessions } : {}),
    // Signed over what the client named: the display bucket of a mapped one.
    ...(route.virtualHosted ? { vhostBucket: route.view?.bucket ?? route.bucket } : {}),
    host: call.client.host,
    ...(w.region !== undefined ? { region: w.region } : {}),
    presigned: w.presigned,
  });
  const authEnd = w.clock.now();
  const authMs = authEnd - authStart;
  if (!auth.ok) {
    // A bad signature still costs its source network's anonymous budget (a flood is not free).
    const refused: RequestOutcome = { result: auth, route, authMs };
    if (!w.limiter) return Promise.resolve(refused);
    return w.limiter.charge(callerOf(undefined, call.client.address ?? "")).then(() => refused);
  }
  const { identity } = auth.value;
  const authorize = createAuthorizer({
    config: w.config,
    ...(call.client.address !== undefined ? { sourceIp: call.client.address } : {}),
    secureTransport: call.client.scheme === "https",
    // The clock read that ended authentication: the same instant to a policy's conditions.
    now: authEnd,
    headers: req.headers,
    query: route.query,
  });
  if (route.op === "ListBuckets") {
    const ns = call.addressing.namespace;
    const shown = ns && ((name: string) => ns.show(name).bucket);
    const result = ok(listBuckets(w.config, identity, authorize, shown));
    return Promise.resolve({ result, route, identity });
  }
  const op = OPERATIONS[route.op];
  const ns = call.addressing.namespace;
  const admitted = route.view?.account && ns
    ? mappedOp(admitAccount(route, { identity, authorize, namespace: ns, buckets: w.buckets }), op)
    : admit(route, { identity, authorize, op, w });
  if (!admitted.ok) {
    return Promise.resolve({ result: admitted, route, identity, ...deniedBy(authorize) });
  }
  return runHandler(
    req,
    { call, route, auth: auth.value, authMs, authorize, ...admitted.value },
    w,
  );
}

/** The errors a refusal by policy answers with. */
const REFUSALS: ReadonlySet<string> = new Set(["AccessDenied", "MissingAuth"]);

/** The decision behind a refusal, for the access log. */
function deniedBy(authorize: Authorizer): { deniedBy?: string } {
  const d = authorize.denial();
  return d ? { deniedBy: decisionReason(d) } : {};
}

/** A request that may run: its bucket and operation, and who is calling. */
interface Admitted {
  readonly bucket: ResolvedBucket;
  readonly op: Operation;
  /** A path-mapped request's handler view and logged request (s3/mapped.ts). */
  readonly mapped?: MappedRun;
}

/** An account-level request of a path-mapped namespace, admitted by s3/mapped.ts. */
function mappedOp(run: Result<MappedRun, ProxyError>, op: Operation): Result<Admitted, ProxyError> {
  return run.ok ? ok({ bucket: run.value.bucket, op, mapped: run.value }) : run;
}

/** The bucket (404 when unknown), the key (when the operation has one), then authorization. */
function admit(
  route: S3Request,
  { identity, authorize, op, w }: {
    readonly identity: Identity;
    readonly authorize: Authorizer;
    readonly op: Operation;
    readonly w: Wiring;
  },
): Result<Admitted, ProxyError> {
  const bucket = w.buckets.get(route.bucket);
  if (!bucket) return err(proxyError("BucketNotFound", "The specified bucket does not exist"));
  if (op.objectKey) {
    const bad = validateKey(route.key);
    if (bad) return err(bad);
  }
  if (op.authorizedBy === "path") {
    const denied = authorize({
      identity,
      bucket: bucket.config,
      operation: route.op,
      ...(op.objectKey ? { key: route.key } : {}),
    });
    if (denied) return err(denied);
  }
  const mapped = presentListing(route, bucket) ?? presentUpload(route, bucket) ??
    presentBodyKeys(route, bucket);
  return ok(mapped ? { bucket: mapped.bucket, op, mapped } : { bucket, op });
}

/** Runs an admitted operation's handler, timing it. */
async function runHandler(
  req: Request,
  step: Admitted & {
    readonly call: S3Call;
    readonly route: S3Request;
    readonly auth: Authenticated;
    readonly authMs: number;
    readonly authorize: Authorizer;
  },
  w: Wiring,
): Promise<RequestOutcome> {
  const { auth } = step;
  const route = step.mapped?.logged ?? step.route;
  // A POST form is limited as its signer, whom only its handler learns (form_limits.ts).
  const form = w.limiter && step.route.op === "PostObject";
  const asked = form ? NO_TICKET : ticketOf(step, w);
  const ticket = asked instanceof Promise ? await asked : asked;
  if (!ticket.ok) return { result: ticket, route, identity: auth.identity, authMs: step.authMs };
  // A paced body is held back on purpose: what the pacer sends keeps its transfer from idling.
  const kept = (form || ticket.value?.paces) && w.idle ? keepWatched(w.idle) : undefined;
  const limits = form ? formLimitsOf(step, w.limiter!, kept?.touch) : undefined;
  const upload = ticket.value && meterUpload(ticket.value, auth.body, kept?.touch);
  // A POST form names its signer and key itself: the log records those.
  let signed: FormSigned | undefined;
  // Keys named in the body (path_mapping): logged on their bucket when they name one.
  const located = step.mapped?.locate && trackBuckets(step.mapped.locate);
  const ctx: S3Context = {
    req: step.mapped?.shown ?? route,
    identity: auth.identity,
    body: upload ? upload.body : auth.body,
    contentLength: auth.contentLength,
    config: w.config,
    bucket: step.bucket,
    resolve: w.resolve,
    clock: w.clock,
    requestId: step.call.requestId,
    signal: req.signal,
    client: step.call.client,
    keys: w.formKeys,
    authorize: step.authorize,
    onFormSigned: step.route.op === "PostObject" ? (s) => void (signed = s) : undefined,
    // Set even when absent: one shape for every request, no spread (issue 30).
    admitSigner: limits?.admitSigner,
    locate: located ? located.locate : undefined,
  };
  if (w.idle) bindIdleWatchdog(req.signal, kept?.watchdog ?? w.idle);
  const opStart = w.clock.now();
  const answer = await step.op.handler(ctx);
  const metered = limits
    ? limits.settle(answer)
    : ticket.value && answer.ok
    ? meterResponse(ticket.value, answer.value, upload!.bytes, kept?.touch)
    : answer;
  const result = metered instanceof Promise ? await metered : metered;
  const outcome: Mutable<RequestOutcome> = {
    result,
    route: loggedAs(route, signed, located?.only()),
    identity: signed?.identity ?? auth.identity,
    authMs: step.authMs,
    backendMs: w.clock.now() - opStart,
  };
  // Set only when known, without a spread per request (issue 30).
  if (auth.contentLength !== undefined) outcome.bytesIn = auth.contentLength;
  // A refusal is rare: its spread costs the common path nothing.
  if (!result.ok && REFUSALS.has(result.error.kind)) {
    Object.assign(outcome, deniedBy(step.authorize));
  }
  return outcome;
}

/** `T` with its properties writable. */
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The request as logged: a POST form's key, and the one bucket a body's keys were located in. */
function loggedAs(route: S3Request, signed?: FormSigned, bucket?: string): S3Request {
  if (!signed && bucket === undefined) return route;
  return { ...route, ...(signed ? { key: signed.key } : {}), ...(bucket ? { bucket } : {}) };
}

/** A POST form's limits, over its source address, bucket and length. */
function formLimitsOf(
  step: Admitted & { readonly call: S3Call; readonly auth: Authenticated },
  limiter: Limiter,
  onSent?: (n: number) => void,
): FormLimits {
  const from = {
    sourceIp: step.call.client.address ?? "",
    bucket: step.bucket.config.name,
    contentLength: step.auth.contentLength ?? 0,
    shown: (bucket: string) => bucketLabel(step.call.addressing.namespace, bucket),
  };
  return formLimits(limiter, from, onSent);
}

/** No limiter: no ticket. */
const NO_TICKET: Result<undefined, ProxyError> = ok(undefined);

/**
 * The request's limits ticket: undefined without a limiter, an error when
 * over a rate or quota; at once when the limiter's store answers so.
 */
function ticketOf(
  step: Admitted & { readonly call: S3Call; readonly auth: Authenticated },
  w: Wiring,
): Result<Ticket | undefined, ProxyError> | Promise<Result<Ticket | undefined, ProxyError>> {
  if (!w.limiter) return NO_TICKET;
  const name = step.bucket.config.name;
  const shown = bucketLabel(step.call.addressing.namespace, name);
  const caller = callerOf(step.auth.identity, step.call.client.address ?? "", name, shown);
  return w.limiter.admit(caller, step.auth.contentLength ?? 0);
}
