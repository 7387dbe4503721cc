/**
 * A bucket policy's `Principal`/`NotPrincipal`: `"*"` (everyone, anonymous
 * callers too), access key ids, and roles as `arn:aws:iam::<account>:role/<role_id>`
 * (`*` for the account matches bucketgate's). The kind of match matters: a
 * session policy limits what a grant naming the role allows, not a grant to everyone.
 */
import { isObject, itemPath, joinPath, listOf, type Problems } from "./problems.ts";

/** Who calls, as policies see them. */
export type Caller =
  | { readonly kind: "anonymous" }
  | { readonly kind: "user"; readonly accessKeyId: string }
  | { readonly kind: "session"; readonly roleId: string };

/** How a principal element named the caller: as everyone, by access key, or by role. */
export type PrincipalMatch = "everyone" | "key" | "role";

/** A compiled `Principal` (or `NotPrincipal`). */
export interface CompiledPrincipals {
  readonly everyone: boolean;
  readonly accessKeys: ReadonlySet<string>;
  readonly roles: ReadonlySet<string>;
  readonly negated: boolean;
}

/** Options of `compilePrincipals`. */
export interface PrincipalOptions {
  /** The account id of role ARNs (the one STS answers name). */
  readonly accountId: string;
  /** The configured roles: a role outside them is a problem. Absent: not checked. */
  readonly roleIds?: ReadonlySet<string>;
  /** The configured access keys: a key outside them is a problem. Absent: not checked. */
  readonly accessKeyIds?: ReadonlySet<string>;
}

const ROLE_ARN = /^arn:aws:iam::(\*|\d{12}):role\/(.+)$/;
const ACCESS_KEY_ID = /^[A-Za-z0-9]{3,128}$/;

/** Compiles `Principal: "*"` or `{ AWS: … }`, reporting each bad entry at its path. */
export function compilePrincipals(
  raw: unknown,
  path: string,
  negated: boolean,
  problems: Problems,
  options: PrincipalOptions,
): CompiledPrincipals {
  const out = { everyone: false, accessKeys: new Set<string>(), roles: new Set<string>(), negated };
  if (raw === "*") return { ...out, everyone: true };
  if (!isObject(raw) || Object.keys(raw).some((k) => k !== "AWS")) {
    problems.add(path, `must be "*" or { AWS: ... }: bucketgate knows AWS principals only`);
    return out;
  }
  const aws = raw["AWS"];
  const at = joinPath(path, "AWS");
  const items = listOf(aws);
  if (items.length === 0) problems.add(at, "must name at least one principal");
  items.forEach((item, i) => {
    const problem = addPrincipal(out, item, options);
    if (problem) problems.add(itemPath(at, aws, i), problem);
  });
  return out;
}

function addPrincipal(
  out: { everyone: boolean; accessKeys: Set<string>; roles: Set<string> },
  item: unknown,
  options: PrincipalOptions,
): string | undefined {
  if (typeof item !== "string") return "must be a string";
  if (item === "*") {
    out.everyone = true;
    return undefined;
  }
  const role = ROLE_ARN.exec(item);
  if (role) {
    const [, account, roleId] = role as unknown as [string, string, string];
    if (account !== "*" && account !== options.accountId) {
      return `'${item}' names account ${account}; bucketgate's is ${options.accountId} (or write *)`;
    }
    if (options.roleIds && !options.roleIds.has(roleId)) {
      return `'${item}' names '${roleId}', which is not a configured role`;
    }
    out.roles.add(roleId);
    return undefined;
  }
  if (item.startsWith("arn:")) {
    return `malformed principal '${item}': write "*", an access key id, or arn:aws:iam::${options.accountId}:role/<role_id>`;
  }
  if (!ACCESS_KEY_ID.test(item)) return `'${item}' is not an access key id`;
  if (options.accessKeyIds && !options.accessKeyIds.has(item)) {
    return `'${item}' is not a configured access key id`;
  }
  out.accessKeys.add(item);
  return undefined;
}

/** How the principals name the caller; undefined when they do not. */
export function principalMatch(p: CompiledPrincipals, caller: Caller): PrincipalMatch | undefined {
  const found = namedAs(p, caller);
  if (!p.negated) return found;
  return found === undefined ? "everyone" : undefined;
}

function namedAs(p: CompiledPrincipals, caller: Caller): PrincipalMatch | undefined {
  if (caller.kind === "user" && p.accessKeys.has(caller.accessKeyId)) return "key";
  if (caller.kind === "session" && p.roles.has(caller.roleId)) return "role";
  return p.everyone ? "everyone" : undefined;
}
