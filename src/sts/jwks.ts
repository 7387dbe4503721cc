/**
 * The keys of trusted OIDC issuers: found through
 * `{issuer}/.well-known/openid-configuration`, fetched over https with a time
 * and size limit, cached per issuer for as long as the JWKS response's
 * Cache-Control allows (within bounds), refetched on an unknown `kid` at most
 * once a minute, and kept in use (stale) while the issuer is unreachable.
 */
import { USER_AGENT } from "../version.ts";
import type { JWK } from "jose";
import type { Clock } from "../clock.ts";
import { type ProxyError, proxyError } from "../errors.ts";
import { collect } from "../streams/limits.ts";
import { err, ok, type Result } from "../result.ts";

/** The algorithms a web identity token may use. */
export const TOKEN_ALGORITHMS = ["RS256", "PS256", "ES256"] as const;

/** One accepted token algorithm. */
export type TokenAlgorithm = typeof TOKEN_ALGORITHMS[number];

/** Options of `createJwksCache`. */
export interface JwksCacheOptions {
  readonly clock: Clock;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Time limit of each discovery or JWKS fetch. @default 5000 */
  readonly timeoutMs?: number;
  /** Size limit of each fetched document. @default 262144 */
  readonly maxBytes?: number;
  /** Least time between two fetches for an issuer caused by an unknown kid. @default 60000 */
  readonly minRefetchMs?: number;
  /** Least time between two attempts while the issuer fails. @default 5000 */
  readonly failureBackoffMs?: number;
  /** Lifetime of keys whose response has no Cache-Control max-age. @default 600000 */
  readonly defaultTtlMs?: number;
  /** Upper bound on a Cache-Control max-age. @default 86400000 */
  readonly maxTtlMs?: number;
  /** Notified of each fetch and its outcome (never a token). */
  readonly onFetch?: (issuer: string, outcome: "ok" | "error", detail?: string) => void;
}

/** Keys of trusted issuers, fetched and cached on demand. */
export interface JwksCache {
  /**
   * The issuer's keys that could verify a token with this header (matching
   * `kid`, key type and `alg`); empty when none does, even after the refetch
   * an unknown `kid` allows.
   */
  keysFor(
    issuer: string,
    header: { readonly alg: TokenAlgorithm; readonly kid?: string },
  ): Promise<Result<readonly JWK[], ProxyError>>;
}

interface Entry {
  keys: readonly JWK[];
  fetchedAt: number;
  expiresAt: number;
}

interface IssuerState {
  entry?: Entry;
  lastAttempt: number;
  lastError?: string;
  inflight?: Promise<void>;
}

/** Whether a URL may be fetched for keys: https, or http on a loopback issuer. */
function fetchable(url: URL, issuer: URL): boolean {
  if (url.protocol === "https:") return true;
  const loopback = (h: string) => h === "localhost" || h === "127.0.0.1" || h === "[::1]";
  return url.protocol === "http:" && issuer.protocol === "http:" && loopback(issuer.hostname) &&
    loopback(url.hostname);
}

/** `max-age` of a Cache-Control header in ms; 0 for no-store/no-cache; undefined when absent. */
export function cacheLifetimeMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const h = header.toLowerCase();
  if (/(?:^|[,\s])(?:no-store|no-cache)(?:$|[,\s=])/.test(h)) return 0;
  const m = /(?:^|[,\s])max-age\s*=\s*"?(\d{1,10})"?/.exec(h);
  return m ? Number(m[1]) * 1000 : undefined;
}

function keyFits(jwk: JWK, header: { alg: TokenAlgorithm; kid?: string }): boolean {
  if (header.kid !== undefined && jwk.kid !== header.kid) return false;
  if (jwk.use !== undefined && jwk.use !== "sig") return false;
  if (jwk.alg !== undefined && jwk.alg !== header.alg) return false;
  if (jwk.key_ops !== undefined && !jwk.key_ops.includes("verify")) return false;
  return header.alg === "ES256" ? jwk.kty === "EC" && jwk.crv === "P-256" : jwk.kty === "RSA";
}

