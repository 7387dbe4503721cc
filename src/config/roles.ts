/** `roles:`: the roles OIDC callers can assume through STS, and whom each trusts. */
import type { Fields, Reader } from "./_reader.ts";
import { issuerProblem, type RoleTrust, roleTrustProblem } from "./_rules.ts";
import type { Item } from "./_reader.ts";
import { check, claimUnique, sections } from "./_sections.ts";
import { readPolicyRefs } from "./policies.ts";
import { CONFIG_DEFAULTS } from "./defaults.ts";
import { readScopes } from "./scopes.ts";
import type { RoleConfig } from "./types.ts";

/** The keys each item of `roles:` may hold. */
export const ROLE_KEYS = [
  "role_id",
  "name",
  "trusted_oidc_issuers",
  "required_audiences",
  "subject_conditions",
  "allow_any_subject",
  "max_session_duration_secs",
  "allowed_scopes",
  "policies",
] as const;

/** What `readRoles` found. */
export interface RolesRead {
  readonly roles: RoleConfig[];
  /** Every role_id read (also of roles with problems, so references are not reported again). */
  readonly roleIds: Set<string>;
  /** The `policies:` each role names, resolved once the documents are read. */
  readonly policyRefs: Map<RoleConfig, Item<string>[]>;
}

/** The roles. */
export function readRoles(r: Reader, top: Fields, bucketNames: ReadonlySet<string>): RolesRead {
  const roles: RoleConfig[] = [];
  const policyRefs = new Map<RoleConfig, Item<string>[]>();
  const firstById = new Map<string, string>();
  for (const f of sections(r, top, "roles", { keys: ROLE_KEYS })) {
    const roleId = r.string(f, "role_id", { required: true });
    if (roleId) claimUnique(r, firstById, roleId, "role_id");
    const role = readRole(r, f, bucketNames);
    const refs = readPolicyRefs(r, f);
    if (roleId && role) {
      const config = { roleId: roleId.value, ...role, name: role.name ?? roleId.value };
      roles.push(config);
      policyRefs.set(config, refs);
    }
  }
  return { roles, roleIds: new Set(firstById.keys()), policyRefs };
}

/** One role but its id; undefined when its issuers are unusable. */
function readRole(
  r: Reader,
  f: Fields,
  bucketNames: ReadonlySet<string>,
): Omit<RoleConfig, "roleId" | "name"> & { name?: string } | undefined {
  const name = r.string(f, "name");
  const issuers = r.strings(
    f,
    "trusted_oidc_issuers",
    "required: a list of issuer URLs whose tokens may assume this role",
  );
  if (issuers?.length === 0) {
    r.problem(
      f.at("trusted_oidc_issuers"),
      "must name at least one issuer URL",
      f.get("trusted_oidc_issuers"),
    );
  }
  for (const issuer of issuers ?? []) check(r, issuer, issuerProblem(issuer.value));
  const audiences = nonEmptyStrings(r, f, "required_audiences");
  const subjects = nonEmptyStrings(r, f, "subject_conditions");
  // undefined: not a boolean, already reported; the trust check waits for a valid one.
  const allowAny = f.get("allow_any_subject") === undefined
    ? false
    : r.boolean(f, "allow_any_subject");
  const trustedOidcIssuers = (issuers ?? []).map((i) => i.value);
  if (allowAny !== undefined) {
    checkRoleTrust(r, f, { issuers: trustedOidcIssuers, audiences, subjects }, allowAny);
  }
  const maxSessionDurationSecs = r.integer(f, "max_session_duration_secs", {
    fallback: CONFIG_DEFAULTS.maxSessionDurationSecs,
    min: 900,
    max: 43200,
  });
  const allowedScopes = readScopes(r, f, "role", bucketNames);
  if (issuers === undefined) return undefined;
  return {
    ...(name ? { name: name.value } : {}),
    trustedOidcIssuers,
    requiredAudiences: audiences,
    subjectConditions: subjects,
    ...(allowAny ? { allowAnySubject: true } : {}),
    maxSessionDurationSecs,
    allowedScopes,
  };
}

/**
 * Reports a role that accepts every subject of its issuers (`roleTrustProblem`)
 * unless it says `allow_any_subject: true`, and `allow_any_subject: true`
 * beside subject_conditions, which still apply.
 */
function checkRoleTrust(r: Reader, f: Fields, trust: RoleTrust, allowAnySubject: boolean): void {
  if (trust.issuers.length === 0) return;
  if (allowAnySubject) {
    if (trust.subjects.length > 0) {
      r.problem(
        f.at("allow_any_subject"),
        "allow_any_subject: true beside subject_conditions, which still apply: remove one",
        f.get("allow_any_subject"),
      );
    }
    return;
  }
  const problem = roleTrustProblem(trust);
  if (problem) r.problem(f.path, problem, f.node);
}

/** A list of non-empty strings; `[]` when absent. */
function nonEmptyStrings(r: Reader, f: Fields, key: string): string[] {
  const out: string[] = [];
  for (const item of r.strings(f, key) ?? []) {
    if (item.value === "") r.problem(item.path, "must not be empty", item.node);
    else out.push(item.value);
  }
  return out;
}
