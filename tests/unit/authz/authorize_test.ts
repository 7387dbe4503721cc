import assert from "node:assert/strict";
import { authorize, type Need } from "../../../src/authz/authorize.ts";
import { ANONYMOUS, type Identity } from "../../../src/auth/identity.ts";
import type { BucketConfig, Scope } from "../../../src/config/types.ts";

const bucket = (name: string, extra: Partial<BucketConfig> = {}): BucketConfig => ({
  name,
  backend: { type: "memory" },
  anonymousAccess: false,
  backendPrefix: "",
  allowedRoles: [],
  ...extra,
});
const keyed = (scopes: Scope[]): Identity => ({
  kind: "access_key",
  accessKeyId: "AKID",
  principal: "p",
  scopes,
});
const session = (roleId: string, scopes: Scope[]): Identity => ({
  kind: "session",
  accessKeyId: "ASIA",
  principal: `${roleId}/s`,
  roleId,
  scopes,
  expiresAt: 0,
});
const get = (key: string): Need => ({
  kind: "action",
  action: "get_object",
  target: { kind: "key", key },
});
const put = (key: string): Need => ({
  kind: "action",
  action: "put_object",
  target: { kind: "key", key },
});

Deno.test("authorize() leaves a handler requirement to the handler, for every caller", () => {
  const need: Need = { kind: "handler" };
  assert.equal(authorize(ANONYMOUS, { bucket: bucket("b"), need }), undefined);
  assert.equal(authorize(keyed([]), { bucket: bucket("b"), need }), undefined);
});

Deno.test("authorize() refuses an anonymous caller with MissingAuth (needs credentials)", () => {
  const e = authorize(ANONYMOUS, { bucket: bucket("b"), need: get("k") });
  assert.equal(e?.kind, "MissingAuth");
  assert.equal(e?.message, "Access Denied: this request needs credentials");
  assert.equal(
    authorize(ANONYMOUS, { bucket: bucket("b"), need: { kind: "any" } })?.kind,
    "MissingAuth",
  );
});

Deno.test("authorize() refuses a caller with credentials with AccessDenied", () => {
  const id = keyed([{ bucket: "other", prefixes: [], actions: ["get_object"] }]);
  const e = authorize(id, { bucket: bucket("b"), need: get("k") });
  assert.equal(e?.kind, "AccessDenied");
  assert.equal(e?.message, "Access Denied");
  assert.equal(authorize(id, { bucket: bucket("b"), need: { kind: "any" } })?.kind, "AccessDenied");
});

Deno.test("authorize() grants an action by its scope's action and prefix", () => {
  const id = keyed([{ bucket: "b", prefixes: ["in/"], actions: ["get_object"] }]);
  assert.equal(authorize(id, { bucket: bucket("b"), need: get("in/x") }), undefined);
  assert.equal(authorize(id, { bucket: bucket("b"), need: get("out/x") })?.kind, "AccessDenied");
  assert.equal(authorize(id, { bucket: bucket("b"), need: put("in/x") })?.kind, "AccessDenied");
  const list: Need = {
    kind: "action",
    action: "get_object",
    target: { kind: "listing", prefix: "in/" },
  };
  assert.equal(authorize(id, { bucket: bucket("b"), need: list }), undefined);
});

Deno.test("authorize() grants `any` for any right on the bucket", () => {
  const id = keyed([{ bucket: "b", prefixes: ["in/"], actions: ["get_object"] }]);
  assert.equal(authorize(id, { bucket: bucket("b"), need: { kind: "any" } }), undefined);
  assert.equal(authorize(id, { bucket: bucket("c"), need: { kind: "any" } })?.kind, "AccessDenied");
});

Deno.test("authorize() gives everyone the reads of an anonymous_access bucket, and no writes", () => {
  const pub = bucket("pub", { anonymousAccess: true });
  assert.equal(authorize(ANONYMOUS, { bucket: pub, need: get("k") }), undefined);
  assert.equal(authorize(ANONYMOUS, { bucket: pub, need: { kind: "any" } }), undefined);
  assert.equal(authorize(ANONYMOUS, { bucket: pub, need: put("k") })?.kind, "MissingAuth");
  assert.equal(authorize(keyed([]), { bucket: pub, need: put("k") })?.kind, "AccessDenied");
});

Deno.test("authorize() refuses a session whose role the bucket does not allow", () => {
  const scopes: Scope[] = [{ bucket: "*", prefixes: [], actions: ["get_object"] }];
  const b = bucket("b", { allowedRoles: ["reader"] });
  assert.equal(authorize(session("reader", scopes), { bucket: b, need: get("k") }), undefined);
  assert.equal(
    authorize(session("writer", scopes), { bucket: b, need: get("k") })?.kind,
    "AccessDenied",
  );
});
