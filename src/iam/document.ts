/**
 * IAM policy documents in AWS's grammar (`Version`, `Statement` — a list or a
 * single object — with `Sid`, `Effect`, `Action`/`NotAction`,
 * `Resource`/`NotResource`, `Condition`, and in bucket policies
 * `Principal`/`NotPrincipal`), parsed from plain data into a compiled policy
 * once, at config load. Every problem is reported with its path in the document.
 */
import { err, ok, type Result } from "../result.ts";
import { actionsMatching, type OperationName, operationsNamed } from "./actions.ts";
import { compileConditions, type CompiledCondition } from "./conditions.ts";
import { type CompiledPrincipals, compilePrincipals, type PrincipalOptions } from "./principals.ts";
import { isObject, itemPath, joinPath, listOf, type PolicyProblem, Problems } from "./problems.ts";
import { type CompiledResources, compileResources, type ResourceOptions } from "./resources.ts";

/** Where a policy is attached, which decides whether it names principals. */
export type PolicyKind = "identity" | "bucket" | "session";

/** One compiled statement, naming where it came from for `explain` and the access log. */
export interface CompiledStatement {
  /** The policy's name (`read-public`, `bucket:data`, `scopes`). */
  readonly policy: string;
  /** Its index in the policy's statements. */
  readonly index: number;
  readonly sid?: string;
  readonly effect: "Allow" | "Deny";
  /** The operations its Action (or NotAction) names. */
  readonly operations: ReadonlySet<OperationName>;
  readonly resources: CompiledResources;
  /** A bucket policy's Principal or NotPrincipal; absent elsewhere. */
  readonly principals?: CompiledPrincipals;
  readonly conditions: readonly CompiledCondition[];
}

/** A compiled policy. */
export interface CompiledPolicy {
  readonly name: string;
  readonly kind: PolicyKind;
  readonly statements: readonly CompiledStatement[];
}

/** Options of `compilePolicy`. */
export interface PolicyOptions extends ResourceOptions, Partial<PrincipalOptions> {
  readonly name: string;
  readonly kind: PolicyKind;
}

const DOCUMENT_KEYS = ["Version", "Id", "Statement"];
const STATEMENT_KEYS = [
  "Sid",
  "Effect",
  "Action",
  "NotAction",
  "Resource",
  "NotResource",
  "Condition",
  "Principal",
  "NotPrincipal",
];
const VERSIONS = ["2012-10-17", "2008-10-17"];

/** Compiles a document (plain data from YAML or JSON); every problem with its path. */
export function compilePolicy(
  raw: unknown,
  options: PolicyOptions,
): Result<CompiledPolicy, PolicyProblem[]> {
  const problems = new Problems();
  if (!isObject(raw)) {
    problems.add("", "a policy document must be a mapping: { Version, Statement }");
    return err(problems.list);
  }
  unknownKeys(raw, "", DOCUMENT_KEYS, problems);
  const version = raw["Version"];
  if (version !== undefined && !VERSIONS.includes(version as string)) {
    problems.add("Version", `must be "2012-10-17" (or "2008-10-17")`);
  }
  const items = listOf(raw["Statement"]);
  if (items.length === 0) problems.add("Statement", "required: one statement or a list of them");
  const statements: CompiledStatement[] = [];
  const sids = new Map<string, string>();
  items.forEach((item, i) => {
    const path = itemPath("Statement", raw["Statement"], i);
    const s = compileStatement(item, path, i, options, problems);
    const sid = isObject(item) ? item["Sid"] : undefined;
    if (typeof sid === "string") {
      const first = sids.get(sid);
      if (first) problems.add(joinPath(path, "Sid"), `duplicate Sid '${sid}' (also ${first})`);
      else sids.set(sid, joinPath(path, "Sid"));
    }
    if (version !== "2012-10-17" && JSON.stringify(item).includes("${")) {
      problems.add(path, `policy variables (\${...}) need Version: "2012-10-17"`);
    }
    if (s) statements.push(s);
  });
  if (problems.list.length > 0) return err(problems.list);
  return ok({ name: options.name, kind: options.kind, statements });
}

