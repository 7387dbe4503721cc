/**
 * `allowed_scopes` of a role or credential. A scope's bucket is a configured
 * bucket or `*`; roles may also use `{claim}` templates (`{sub}`), which are
 * resolved from the caller's JWT when credentials are minted.
 */
import type { Fields, Reader } from "./_reader.ts";
import { hasTemplate, templateProblem } from "./_rules.ts";
import { check } from "./_sections.ts";
import { didYouMean } from "./_suggest.ts";
import { type Action, ACTIONS, type Scope } from "./types.ts";

/** The keys each item of `allowed_scopes:` may hold. */
export const SCOPE_KEYS = ["bucket", "prefixes", "actions"] as const;
const VALID_ACTIONS = `valid actions: ${ACTIONS.join(", ")}`;

/** Who holds the scopes: a role (templates allowed) or a credential. */
export type ScopeOwner = "role" | "credential";

/** The `allowed_scopes` of `owner`, each naming a bucket of `bucketNames`, `*` or (roles) a template. */
export function readScopes(
  r: Reader,
  owner: Fields,
  kind: ScopeOwner,
  bucketNames: ReadonlySet<string>,
): Scope[] {
  const scopes: Scope[] = [];
  // Beside `policies:`, scopes are optional.
  const items = r.list(
    owner,
    "allowed_scopes",
    owner.get("policies") === undefined
      ? "required: a list of { bucket, prefixes, actions } (may be []), or policies: [names]"
      : undefined,
  );
  for (const item of items ?? []) {
    const s = r.mapping(item.node, item.path, SCOPE_KEYS);
    if (!s) continue;
    const bucket = r.string(s, "bucket", { required: true });
    if (bucket) check(r, bucket, scopeBucketProblem(bucket.value, kind, bucketNames));
    const prefixes = (r.strings(s, "prefixes") ?? []).map((p) => p.value);
    const actions = readActions(r, s);
    if (bucket && actions) scopes.push({ bucket: bucket.value, prefixes, actions });
  }
  return scopes;
}

function scopeBucketProblem(
  bucket: string,
  kind: ScopeOwner,
  bucketNames: ReadonlySet<string>,
): string | undefined {
  if (bucket === "*" || bucketNames.has(bucket)) return undefined;
  if (hasTemplate(bucket)) {
    if (kind === "role") return templateProblem(bucket);
    return `'${bucket}': {claim} templates are only for roles; a credential names a configured bucket or *`;
  }
  const alternatives = kind === "role"
    ? "a configured bucket, * or a {claim} template"
    : "a configured bucket or *";
  return `'${bucket}' is not a configured bucket${
    didYouMean(bucket, [...bucketNames])
  }: use ${alternatives}`;
}

/** A scope's actions: a non-empty list of known actions (duplicates dropped). */
function readActions(r: Reader, s: Fields): Action[] | undefined {
  const items = r.strings(s, "actions", `required: a list of actions (${VALID_ACTIONS})`);
  if (items === undefined) return undefined;
  if (items.length === 0) {
    r.problem(
      s.at("actions"),
      `must name at least one action (${VALID_ACTIONS})`,
      s.get("actions"),
    );
    return undefined;
  }
  const actions: Action[] = [];
  let bad = false;
  for (const item of items) {
    const action = ACTIONS.find((a) => a === item.value);
    if (action === undefined) {
      bad = true;
      r.problem(
        item.path,
        `unknown action '${item.value}'${didYouMean(item.value, ACTIONS)}; ${VALID_ACTIONS}`,
        item.node,
      );
    } else if (!actions.includes(action)) {
      actions.push(action);
    }
  }
  return bad ? undefined : actions;
}
