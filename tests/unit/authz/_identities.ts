/** Callers the authz tests decide for: a key's and a session's. */
import type { Identity } from "../../../src/auth/identity.ts";

/** An access key's caller, `alice`. */
export const ALICE: Identity = {
  kind: "access_key",
  accessKeyId: "AKIDALICE",
  principal: "alice",
  scopes: [],
};

/** A session of role `ci`, named `build`. */
export const SESSION: Extract<Identity, { kind: "session" }> = {
  kind: "session",
  accessKeyId: "ASIATEMP",
  principal: "ci/build",
  roleId: "ci",
  scopes: [],
  expiresAt: Date.UTC(2030, 0, 1),
};
