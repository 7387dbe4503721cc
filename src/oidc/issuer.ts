/**
 * bucketgate as an OIDC issuer: the discovery document, the JWKS (the
 * signing key and, ahead of a rotation, the next one), and short-lived RS256
 * tokens that a cloud's STS exchanges for backend credentials.
 */
import { SignJWT } from "jose";
import type { Clock } from "../clock.ts";
import type { ProviderKey } from "./provider_key.ts";

/** Lifetime of a minted token: long enough for one STS call, no more. */
export const TOKEN_LIFETIME_SECS = 300;

/** The issuer's keys and public URL. */
export interface IssuerOptions {
  /** The public URL (`OIDC_PROVIDER_ISSUER`), `https://…`, no trailing slash. */
  readonly issuer: string;
  /** Signs every token (`OIDC_PROVIDER_KEY`). */
  readonly current: ProviderKey;
  /** Published ahead of a rotation, never used to sign (`OIDC_PROVIDER_KEY_NEXT`). */
  readonly next?: ProviderKey;
  readonly clock: Clock;
}

/** What a minted token says. */
export interface TokenClaims {
  readonly subject: string;
  readonly audience: string;
}

/** A running issuer. */
export interface OidcIssuer {
  readonly issuer: string;
  /** Paths (under the issuer's own path) of the two documents. */
  readonly discoveryPath: string;
  readonly jwksPath: string;
  /** `/.well-known/openid-configuration`. */
  discovery(): Record<string, unknown>;
  /** `/.well-known/jwks.json`. */
  jwks(): { keys: Readonly<Record<string, string>>[] };
  /** A signed RS256 JWT with iss, sub, aud, iat, exp and a fresh jti. */
  mint(claims: TokenClaims): Promise<string>;
}

/** Creates the issuer over validated options. */
export function createOidcIssuer(o: IssuerOptions): OidcIssuer {
  const issuer = o.issuer.replace(/\/+$/, "");
  const base = new URL(issuer).pathname.replace(/\/+$/, "");
  const discoveryPath = `${base}/.well-known/openid-configuration`;
  const jwksPath = `${base}/.well-known/jwks.json`;
  const discovery = {
    issuer,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    response_types_supported: ["id_token"],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: ["RS256"],
    claims_supported: ["iss", "sub", "aud", "iat", "exp", "jti"],
  };
  const keys = [o.current.publicJwk, ...(o.next ? [o.next.publicJwk] : [])];
  return {
    issuer,
    discoveryPath,
    jwksPath,
    discovery: () => structuredClone(discovery),
    jwks: () => ({ keys: keys.map((k) => ({ ...k })) }),
    async mint({ subject, audience }) {
      const iat = Math.floor(o.clock.now() / 1000);
      return await new SignJWT({})
        .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: o.current.kid })
        .setIssuer(issuer)
        .setSubject(subject)
        .setAudience(audience)
        .setIssuedAt(iat)
        .setExpirationTime(iat + TOKEN_LIFETIME_SECS)
        .setJti(crypto.randomUUID())
        .sign(o.current.privateKey);
    },
  };
}

/**
 * Answers a GET or HEAD of one of the issuer's documents; undefined for any
 * other request (it then goes on to S3 routing).
 */
export function serveWellKnown(
  issuer: OidcIssuer,
  method: string,
  rawPath: string,
): Response | undefined {
  if (method !== "GET" && method !== "HEAD") return undefined;
  const doc = rawPath === issuer.discoveryPath
    ? issuer.discovery()
    : rawPath === issuer.jwksPath
    ? issuer.jwks()
    : undefined;
  if (!doc) return undefined;
  const body = JSON.stringify(doc);
  return new Response(method === "HEAD" ? null : body, {
    headers: {
      "content-type": "application/json",
      "content-length": String(new TextEncoder().encode(body).length),
      // Verifiers cache the keys; a rotation publishes the next key well ahead.
      "cache-control": "public, max-age=300",
    },
  });
}
