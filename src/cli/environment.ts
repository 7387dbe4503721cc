/**
 * The environment's keys: SESSION_TOKEN_KEY (and SESSION_TOKEN_KEY_PREVIOUS)
 * for STS, and OIDC_PROVIDER_* for bucketgate as an OIDC issuer, read through
 * an injected lookup into typed values or the problems to report.
 */
import { parseSessionKey, type SessionKeys } from "../auth/session_token.ts";
import type { Clock } from "../clock.ts";
import type { EnvLookup } from "../config/interpolate.ts";
import type { ConfigProblem } from "../config/types.ts";
import type { OidcIssuer } from "../oidc/issuer.ts";
import { readOidcProvider } from "../oidc/provider_env.ts";
import { err, ok, type Result } from "../result.ts";

/** What the environment turns on; each absent when its variables are not set. */
export interface Environment {
  /** STS is on and seals its session tokens under these. */
  readonly sessionKeys?: SessionKeys;
  /** bucketgate is an OIDC issuer (for `auth_type: oidc` buckets). */
  readonly oidcIssuer?: OidcIssuer;
}

/** Reads SESSION_TOKEN_KEY (and the previous key): undefined when unset, or what is wrong. */
export function readSessionKeys(env: EnvLookup): Result<SessionKeys | undefined, ConfigProblem[]> {
  const current = env("SESSION_TOKEN_KEY");
  const previous = env("SESSION_TOKEN_KEY_PREVIOUS");
  if (!current) {
    return previous
      ? err([{
        path: "SESSION_TOKEN_KEY_PREVIOUS",
        message: "is set but SESSION_TOKEN_KEY is not",
      }])
      : ok(undefined);
  }
  const problems: ConfigProblem[] = [];
  const c = parseSessionKey("SESSION_TOKEN_KEY", current);
  if (!c.ok) problems.push({ path: "SESSION_TOKEN_KEY", message: c.error });
  const p = previous ? parseSessionKey("SESSION_TOKEN_KEY_PREVIOUS", previous) : undefined;
  if (p && !p.ok) problems.push({ path: "SESSION_TOKEN_KEY_PREVIOUS", message: p.error });
  if (!c.ok || (p && !p.ok)) return err(problems);
  return ok({ current: c.value, ...(p?.ok ? { previous: p.value } : {}) });
}

/**
 * Reads both: the session keys and the OIDC issuer, or every problem of
 * either (the session keys' first).
 */
export async function readEnvironment(
  env: EnvLookup,
  clock: Clock,
): Promise<Result<Environment, ConfigProblem[]>> {
  const sessionKeys = readSessionKeys(env);
  const oidcIssuer = await readOidcProvider(env, clock);
  if (!sessionKeys.ok || Array.isArray(oidcIssuer)) {
    return err([
      ...(sessionKeys.ok ? [] : sessionKeys.error),
      ...(Array.isArray(oidcIssuer) ? oidcIssuer : []),
    ]);
  }
  return ok({
    ...(sessionKeys.value ? { sessionKeys: sessionKeys.value } : {}),
    ...(oidcIssuer ? { oidcIssuer } : {}),
  });
}
