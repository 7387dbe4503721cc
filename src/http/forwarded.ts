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
import { err, ok, type Result } from "../result.ts";

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

interface Range {
  readonly bytes: Uint8Array;
  readonly bits: number;
}

/**
 * Builds the trust list; undefined when no proxy is trusted (then every
 * forwarded header is ignored and nothing is computed per request).
 */
export function createProxyTrust(options: ProxyTrustOptions): ProxyTrust | undefined {
  if (options.trustedProxies.length === 0) return undefined;
  const ranges: Range[] = options.trustedProxies.map((entry) => {
    const [addr = "", bits] = entry.split("/");
    const bytes = parseIp(addr);
    if (!bytes) throw new TypeError(`Cannot trust proxy '${entry}': not an IP address or range`);
    return { bytes, bits: bits === undefined ? bytes.length * 8 : Number(bits) };
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

function inRange(bytes: Uint8Array, range: Range): boolean {
  if (bytes.length !== range.bytes.length) return false;
  const whole = range.bits >> 3;
  for (let i = 0; i < whole; i++) if (bytes[i] !== range.bytes[i]) return false;
  const rest = range.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (bytes[whole]! & mask) === (range.bytes[whole]! & mask);
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
  const host = headers.get("host");
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

const IPV4 =
  /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

function ipv4(s: string): Uint8Array | undefined {
  const m = IPV4.exec(s);
  return m ? Uint8Array.of(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])) : undefined;
}

/**
 * An IP address as bytes: 4 for IPv4 (and for an IPv4-mapped IPv6 address,
 * which a dual-stack listener reports for IPv4 peers), 16 for IPv6. Brackets
 * and a zone (`%eth0`) are allowed; anything else is undefined.
 */
export function parseIp(s: string): Uint8Array | undefined {
  const v4 = ipv4(s);
  if (v4) return v4;
  let text = s.startsWith("[") && s.endsWith("]") ? s.slice(1, -1) : s;
  const zone = text.indexOf("%");
  if (zone >= 0) text = text.slice(0, zone);
  if (!text.includes(":")) return undefined;
  // Either eight groups, or "::" once standing for the zero groups left out.
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = groupsOf(halves[0]!, halves.length === 1);
  const tail = halves.length === 2 ? groupsOf(halves[1]!, true) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [
    ...head,
    ...new Array<number>(halves.length === 2 ? missing : 0).fill(0),
    ...tail,
  ];
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  const mapped = bytes.subarray(0, 12).every((b, i) => b === (i < 10 ? 0 : 0xff));
  return mapped ? bytes.slice(12) : bytes;
}

/** The 16-bit groups of one side of "::"; a dotted IPv4 may end the address. */
function groupsOf(text: string, last: boolean): number[] | undefined {
  if (text === "") return [];
  const parts = text.split(":");
  const groups: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (last && i === parts.length - 1 && part.includes(".")) {
      const v4 = ipv4(part);
      if (!v4) return undefined;
      groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    } else if (/^[0-9A-Fa-f]{1,4}$/.test(part)) {
      groups.push(parseInt(part, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}
