/** Shared helpers of the iam tests: compile a document that must be valid, build a request. */
import assert from "node:assert/strict";
import type { OperationName } from "../../../src/iam/actions.ts";
import { type CompiledPolicy, compilePolicy, type PolicyKind } from "../../../src/iam/document.ts";
import type { PolicyRequest } from "../../../src/iam/evaluate.ts";
import { canonicalKey, type ContextKeys } from "../../../src/iam/keys.ts";
import type { Caller } from "../../../src/iam/principals.ts";
import { requestResource } from "../../../src/iam/resources.ts";

/** Compiles a document that must be valid. */
export function policyOf(
  doc: unknown,
  kind: PolicyKind = "identity",
  name = kind === "bucket" ? "bucket:data" : "p",
): CompiledPolicy {
  const r = compilePolicy(doc, { name, kind });
  if (!r.ok) assert.fail(`expected a valid policy, got ${JSON.stringify(r.error, null, 2)}`);
  return r.value;
}

/** A document of one or more statements (Version 2012-10-17). */
export function doc(...statements: unknown[]): unknown {
  return { Version: "2012-10-17", Statement: statements };
}

/** Condition keys from their AWS spelling. */
export function keysOf(values: Record<string, string | readonly string[]> = {}): ContextKeys {
  return new Map(Object.entries(values).map(([k, v]) => [canonicalKey(k), [v].flat()]));
}

/** A request: an operation on `bucket/key` (or the bucket when the path has no `/`). */
export function req(
  operation: OperationName,
  path: string,
  caller: Caller = { kind: "user", accessKeyId: "AKIDALICE" },
  keys: ContextKeys = keysOf(),
): PolicyRequest {
  const slash = path.indexOf("/");
  const resource = slash < 0
    ? requestResource(path)
    : requestResource(path.slice(0, slash), path.slice(slash + 1));
  return { operation, resource, caller, keys };
}
