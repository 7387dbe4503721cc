import assert from "node:assert/strict";
import {
  anonymousAccessPolicy,
  ANY_ACCESS_OPERATIONS,
  SCOPE_ACTION_OPERATIONS,
  scopePolicy,
} from "../../../src/authz/scope_policy.ts";
import { ACTIONS } from "../../../src/config/types.ts";
import { evaluate } from "../../../src/iam/evaluate.ts";
import { canonicalKey } from "../../../src/iam/keys.ts";
import { requestResource } from "../../../src/iam/resources.ts";
import { OPERATIONS } from "../../../src/s3/operations.ts";

const ALICE = { kind: "user", accessKeyId: "AKIDALICE" } as const;

Deno.test("SCOPE_ACTION_OPERATIONS and ANY_ACCESS_OPERATIONS name each operation the path authorizes once", () => {
  const named = [...Object.values(SCOPE_ACTION_OPERATIONS).flat(), ...ANY_ACCESS_OPERATIONS];
  const byPath = Object.entries(OPERATIONS).filter(([, op]) => op.authorizedBy === "path")
    .map(([name]) => name);
  assert.deepEqual([...named].sort(), byPath.sort());
  assert.deepEqual(Object.keys(SCOPE_ACTION_OPERATIONS).sort(), [...ACTIONS].sort());
});

Deno.test("scopePolicy() keeps a prefix literal: '*' in a scope prefix is a character", () => {
  const p = scopePolicy([{ bucket: "data", prefixes: ["a*"], actions: ["get_object"] }], "scopes");
  const get = (key: string) =>
    evaluate({ identity: [p] }, {
      operation: "GetObject",
      resource: requestResource("data", key),
      caller: ALICE,
      keys: new Map(),
    }).allowed;
  assert.equal(get("a*"), true);
  assert.equal(get("a*/x"), true);
  assert.equal(get("ab"), false);
  assert.equal(get("a*b"), false, "'a*' covers itself and what is below 'a*/'");
  assert.deepEqual(p.statements.map((s) => [s.policy, s.index, s.sid]), [
    ["scopes", 0, "allowed_scopes[0]"],
    ["scopes", 1, "allowed_scopes[0]"],
  ]);
});

Deno.test("scopePolicy() bounds listings by s3:prefix under the scope prefix's directory", () => {
  const p = scopePolicy([{ bucket: "*", prefixes: ["home"], actions: ["list_bucket"] }], "scopes");
  const list = (prefix?: string) =>
    evaluate({ identity: [p] }, {
      operation: "ListObjectsV2",
      resource: requestResource("logs"),
      caller: ALICE,
      keys: new Map(prefix === undefined ? [] : [[canonicalKey("s3:prefix"), [prefix]]]),
    }).allowed;
  assert.equal(list("home/"), true);
  assert.equal(list("home/x"), true);
  assert.equal(list("home"), false, "would show home-private/");
  assert.equal(list(), false);
});

Deno.test("anonymousAccessPolicy() grants everyone reads, listings and any-access operations on the bucket", () => {
  const p = anonymousAccessPolicy("data");
  assert.equal(p.kind, "bucket");
  const ops = new Set(p.statements.flatMap((s) => [...s.operations]));
  for (const op of ["GetObject", "HeadObject", "ListObjectsV2", "HeadBucket"] as const) {
    assert.ok(ops.has(op), op);
  }
  assert.ok(!ops.has("PutObject"));
  assert.ok(p.statements.every((s) => s.principals?.everyone && s.sid === "anonymous_access"));
});
