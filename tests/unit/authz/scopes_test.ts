import assert from "node:assert/strict";
import {
  hasAnyAccess,
  isAllowed,
  prefixCoversKey,
  prefixCoversListing,
} from "../../../src/authz/scopes.ts";
import type { Identity } from "../../../src/auth/identity.ts";
import type { BucketConfig, Scope } from "../../../src/config/types.ts";

const bucket = (
  name: string,
  anonymousAccess = false,
  allowedRoles: string[] = [],
): BucketConfig => ({
  name,
  backend: { type: "memory" },
  anonymousAccess,
  backendPrefix: "",
  allowedRoles,
});
const keyed = (scopes: Scope[]): Identity => ({
  kind: "access_key",
  accessKeyId: "AKID",
  principal: "p",
  scopes,
});

Deno.test("prefixCoversKey() treats a prefix without a slash as a path segment", () => {
  assert.equal(prefixCoversKey("data", "data"), true);
  assert.equal(prefixCoversKey("data", "data/x"), true);
  assert.equal(prefixCoversKey("data", "data-private/x"), false);
  assert.equal(prefixCoversKey("data", "dat"), false);
  assert.equal(prefixCoversKey("data/", "data/x"), true);
  assert.equal(prefixCoversKey("data/", "data"), false);
  assert.equal(prefixCoversKey("", "anything"), true);
});

Deno.test("prefixCoversListing() never lets a listing reach a sibling prefix", () => {
  assert.equal(prefixCoversListing("data", "data/"), true);
  assert.equal(prefixCoversListing("data", "data/sub"), true);
  assert.equal(prefixCoversListing("data", "data"), false);
  assert.equal(prefixCoversListing("data", ""), false);
  assert.equal(prefixCoversListing("data/", "data/"), true);
  assert.equal(prefixCoversListing("", ""), true);
});

Deno.test("isAllowed() grants per action, bucket and prefix", () => {
  const id = keyed([{ bucket: "b", prefixes: ["in/"], actions: ["get_object"] }]);
  const b = bucket("b");
  assert.equal(isAllowed(id, b, "get_object", { kind: "key", key: "in/x" }), true);
  assert.equal(isAllowed(id, b, "put_object", { kind: "key", key: "in/x" }), false);
  assert.equal(isAllowed(id, b, "get_object", { kind: "key", key: "out/x" }), false);
  assert.equal(isAllowed(id, bucket("c"), "get_object", { kind: "key", key: "in/x" }), false);
  assert.equal(isAllowed(id, b, "get_object", { kind: "bucket" }), false);
});

Deno.test("isAllowed() with `*` matches every bucket", () => {
  const id = keyed([{ bucket: "*", prefixes: [], actions: ["list_bucket"] }]);
  assert.equal(isAllowed(id, bucket("any"), "list_bucket", { kind: "listing", prefix: "" }), true);
});

Deno.test("isAllowed() gives everyone the anonymous read rights of a public bucket, never writes", () => {
  const pub = bucket("pub", true);
  const anon: Identity = { kind: "anonymous" };
  for (const a of ["get_object", "head_object", "list_bucket"] as const) {
    assert.equal(isAllowed(anon, pub, a, { kind: "key", key: "k" }), true);
    assert.equal(isAllowed(keyed([]), pub, a, { kind: "key", key: "k" }), true);
  }
  assert.equal(isAllowed(anon, pub, "put_object", { kind: "key", key: "k" }), false);
  assert.equal(isAllowed(anon, bucket("priv"), "get_object", { kind: "key", key: "k" }), false);
});

Deno.test("isAllowed() honors allowed_roles for temporary credentials", () => {
  const session = (roleId: string): Identity => ({
    kind: "session",
    accessKeyId: "ASIA",
    principal: "p",
    roleId,
    scopes: [{ bucket: "*", prefixes: [], actions: ["get_object"] }],
    expiresAt: 0,
  });
  const b = bucket("b", false, ["ci"]);
  assert.equal(isAllowed(session("ci"), b, "get_object", { kind: "key", key: "k" }), true);
  assert.equal(isAllowed(session("other"), b, "get_object", { kind: "key", key: "k" }), false);
});

Deno.test("hasAnyAccess() sees public buckets and scoped ones", () => {
  assert.equal(hasAnyAccess({ kind: "anonymous" }, bucket("p", true)), true);
  assert.equal(hasAnyAccess({ kind: "anonymous" }, bucket("q")), false);
  const id = keyed([{ bucket: "q", prefixes: ["x/"], actions: ["get_object"] }]);
  assert.equal(hasAnyAccess(id, bucket("q")), true);
  assert.equal(hasAnyAccess(id, bucket("r")), false);
});