/** Creates an empty cache. */
export function createJwksCache(options: JwksCacheOptions): JwksCache {
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxBytes = options.maxBytes ?? 256 * 1024;
  const minRefetchMs = options.minRefetchMs ?? 60_000;
  const failureBackoffMs = options.failureBackoffMs ?? 5000;
  const defaultTtlMs = options.defaultTtlMs ?? 600_000;
  const maxTtlMs = options.maxTtlMs ?? 86_400_000;
  const { clock } = options;
  const issuers = new Map<string, IssuerState>();

  async function getJson(url: URL): Promise<{ json: unknown; cacheControl: string | null }> {
    const res = await doFetch(url, {
      headers: { accept: "application/json", "user-agent": USER_AGENT },
      redirect: "error",
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) {
      await res.body?.cancel();
      throw new Error(`GET ${url.href} answered ${res.status}`);
    }
    const bytes = res.body ? await collect(res.body, maxBytes) : new Uint8Array();
    if (!bytes) throw new Error(`GET ${url.href}: document larger than ${maxBytes} bytes`);
    try {
      return {
        json: JSON.parse(new TextDecoder().decode(bytes)),
        cacheControl: res.headers.get("cache-control"),
      };
    } catch {
      throw new Error(`GET ${url.href}: not JSON`);
    }
  }

  async function load(issuer: string): Promise<Entry> {
    const base = new URL(issuer);
    const discovery = new URL(`${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`);
    if (!fetchable(discovery, base)) throw new Error(`issuer ${issuer} is not an https URL`);
    const { json: doc } = await getJson(discovery);
    if (typeof doc !== "object" || doc === null) {
      throw new Error("discovery document is not an object");
    }
    const d = doc as { issuer?: unknown; jwks_uri?: unknown };
    if (d.issuer !== issuer) {
      throw new Error(`discovery names issuer ${JSON.stringify(d.issuer)}, not ${issuer}`);
    }
    if (typeof d.jwks_uri !== "string") throw new Error("discovery document has no jwks_uri");
    const jwksUri = new URL(d.jwks_uri);
    if (!fetchable(jwksUri, base)) throw new Error(`jwks_uri ${jwksUri.href} is not https`);
    const { json, cacheControl } = await getJson(jwksUri);
    const keys = (json as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(keys)) throw new Error("JWKS document has no keys array");
    const usable = keys.filter((k): k is JWK =>
      typeof k === "object" && k !== null && (k.kty === "RSA" || k.kty === "EC")
    );
    const now = clock.now();
    const lifetime = cacheLifetimeMs(cacheControl) ?? defaultTtlMs;
    const ttl = Math.min(Math.max(lifetime, minRefetchMs), maxTtlMs);
    return { keys: usable, fetchedAt: now, expiresAt: now + ttl };
  }

  /** Fetches once for all concurrent callers; failures are remembered on the state. */
  function refresh(issuer: string, state: IssuerState): Promise<void> {
    state.inflight ??= (async () => {
      state.lastAttempt = clock.now();
      try {
        state.entry = await load(issuer);
        delete state.lastError;
        options.onFetch?.(issuer, "ok");
      } catch (e) {
        state.lastError = e instanceof Error ? e.message : String(e);
        options.onFetch?.(issuer, "error", state.lastError);
      } finally {
        delete state.inflight;
      }
    })();
    return state.inflight;
  }

  return {
    async keysFor(issuer, header) {
      let state = issuers.get(issuer);
      if (!state) {
        state = { lastAttempt: Number.NEGATIVE_INFINITY };
        issuers.set(issuer, state);
      }
      const st = state;
      const since = () => clock.now() - st.lastAttempt;
      if (st.inflight) {
        await st.inflight;
      } else if (!st.entry || clock.now() >= st.entry.expiresAt) {
        if (since() >= (st.lastError !== undefined ? failureBackoffMs : 0)) {
          await refresh(issuer, st);
        }
      }
      if (!state.entry) {
        return err(
          proxyError(
            "IdpCommunicationError",
            "The identity provider's signing keys could not be retrieved",
            `issuer ${issuer}: ${state.lastError ?? "no keys"}`,
          ),
        );
      }
      let found = state.entry.keys.filter((k) => keyFits(k, header));
      if (found.length === 0 && since() >= minRefetchMs) {
        await refresh(issuer, state);
        found = state.entry.keys.filter((k) => keyFits(k, header));
      }
      return ok(found);
    },
  };
}