function unknownKeys(
  raw: Readonly<Record<string, unknown>>,
  path: string,
  known: readonly string[],
  problems: Problems,
): void {
  for (const key of Object.keys(raw)) {
    if (!known.includes(key)) {
      problems.add(joinPath(path, key), `unknown key: use ${known.join(", ")}`);
    }
  }
}

/** The one of two exclusive keys that is present (`Action` or `NotAction`). */
function oneOf(
  raw: Readonly<Record<string, unknown>>,
  path: string,
  [plain, not]: readonly [string, string],
  problems: Problems,
): { readonly key: string; readonly negated: boolean } | undefined {
  const hasPlain = raw[plain] !== undefined;
  const hasNot = raw[not] !== undefined;
  if (hasPlain && hasNot) problems.add(joinPath(path, not), `write ${plain} or ${not}, not both`);
  else if (!hasPlain && !hasNot) problems.add(path, `required: ${plain} or ${not}`);
  else return { key: hasPlain ? plain : not, negated: hasNot };
  return undefined;
}

function compileStatement(
  raw: unknown,
  path: string,
  index: number,
  options: PolicyOptions,
  problems: Problems,
): CompiledStatement | undefined {
  if (!isObject(raw)) {
    problems.add(path, "a statement must be a mapping: { Effect, Action, Resource, ... }");
    return undefined;
  }
  unknownKeys(raw, path, STATEMENT_KEYS, problems);
  const sid = raw["Sid"];
  if (sid !== undefined && typeof sid !== "string") {
    problems.add(joinPath(path, "Sid"), "must be a string");
  }
  const effect = raw["Effect"];
  if (effect !== "Allow" && effect !== "Deny") {
    problems.add(joinPath(path, "Effect"), `required: "Allow" or "Deny"`);
  }
  const operations = compileActions(raw, path, problems);
  const res = oneOf(raw, path, ["Resource", "NotResource"], problems);
  const resources = res &&
    compileResources(raw[res.key], joinPath(path, res.key), res.negated, problems, options);
  const principals = compileStatementPrincipals(raw, path, options, problems);
  const conditions = compileConditions(raw["Condition"], joinPath(path, "Condition"), problems);
  if (!operations || !resources || (effect !== "Allow" && effect !== "Deny")) return undefined;
  return {
    policy: options.name,
    index,
    ...(typeof sid === "string" ? { sid } : {}),
    effect,
    operations,
    resources,
    ...(principals ? { principals } : {}),
    conditions,
  };
}

function compileActions(
  raw: Readonly<Record<string, unknown>>,
  path: string,
  problems: Problems,
): ReadonlySet<OperationName> | undefined {
  const which = oneOf(raw, path, ["Action", "NotAction"], problems);
  if (!which) return undefined;
  const at = joinPath(path, which.key);
  const value = raw[which.key];
  const items = listOf(value);
  if (items.length === 0) problems.add(at, "must name at least one action");
  const actions: string[] = [];
  items.forEach((item, i) => {
    const found = typeof item === "string"
      ? actionsMatching(item)
      : { problem: "must be a string" };
    if (Array.isArray(found)) actions.push(...found);
    else problems.add(itemPath(at, value, i), found.problem);
  });
  return operationsNamed(actions, which.negated);
}

function compileStatementPrincipals(
  raw: Readonly<Record<string, unknown>>,
  path: string,
  options: PolicyOptions,
  problems: Problems,
): CompiledPrincipals | undefined {
  if (options.kind !== "bucket") {
    for (const key of ["Principal", "NotPrincipal"]) {
      if (raw[key] !== undefined) {
        problems.add(
          joinPath(path, key),
          `only a bucket policy names principals; this is ${
            options.kind === "identity" ? "an identity" : "a session"
          } policy`,
        );
      }
    }
    return undefined;
  }
  const which = oneOf(raw, path, ["Principal", "NotPrincipal"], problems);
  if (!which) return undefined;
  return compilePrincipals(raw[which.key], joinPath(path, which.key), which.negated, problems, {
    accountId: options.accountId ?? DEFAULT_ACCOUNT_ID,
    ...(options.roleIds ? { roleIds: options.roleIds } : {}),
    ...(options.accessKeyIds ? { accessKeyIds: options.accessKeyIds } : {}),
  });
}

/** The account id bucketgate's STS answers name when none is configured. */
export const DEFAULT_ACCOUNT_ID = "000000000000";
