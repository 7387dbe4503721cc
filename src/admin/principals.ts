/**
 * The `kind` and `principal` labels of the per-principal metrics: a
 * configured access key by its principal_name, a role by its name (every
 * session of the role counted as the role, an STS call that minted one too),
 * anonymous traffic as one series. Every value comes from the config: a
 * principal the config does not name (a session of a role a reload removed)
 * is "(unknown)", so the series are bounded by the config alone. Never a
 * secret: the labels are the names the access log already prints.
 */
import type { AccessLogEntry } from "../log/entry.ts";

/** How a principal label's caller authenticated. */
export type PrincipalKind = "access_key" | "role" | "anonymous";

/** The labels of one principal series. */
export type PrincipalLabels = {
  readonly kind: PrincipalKind;
  readonly principal: string;
};

/** The `principal` label of a caller the config does not name. */
export const UNKNOWN_PRINCIPAL = "(unknown)";

/** The anonymous caller's labels (one series for all of them). */
export const ANONYMOUS_LABELS: PrincipalLabels = { kind: "anonymous", principal: "anonymous" };

/** The principals one config names: its access keys' principal_names and its roles. */
export interface KnownPrincipals {
  /** Each access key's principal_name. */
  readonly keys: Iterable<string>;
  /** Each role's role_id and name. */
  readonly roles: Iterable<{ readonly roleId: string; readonly name: string }>;
}

/** Maps an access-log entry to its principal labels (the same object per principal). */
export type PrincipalLabeller = (e: AccessLogEntry) => PrincipalLabels;

/** The labeller of one config's principals. */
export function principalLabeller(known?: KnownPrincipals): PrincipalLabeller {
  const keys = new Map<string, PrincipalLabels>();
  for (const name of known?.keys ?? []) keys.set(name, { kind: "access_key", principal: name });
  const roles = new Map<string, PrincipalLabels>();
  for (const r of known?.roles ?? []) roles.set(r.roleId, { kind: "role", principal: r.name });
  const unknownKey: PrincipalLabels = { kind: "access_key", principal: UNKNOWN_PRINCIPAL };
  const unknownRole: PrincipalLabels = { kind: "role", principal: UNKNOWN_PRINCIPAL };
  return (e) => {
    const principal = e.principal;
    if (principal === undefined || e.authMode === "anonymous") return ANONYMOUS_LABELS;
    if (e.authMode === "access_key") return keys.get(principal) ?? unknownKey;
    // A session's (and a minting STS call's) principal is `<role_id>/<session name>`.
    const slash = principal.indexOf("/");
    const roleId = slash < 0 ? principal : principal.slice(0, slash);
    return roles.get(roleId) ?? unknownRole;
  };
}

/** A principal's key in the status ring and page: `kind:name` (`anonymous` alone). */
export function principalKey(l: PrincipalLabels): string {
  return l.kind === "anonymous" ? "anonymous" : `${l.kind}:${l.principal}`;
}
