/**
 * The decision, as AWS documents policy evaluation within one account: an
 * explicit Deny in any applicable policy wins; otherwise an Allow from the
 * caller's identity policies or from the bucket policy (whose principal names
 * the caller) allows; otherwise the request is denied. A session policy limits
 * a session: the role's policies and the session policy must both allow, and a
 * bucket policy's grant naming the role needs the session policy's Allow too
 * (a grant to everyone does not: the caller has it unsigned as well).
 */
import type { OperationName } from "./actions.ts";
import { and3, conditionsHold, type Truth } from "./conditions.ts";
import type { CompiledPolicy, CompiledStatement } from "./document.ts";
import type { ContextKeys } from "./keys.ts";
import { type Caller, type PrincipalMatch, principalMatch } from "./principals.ts";
import { type RequestResource, resourceMatches } from "./resources.ts";

/** One request to decide. */
export interface PolicyRequest {
  readonly operation: OperationName;
  readonly resource: RequestResource;
  readonly caller: Caller;
  /** The condition keys (iam/keys.ts). */
  readonly keys: ContextKeys;
}

/** The policies that apply to one request. */
export interface PolicySet {
  /** The caller's identity policies (a key's, or a session's role's). */
  readonly identity: readonly CompiledPolicy[];
  /** A session's policy, sealed in its token; absent: the session is not limited. */
  readonly session?: CompiledPolicy | undefined;
  /** The bucket's policy, if it has one. */
  readonly bucket?: CompiledPolicy | undefined;
}

/** What decided. */
export type DecisionReason = "explicit-deny" | "allowed" | "implicit-deny";

/** The decision, with the statement that decided and every statement that applied. */
export interface Decision {
  readonly allowed: boolean;
  readonly reason: DecisionReason;
  /** The Deny that won, or the Allow that allowed; absent for an implicit deny. */
  readonly deciding?: CompiledStatement;
  /** Every statement that applied, in the order evaluated (identity, session, bucket). */
  readonly matched: readonly CompiledStatement[];
}

/** Whether a statement applies, and for a bucket policy's how it named the caller. */
function applies(s: CompiledStatement, r: PolicyRequest): PrincipalMatch | "identity" | undefined {
  if (!s.operations.has(r.operation)) return undefined;
  let named: PrincipalMatch | "identity" = "identity";
  if (s.principals) {
    const m = principalMatch(s.principals, r.caller);
    if (m === undefined) return undefined;
    named = m;
  }
  let truth: Truth = resourceMatches(s.resources, r.resource, r.keys);
  if (truth === false) return undefined;
  truth = and3(truth, conditionsHold(s.conditions, r.keys));
  // Fail closed: an unresolved statement denies, and never allows.
  if (s.effect === "Allow" ? truth !== true : truth === false) return undefined;
  return named;
}

interface Found {
  deny: CompiledStatement | undefined;
  /** An Allow from an identity policy, or a bucket policy's naming everyone or the key. */
  allow: CompiledStatement | undefined;
  /** A bucket policy's Allow naming the caller's role. */
  roleAllow: CompiledStatement | undefined;
}

/** Nothing found: a policy set without that part. */
const NONE: Found = { deny: undefined, allow: undefined, roleAllow: undefined };

/** Scans one policy into `found`: the first applying Deny and Allows, every applying statement into `matched`. */
function scanInto(
  policy: CompiledPolicy,
  r: PolicyRequest,
  matched: CompiledStatement[],
  found: Found,
): void {
  // Index loops: this runs per request over every statement.
  const statements = policy.statements;
  for (let i = 0; i < statements.length; i++) {
    const s = statements[i]!;
    const named = applies(s, r);
    if (named === undefined) continue;
    matched.push(s);
    if (s.effect === "Deny") found.deny ??= s;
    else if (named === "role") found.roleAllow ??= s;
    else found.allow ??= s;
  }
}

/** Scans policies (`scanInto`); absent ones find nothing. */
function scan(
  policies: readonly CompiledPolicy[],
  r: PolicyRequest,
  matched: CompiledStatement[],
): Found {
  const found: Found = { deny: undefined, allow: undefined, roleAllow: undefined };
  for (let i = 0; i < policies.length; i++) scanInto(policies[i]!, r, matched, found);
  return found;
}

/** Scans one policy, or finds nothing when there is none. */
function scanOne(
  policy: CompiledPolicy | undefined,
  r: PolicyRequest,
  matched: CompiledStatement[],
): Found {
  if (policy === undefined) return NONE;
  const found: Found = { deny: undefined, allow: undefined, roleAllow: undefined };
  scanInto(policy, r, matched, found);
  return found;
}

/** Decides one request against its policies. */
export function evaluate(policies: PolicySet, r: PolicyRequest): Decision {
  const matched: CompiledStatement[] = [];
  const identity = scan(policies.identity, r, matched);
  const limited = policies.session !== undefined && r.caller.kind === "session";
  const session = limited ? scanOne(policies.session, r, matched) : NONE;
  const bucket = scanOne(policies.bucket, r, matched);
  const deny = identity.deny ?? session.deny ?? bucket.deny;
  if (deny) return { allowed: false, reason: "explicit-deny", deciding: deny, matched };
  const sessionAllows = !limited || session.allow !== undefined;
  const allow = bucket.allow ??
    (sessionAllows ? identity.allow ?? bucket.roleAllow : undefined);
  if (allow) return { allowed: true, reason: "allowed", deciding: allow, matched };
  return { allowed: false, reason: "implicit-deny", matched };
}
