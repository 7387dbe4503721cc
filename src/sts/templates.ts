/**
 * `{claim}` templates in a role's scopes (`{sub}`, `team-{org}`, `home/{sub}/`),
 * resolved from the web identity token's claims when credentials are minted.
 * A claim can only narrow access: a missing or non-string claim, or a value
 * that could widen a scope (`*`, `/`, `..`, empty, control or other special
 * characters), drops the scope, so it can never match.
 */
import type { Scope } from "../config/types.ts";

const TEMPLATE = /\{([^{}]*)\}/g;
// Letters, digits and a few punctuation marks; notably no `*`, `/`, `\`, `%` or `?`.
const SAFE_VALUE = /^[A-Za-z0-9_@+=:,.-]{1,128}$/;

/** Whether a claim value may stand in for a template. */
export function isSafeClaimValue(value: unknown): value is string {
  return typeof value === "string" && SAFE_VALUE.test(value) && !value.includes("..") &&
    value !== ".";
}

/** Fills the templates of one string; undefined when a claim is missing or unsafe. */
export function fillTemplate(
  text: string,
  claims: Readonly<Record<string, unknown>>,
): string | undefined {
  let failed = false;
  const out = text.replace(TEMPLATE, (_, name: string) => {
    const value = Object.hasOwn(claims, name) ? claims[name] : undefined;
    if (!isSafeClaimValue(value)) {
      failed = true;
      return "";
    }
    return value;
  });
  return failed ? undefined : out;
}

/** Resolves every template of a role's scopes; scopes with an unresolvable template are dropped. */
export function resolveScopes(
  scopes: readonly Scope[],
  claims: Readonly<Record<string, unknown>>,
): Scope[] {
  const out: Scope[] = [];
  for (const s of scopes) {
    const bucket = fillTemplate(s.bucket, claims);
    const prefixes = s.prefixes.map((p) => fillTemplate(p, claims));
    if (bucket === undefined || prefixes.some((p) => p === undefined)) continue;
    out.push({ bucket, prefixes: prefixes as string[], actions: s.actions });
  }
  return out;
}
