/** `${VAR}` and `${VAR:-default}` in config strings, from an injected environment. */

/** Looks up an environment variable. */
export type EnvLookup = (name: string) => string | undefined;

const PATTERN = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${VAR}` and `${VAR:-default}`; `$${` stands for a literal `${`.
 * Returns the names of variables that are unset and have no default.
 */
export function interpolate(text: string, env: EnvLookup): { value: string; missing: string[] } {
  const missing: string[] = [];
  const value = text.replace(
    PATTERN,
    (match, name: string | undefined, fallback: string | undefined) => {
      if (match === "$${") return "${";
      const v = env(name!);
      if (v !== undefined && v !== "") return v;
      if (fallback !== undefined) return fallback;
      if (v === undefined) missing.push(name!);
      return "";
    },
  );
  return { value, missing };
}
