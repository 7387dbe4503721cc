/**
 * `${VAR}` and `${VAR:-default}` references in config strings, filled from an
 * injected environment lookup (this module never reads `Deno.env`).
 *
 * - `${NAME}` is the variable's value; an unset variable is a problem (a set
 *   but empty one is the empty string).
 * - `${NAME:-default}` is the value, or `default` when the variable is unset or
 *   empty (as in POSIX shells). The default is literal text up to the first `}`.
 * - `$${` is a literal `${`; any other `$` is itself.
 * - An IAM policy variable (a lower-case service prefix and a colon:
 *   `${aws:username}`, `${jwt:sub}`) and AWS's escapes `${*}`, `${?}`, `${$}`
 *   are left as they are, for the policy evaluator to resolve per request.
 * - A `${` that does not open a well-formed reference is a problem, so a typo
 *   such as `${DEV SECRET}` is never passed through silently.
 *
 * The loader calls this on string scalars after YAML parsing, so a variable's
 * value can never add YAML structure.
 */

/** Looks up an environment variable: its value, or `undefined` when it is not set. */
export type EnvLookup = (name: string) => string | undefined;

/** The outcome of interpolating one string. */
export interface Interpolated {
  /** The text with every reference replaced (a reference with a problem becomes ""). */
  readonly value: string;
  /** Whether the text held at least one `${...}` reference (escapes do not count). */
  readonly substituted: boolean;
  /** One message per unset variable or malformed reference; empty when all is well. */
  readonly problems: readonly string[];
}

const REFERENCE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/;
const POLICY_VARIABLE = /^\$\{(?:[a-z][a-z0-9]*:[A-Za-z0-9_.:\/-]+|[*?$])\}/;

/** Replaces `${VAR}` and `${VAR:-default}` in `text`; `$${` stands for a literal `${`. */
export function interpolate(text: string, env: EnvLookup): Interpolated {
  if (!text.includes("${")) return { value: text, substituted: false, problems: [] };
  const problems: string[] = [];
  let value = "";
  let substituted = false;
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf("$", i);
    if (dollar === -1) {
      value += text.slice(i);
      break;
    }
    value += text.slice(i, dollar);
    if (text.startsWith("$${", dollar)) {
      value += "${";
      i = dollar + 3;
      continue;
    }
    if (!text.startsWith("${", dollar)) {
      value += "$";
      i = dollar + 1;
      continue;
    }
    const policyVariable = POLICY_VARIABLE.exec(text.slice(dollar));
    if (policyVariable) {
      value += policyVariable[0];
      i = dollar + policyVariable[0].length;
      continue;
    }
    substituted = true;
    const m = REFERENCE.exec(text.slice(dollar));
    if (!m) {
      const end = text.indexOf("}", dollar);
      const shown = end === -1 ? text.slice(dollar, dollar + 24) : text.slice(dollar, end + 1);
      problems.push(
        `malformed reference '${shown}': write \${NAME} or \${NAME:-default}, or $\${ for a literal \${`,
      );
      i = end === -1 ? text.length : end + 1;
      continue;
    }
    const name = m[1]!;
    const fallback = m[2];
    const found = env(name);
    if (fallback !== undefined) {
      value += found === undefined || found === "" ? fallback : found;
    } else if (found === undefined) {
      problems.push(`environment variable ${name} is not set`);
    } else {
      value += found;
    }
    i = dollar + m[0].length;
  }
  return { value, substituted, problems };
}
