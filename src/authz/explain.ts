/**
 * `bucketgate explain`'s core: why a request would be allowed or denied,
 * offline, from the config alone. The caller is an access key id,
 * `role:<role_id>` (a session of that role, with the claims given) or
 * `anonymous`; the request is an IAM action (or an operation) on
 * `bucket/key`. The command line around it parses flags and prints the lines.
 */
import type { Identity } from "../auth/identity.ts";
import type { Config } from "../config/types.ts";
import {
  actionsMatching,
  OPERATION_ACTIONS,
  OPERATION_NAMES,
  type OperationName,
} from "../iam/actions.ts";
import type { CompiledPolicy } from "../iam/document.ts";
import type { Decision } from "../iam/evaluate.ts";
import { explainLines } from "../iam/explain.ts";
import { type ContextKeys, knownKey } from "../iam/keys.ts";
import { err, ok, type Result } from "../result.ts";
import { resolveScopes } from "../sts/templates.ts";
import { contextKeys } from "./context_keys.ts";
import { configuredPolicies, decide } from "./policy_set.ts";

/** What `explain` is asked. */
export interface ExplainInput {
  /** An access key id, `role:<role_id>` or `anonymous`. */
  readonly principal: string;
  /** A session's OIDC claims (`--claim k=v`). */
  readonly claims?: Readonly<Record<string, string>>;
  readonly sessionPolicy?: CompiledPolicy;
  /** `s3:GetObject`, or an operation name (`HeadObject`). */
  readonly action: string;
  /** `bucket` or `bucket/key`. */
  readonly resource: string;
  readonly sourceIp?: string;
  /** Condition keys to set (`--context key=value`), over what the request would have. */
  readonly context?: Readonly<Record<string, string>>;
  /** The time to decide at (ms). */
  readonly now: number;
}

/** The decision and its lines for the terminal. */
export interface Explained {
  readonly decision: Decision;
  readonly lines: readonly string[];
}

function identityOf(config: Config, input: ExplainInput): Result<Identity, string> {
  const p = input.principal;
  if (p === "anonymous") return ok({ kind: "anonymous" });
  if (p.startsWith("role:")) {
    const role = config.roles.find((r) => r.roleId === p.slice(5));
    if (!role) return err(`no role '${p.slice(5)}' in the config`);
    const scopes = resolveScopes(role.allowedScopes, { ...input.claims });
    return ok({
      kind: "session",
      accessKeyId: "explain",
      principal: `${role.roleId}/explain`,
      roleId: role.roleId,
      scopes,
      expiresAt: input.now + 3600_000,
    });
  }
  const c = config.credentials.find((c) => c.accessKeyId === p);
  if (!c) {
    return err(
      `no credential '${p}' in the config: name an access key id, role:<role_id> or anonymous`,
    );
  }
  return ok({
    kind: "access_key",
    accessKeyId: c.accessKeyId,
    principal: c.principalName,
    scopes: c.allowedScopes,
  });
}

/** The operation an action names on a bucket or an object. */
function operationOf(action: string, onObject: boolean): Result<OperationName, string> {
  const named = OPERATION_NAMES.find((op) => op === action);
  if (named) return ok(named);
  const actions = actionsMatching(action);
  if (!Array.isArray(actions) || actions.length !== 1) {
    return err(`'${action}' is not one IAM action or operation`);
  }
  const lower = actions[0]!.toLowerCase();
  const candidates = OPERATION_NAMES.filter((op) => OPERATION_ACTIONS[op].toLowerCase() === lower);
  const preferred = onObject
    ? [
      "GetObject",
      "PutObject",
      "DeleteObject",
      "GetObjectTagging",
      "AbortMultipartUpload",
      "ListParts",
    ]
    : [
      "ListObjectsV2",
      "ListMultipartUploads",
      "GetBucketLocation",
      "GetBucketVersioning",
      "CreateBucket",
      "ListBuckets",
    ];
  const op = candidates.find((c) => preferred.includes(c)) ?? candidates[0];
  return op ? ok(op) : err(`no operation bucketgate serves needs '${action}'`);
}

function withOverrides(
  base: ContextKeys,
  context: Readonly<Record<string, string>>,
): Result<ContextKeys, string> {
  const overrides = new Map<string, readonly string[]>();
  for (const [written, value] of Object.entries(context)) {
    const key = knownKey(written);
    if ("problem" in key) return err(key.problem);
    overrides.set(key.key, [value]);
  }
  return ok({ get: (key) => overrides.get(key) ?? base.get(key) });
}

/** Decides the request `input` describes against `config`. */
export function explain(config: Config, input: ExplainInput): Result<Explained, string> {
  const identity = identityOf(config, input);
  if (!identity.ok) return identity;
  const slash = input.resource.indexOf("/");
  const bucketName = slash < 0 ? input.resource : input.resource.slice(0, slash);
  const key = slash < 0 ? undefined : input.resource.slice(slash + 1);
  const bucket = config.buckets.find((b) => b.name === bucketName);
  if (!bucket) return err(`no bucket '${bucketName}' in the config`);
  const operation = operationOf(input.action, key !== undefined);
  if (!operation.ok) return operation;
  const session = identity.value.kind === "session"
    ? { sessionName: "explain", issuedAt: input.now, claims: input.claims ?? {} }
    : undefined;
  const base = contextKeys({
    identity: identity.value,
    ...(input.sourceIp ? { sourceIp: input.sourceIp } : {}),
    secureTransport: true,
    now: input.now,
    headers: new Headers(),
    ...(session ? { session } : {}),
  });
  const keys = withOverrides(base, input.context ?? {});
  if (!keys.ok) return keys;
  const decision = decide(identity.value, bucket, {
    operation: operation.value,
    ...(key !== undefined ? { key } : {}),
    keys: keys.value,
  }, {
    identity: configuredPolicies(identity.value, config),
    ...(input.sessionPolicy ? { session: input.sessionPolicy } : {}),
  });
  return ok({
    decision,
    lines: [`${operation.value} on ${input.resource}`, ...explainLines(decision)],
  });
}
