/** What the az backend takes from outside besides its options: time, waiting, sizes, the wire. */
import { type Clock, systemClock } from "../../clock.ts";
import { type HttpBody, type HttpResponse, send } from "../s3/http.ts";
import { type AzSizes, DEFAULT_SIZES } from "./sizes.ts";

/** Waits `ms` (a retry back-off, a copy poll); resolves early once `signal` aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** One request as the transport sends it. */
export interface TransportRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly body?: HttpBody;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Leave a successful answer's body unbounded by the timeout (Get Blob). */
  readonly streamBody?: boolean;
}

/** Sends one request; rejects on a network failure or a timeout. */
export type Transport = (req: TransportRequest) => Promise<HttpResponse>;

/** Collaborators of the az backend. */
export interface AzDeps {
  /** Time of `x-ms-date`, copy deadlines and upload initiation. @default systemClock */
  readonly clock?: Clock;
  /** Retry back-off and copy polling. @default a real timer */
  readonly sleep?: Sleep;
  /** @default DEFAULT_SIZES */
  readonly sizes?: AzSizes;
  /** The wire (tests answer in process). @default the s3 backend's HTTP transport */
  readonly transport?: Transport;
}

/** AzDeps with every default filled in. */
export type AzResolvedDeps = Required<AzDeps>;

/** A real timer, cleared when `signal` aborts. */
export function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** The transport of the s3 backend (node:http for streamed uploads, fetch otherwise). */
export function httpTransport(req: TransportRequest): Promise<HttpResponse> {
  return send(
    req.method,
    req.url,
    req.headers,
    req.body,
    req.timeoutMs,
    req.signal,
    req.streamBody,
  );
}

/** Fills in the defaults of `deps`. */
export function resolveDeps(deps: AzDeps): AzResolvedDeps {
  return {
    clock: deps.clock ?? systemClock,
    sleep: deps.sleep ?? realSleep,
    sizes: deps.sizes ?? DEFAULT_SIZES,
    transport: deps.transport ?? httpTransport,
  };
}
