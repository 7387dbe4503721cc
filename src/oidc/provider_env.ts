/**
 * The issuer's settings from the environment (`OIDC_PROVIDER_KEY`,
 * `OIDC_PROVIDER_KEY_NEXT`, `OIDC_PROVIDER_ISSUER`), and the config problems
 * of `auth_type: oidc` buckets when they are missing.
 */
import { isHttpUrl } from "../config/url.ts";
import type { Clock } from "../clock.ts";
import type { Config, ConfigProblem } from "../config/types.ts";
import { createOidcIssuer, type OidcIssuer } from "./issuer.ts";
import { parseProviderKey } from "./provider_key.ts";

/** The issuer when configured, undefined when not, or what is wrong. */
export async function readOidcProvider(
  env: (name: string) => string | undefined,
  clock: Clock,
): Promise<OidcIssuer | undefined | ConfigProblem[]> {
  const pem = env("OIDC_PROVIDER_KEY");
  const nextPem = env("OIDC_PROVIDER_KEY_NEXT");
  const issuer = env("OIDC_PROVIDER_ISSUER");
  if (!pem && !issuer && !nextPem) return undefined;
  const problems: ConfigProblem[] = [];
  if (!pem) {
    problems.push({ path: "OIDC_PROVIDER_KEY", message: "required with OIDC_PROVIDER_ISSUER" });
  }
  if (!issuer) {
    problems.push({ path: "OIDC_PROVIDER_ISSUER", message: "required with OIDC_PROVIDER_KEY" });
  } else if (!issuerUrlOk(issuer)) {
    problems.push({
      path: "OIDC_PROVIDER_ISSUER",
      message: "must be the public http(s) URL of this gateway, without query or fragment",
    });
  }
  const current = pem ? await parseProviderKey("OIDC_PROVIDER_KEY", pem) : undefined;
  if (current && !current.ok) problems.push({ path: "OIDC_PROVIDER_KEY", message: current.error });
  const next = nextPem ? await parseProviderKey("OIDC_PROVIDER_KEY_NEXT", nextPem) : undefined;
  if (next && !next.ok) problems.push({ path: "OIDC_PROVIDER_KEY_NEXT", message: next.error });
  if (problems.length > 0 || !current?.ok || !issuer) return problems;
  return createOidcIssuer({
    issuer,
    current: current.value,
    ...(next?.ok ? { next: next.value } : {}),
    clock,
  });
}

function issuerUrlOk(s: string): boolean {
  if (!isHttpUrl(s)) return false;
  const u = new URL(s);
  return !u.search && !u.hash;
}

/** One problem per `auth_type: oidc` bucket when bucketgate is not an issuer. */
export function missingIssuerProblems(config: Config, message: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  config.buckets.forEach((b, i) => {
    if (b.backend.type === "s3" && b.backend.options.oidc !== undefined) {
      problems.push({ path: `buckets[${i}].backend_options.auth_type`, message });
    }
  });
  return problems;
}
