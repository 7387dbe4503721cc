/** The lines the running gateway prints about its servers. */
import { ProxyStreamError } from "../errors.ts";

/** An address a server listens on, as Deno.serve's onListen reports it. */
export interface ListenedAddress {
  readonly hostname: string;
  readonly port: number;
}

/** What the gateway's first line says. */
export interface ListeningLineOptions {
  readonly version: string;
  readonly address: ListenedAddress;
  /** The configured bucket names, in config order. */
  readonly buckets: readonly string[];
  /** Whether STS is on (SESSION_TOKEN_KEY is set). */
  readonly sts: boolean;
  /** Workers serving the port together; said only when more than one. */
  readonly workers?: number;
}

/** The gateway's first stdout line: version, address, buckets and STS. */
export function listeningLine(o: ListeningLineOptions): string {
  const sts = o.sts ? "STS on" : "STS off: SESSION_TOKEN_KEY not set";
  const workers = o.workers !== undefined && o.workers > 1 ? `; ${o.workers} workers` : "";
  return `bucketgate ${o.version} listening on http://${o.address.hostname}:${o.address.port} (buckets: ${
    o.buckets.join(", ")
  }; ${sts}${workers})`;
}

/** The admin server's stdout line. */
export function adminListeningLine(address: ListenedAddress): string {
  return `admin listening on http://${address.hostname}:${address.port}`;
}

/**
 * The warning for a response body that failed after its head was sent (a
 * download cut for an idle reader, a backend that broke off): one line
 * instead of Deno's stack trace.
 */
export function bodyFailureLine(e: unknown): string {
  const what = e instanceof ProxyStreamError
    ? `${e.proxy.kind}: ${e.message}`
    : e instanceof Error
    ? `${e.name}: ${e.message}`
    : String(e);
  return `response body failed: ${what}`;
}
