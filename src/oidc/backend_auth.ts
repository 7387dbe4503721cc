/**
 * OIDC backend auth end to end: for a bucket with `auth_type: oidc`, mint a
 * token as bucketgate's issuer, exchange it at the cloud's STS, and keep the
 * temporary credentials in one cache shared by every bucket and every
 * reloaded config, keyed by (role ARN, subject, audience).
 */
import type { SigningCredentials } from "../sigv4/sign.ts";
import type { Clock } from "../clock.ts";
import type { ProxyError } from "../errors.ts";
import type { Result } from "../result.ts";
import { createCredentialCache } from "./credential_cache.ts";
import type { OidcIssuer } from "./issuer.ts";
import { assumeRoleWithWebIdentity, type TemporaryCredentials } from "./sts_exchange.ts";
import type { OidcBackendAuth } from "../config/backend_options/oidc.ts";

/** Signing credentials on demand (from the cache; an exchange when needed). */
export type CredentialSource = () => Promise<Result<SigningCredentials, ProxyError>>;

/** Makes a bucket's credential source from its options. */
export type OidcCredentials = (auth: OidcBackendAuth) => CredentialSource;

/** Collaborators of `createOidcCredentials`. */
export interface OidcCredentialsDeps {
  readonly issuer: OidcIssuer;
  readonly clock: Clock;
  readonly fetch: typeof fetch;
  /** Told of every failed exchange (the detail names the STS error). */
  readonly onFailure?: (error: ProxyError, retryInMs: number) => void;
  /** Told of every exchange, by outcome (for metrics). */
  readonly onExchange?: (outcome: "ok" | "error") => void;
}

/** The session name bucketgate gives STS (it shows in CloudTrail). */
export const SESSION_NAME = "bucketgate";

/** Creates the process-wide source of OIDC backend credentials. */
export function createOidcCredentials(deps: OidcCredentialsDeps): OidcCredentials {
  // The latest options seen for a key: the STS endpoint and duration to use.
  const options = new Map<string, OidcBackendAuth>();
  const cache = createCredentialCache<TemporaryCredentials>({
    clock: deps.clock,
    async obtain(key) {
      const auth = options.get(key)!;
      const token = await deps.issuer.mint({ subject: auth.subject, audience: auth.audience });
      const r = await assumeRoleWithWebIdentity({ fetch: deps.fetch }, {
        stsEndpoint: auth.stsEndpoint,
        roleArn: auth.roleArn,
        webIdentityToken: token,
        sessionName: SESSION_NAME,
        durationSecs: auth.durationSecs,
      });
      deps.onExchange?.(r.ok ? "ok" : "error");
      return r;
    },
    ...(deps.onFailure ? { onFailure: (_key, e, ms) => deps.onFailure!(e, ms) } : {}),
  });
  return (auth) => {
    const key = `${auth.roleArn}\n${auth.subject}\n${auth.audience}`;
    options.set(key, auth);
    return () => cache.get(key);
  };
}
