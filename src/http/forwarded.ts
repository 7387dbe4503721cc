/**
 * The client's side of a request that may have come through a reverse proxy
 * (nginx, Caddy, a load balancer): the host the client addressed (what its
 * SigV4 signature covers and what virtual-hosted routing reads), the scheme it
 * used, and its address (for the access log).
 *
 * `X-Forwarded-Host`, `X-Forwarded-Proto` and `X-Forwarded-For` are honored
 * only from peers listed in `trusted_proxies`; from anyone else they are
 * ignored, so a client talking to bucketgate directly cannot claim another
 * host or address. `public_endpoint` stands in for what a trusted proxy does
 * not say (a proxy that rewrites `Host` and sends no `X-Forwarded-Host`).
 */
import { type ProxyError, proxyError } from "../errors.ts";
import { inRange, type IpRange, parseIp, parseRange } from "../ip.ts";
import { err, ok, type Result } from "../result.ts";

export { parseIp };

/** Which peers are trusted reverse proxies, and the public origin behind them. */
export interface ProxyTrust {
  /** Whether a peer address (as Deno.serve reports it) is a trusted proxy. */
  trusts(address: string): boolean;
  /** `public_endpoint`'s host and scheme, when configured. */
  readonly publicEndpoint?: { readonly host: string; readonly scheme: Scheme };
}

/** The schemes a client can have used. */
export type Scheme = "http" | "https";

/** What the client used and who it is. */
export interface ClientSide {
  /** The `Host` the client sent (signed and routed by); null when it sent none. */
  readonly host: string | null;
  readonly scheme: Scheme;
  /** The client's address: the peer's, or what a trusted proxy saw. */
  readonly address?: string;
  /** The trusted proxy's address, when the request came through one. */
  readonly proxy?: string;
}

/** Options of `createProxyTrust`. */
export interface ProxyTrustOptions {
  /** IP addresses and CIDR ranges, already validated by the config. */
  readonly trustedProxies: readonly string[];
  /** A normalized origin such as `https://s3.example.com`. */
  readonly publicEndpoint?: string;
}

/**
 * Builds the trust list; undefined when no proxy is trusted (then every
 * forwarded header is ignored and nothing is computed per request).
 */
export function createProxyTrust(options: ProxyTrustOptions): ProxyTrust | undefined {
  if (options.trustedProxies.length === 0) return undefined;
  const ranges: IpRange[] = options.trustedProxies.map((entry) => {
    const range = parseRange(entry);
    if (!range) throw new TypeError(`Cannot trust proxy '${entry}': not an IP address or range`);
    return range;
  });
  const endpoint = options.publicEndpoint ? new URL(options.publicEndpoint) : undefined;
  return {
    trusts(address) {
      const bytes = parseIp(address);
      return bytes !== undefined && ranges.some((r) => inRange(bytes, r));
    },
    ...(endpoint
      ? {
        publicEndpoint: {
          host: endpoint.host,
          scheme: endpoint.protocol === "https:" ? "https" : "http",
        },
      }
      : {}),
  };
}

const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$/;

/** The first entry of a comma-separated forwarded list: the hop nearest the client. */
function first(value: string): string {
  const comma = value.indexOf(",");
  return (comma < 0 ? value : value.slice(0, comma)).trim();
}

/**
 * The client's side of a request from `peer` (Deno.serve's remote address).
 * A trusted proxy's forwarded host or scheme that is not one is 400
 * InvalidRequest: signing and routing by a garbled host would only fail later
 * and less clearly.
 */
export function clientSide(
  headers: Headers,
  peer: string | undefined,
  trust: ProxyTrust | undefined,
): Result<ClientSide, ProxyError> {
  // Spelled "Host": Deno 2.9 reads a lower-case "host" (as "authorization")
  // down a slower path, 0.23 against 0.09 µs (issue 30).
  const host = headers.get("Host");
  if (!trust || peer === undefined || !trust.trusts(peer)) {
    return ok({ host, scheme: "http", ...(peer !== undefined ? { address: peer } : {}) });
  }
  const fwdHost = headers.get("x-forwarded-host");
  let clientHost = trust.publicEndpoint?.host ?? host;
  if (fwdHost !== null) {
    clientHost = first(fwdHost);
    if (!HOST.test(clientHost)) {
      return err(proxyError("InvalidRequest", `X-Forwarded-Host '${clientHost}' is not a host`));
    }
  }
  const fwdProto = headers.get("x-forwarded-proto");
  let scheme: Scheme = trust.publicEndpoint?.scheme ?? "http";
  if (fwdProto !== null) {
    const proto = first(fwdProto).toLowerCase();
    if (proto !== "http" && proto !== "https") {
      return err(
        proxyError("InvalidRequest", `X-Forwarded-Proto '${proto}' is neither http nor https`),
      );
    }
    scheme = proto;
  }
  const fwdFor = headers.get("x-forwarded-for");
  return ok({
    host: clientHost,
    scheme,
    address: fwdFor === null ? peer : clientAddress(fwdFor, peer, trust),
    proxy: peer,
  });
}

/**
 * Walks `X-Forwarded-For` from the right (the entries the trusted proxies
 * appended) past every trusted hop: the first address that is not one is the
 * client. Entries further left are the client's own claims and are not read.
 */
function clientAddress(list: string, peer: string, trust: ProxyTrust): string {
  const hops = list.split(",");
  let nearest = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!.trim();
    if (parseIp(hop) === undefined) return nearest;
    if (!trust.trusts(hop)) return hop;
    nearest = hop;
  }
  return nearest;
}
