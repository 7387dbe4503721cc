/**
 * Requests to the Blob service: the URL of a blob, the headers every request
 * carries, Shared Key or SAS authorization, and retries of bodiless reads.
 */
import { createHash } from "node:crypto";
import { uriEncode } from "../../sigv4/canonical.ts";
import { USER_AGENT } from "../../version.ts";
import { type ProxyError, toProxyError } from "../../errors.ts";
import { err, ok, type Result } from "../../result.ts";
import type { StoreLocation } from "../backend.ts";
import { urlPathProblem } from "../keys.ts";
import { isIdempotentRead, withRetries } from "../http/retry.ts";
import type { HttpBody, HttpResponse, SendRequest } from "../http/send.ts";
import type { AzResolvedDeps } from "./deps.ts";
import { errorFrom } from "./errors.ts";
import type { AzOptions } from "../../config/backend_options/az.ts";
import { sharedKeyAuthorization } from "./shared_key.ts";

/** The Blob service version bucketgate speaks. */
export const AZ_API_VERSION = "2021-12-02";

/** One request to the Blob service. */
export interface AzRequest {
  readonly method: string;
  /** The URL path, already encoded (`pathOf`, `containerPath`). */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: HttpBody;
  readonly signal?: AbortSignal;
  /** Leave a successful answer's body unbounded by the timeout (Get Blob). */
  readonly streamBody?: boolean;
}

/** A signed, retrying connection to one container of one account. */
export interface AzClient {
  /** `/<account path>/<container>`: the target of container requests. */
  readonly containerPath: string;
  /** One store: the same account reached with the same authorization. */
  readonly store: string;
  /** The one place a key becomes a blob path. */
  pathOf(key: string): string;
  /** A blob's path in any container of the account (for copy sources). */
  blobPath(loc: StoreLocation): string;
  /** The absolute URL of a path, with the SAS token when there is one. */
  urlOf(path: string): URL;
  /** Sends a request; the answer is the caller's, whatever its status. */
  call(req: AzRequest): Promise<Result<HttpResponse, ProxyError>>;
  /** Sends a request and requires one of `statuses`; the body is left to the caller. */
  expect(
    what: string,
    statuses: readonly number[],
    req: AzRequest,
  ): Promise<Result<HttpResponse, ProxyError>>;
}

/** The store identity of an account: a SAS is named by its digest, never itself. */
function storeOf(o: AzOptions, origin: string, accountPath: string): string {
  const auth = o.auth.kind === "sas"
    ? createHash("sha256").update(o.auth.token).digest("hex").slice(0, 16)
    : o.auth.kind;
  return `az ${origin}${accountPath} ${o.accountName} ${auth}`;
}

/** The headers of a request, signed with the Shared Key when that is the authorization. */
function signedHeaders(
  o: AzOptions,
  req: AzRequest & { readonly url: URL },
  date: string,
): Record<string, string> {
  const h: Record<string, string> = {
    "x-ms-version": AZ_API_VERSION,
    "x-ms-date": date,
    "accept-encoding": "identity",
    "user-agent": USER_AGENT,
    ...req.headers,
  };
  if (o.auth.kind !== "shared-key") return h;
  const body = req.body;
  const length = body?.kind === "bytes" ? body.bytes.byteLength : body?.length;
  const signed = length ? { ...h, "content-length": String(length) } : h;
  h.authorization = sharedKeyAuthorization(o.auth.credentials, {
    method: req.method,
    url: req.url,
    headers: signed,
  });
  return h;
}

/** One attempt over the transport; a rejection (network, timeout) is a BackendError. */
async function attempt(
  deps: AzResolvedDeps,
  req: SendRequest,
): Promise<Result<HttpResponse, ProxyError>> {
  try {
    return ok(await deps.transport(req));
  } catch (e) {
    return err(toProxyError(e, "BackendError"));
  }
}

/** Creates the client of the container `o` names. */
export function createAzClient(o: AzOptions, deps: AzResolvedDeps): AzClient {
  const endpoint = new URL(o.endpoint);
  const origin = endpoint.origin;
  const accountPath = endpoint.pathname.replace(/\/+$/, "");
  const containerPath = `${accountPath}/${o.containerName}`;

  function urlOf(path: string, query: Readonly<Record<string, string>> = {}): URL {
    const q = Object.entries(query).map(([k, v]) => `${uriEncode(k)}=${uriEncode(v)}`);
    if (o.auth.kind === "sas") q.push(o.auth.token);
    return new URL(`${origin}${path}${q.length ? "?" + q.join("&") : ""}`);
  }

  async function call(req: AzRequest): Promise<Result<HttpResponse, ProxyError>> {
    const dots = urlPathProblem(req.path, "az");
    if (dots) return err(dots);
    const url = urlOf(req.path, req.query);
    const headers = signedHeaders(o, { ...req, url }, new Date(deps.clock.now()).toUTCString());
    const once = () =>
      attempt(deps, {
        method: req.method,
        url,
        headers,
        timeoutMs: o.requestTimeoutMs,
        ...(req.body ? { body: req.body } : {}),
        ...(req.signal ? { signal: req.signal } : {}),
        ...(req.streamBody ? { streamBody: true } : {}),
      });
    if (!isIdempotentRead(req.method, req.body !== undefined)) return await once();
    return await withRetries(once, {
      sleep: deps.sleep,
      ...(req.signal ? { signal: req.signal } : {}),
    });
  }

  async function expect(what: string, statuses: readonly number[], req: AzRequest) {
    const r = await call(req);
    if (!r.ok) return r;
    if (!statuses.includes(r.value.status)) return err(await errorFrom(r.value, what));
    return r;
  }

  return {
    containerPath,
    store: storeOf(o, origin, accountPath),
    pathOf: (key) => `${containerPath}/${uriEncode(key, true)}`,
    blobPath: (loc) => `${accountPath}/${loc.bucket}/${uriEncode(loc.key, true)}`,
    urlOf: (path) => urlOf(path),
    call,
    expect,
  };
}
