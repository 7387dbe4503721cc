import assert from "node:assert/strict";
import {
  MAX_CLAIM_LIST,
  MAX_SEALED_CLAIMS_CHARS,
  sealableClaims,
  UNSEALED_CLAIM,
} from "../../../src/sts/sealed_claims.ts";
import { claimValues } from "../../../src/authz/context_keys.ts";
import { UNRESOLVED } from "../../../src/iam/keys.ts";

Deno.test("sealableClaims() keeps scalars and lists of scalars as they are", () => {
  const claims = { sub: "alice", aud: ["a", "b"], n: 3, ok: true, iss: "https://i" };
  assert.deepEqual(sealableClaims(claims), claims);
});

Deno.test("sealableClaims() marks objects and long lists unsealed, which condition keys read as unresolved", () => {
  const long = Array.from({ length: MAX_CLAIM_LIST + 1 }, (_, i) => `g${i}`);
  const out = sealableClaims({ sub: "s", address: { city: "x" }, groups: long, mixed: [1, {}] });
  assert.equal(out.sub, "s");
  for (const name of ["address", "groups", "mixed"]) {
    assert.equal(out[name], UNSEALED_CLAIM, name);
    assert.equal(claimValues(out[name]), UNRESOLVED, name);
  }
});

Deno.test("sealableClaims() drops null claims and keeps the values within the bound", () => {
  const big = "x".repeat(MAX_SEALED_CLAIMS_CHARS / 2);
  const out = sealableClaims({ none: null, sub: "s", a: big, b: big, c: "small" });
  assert.equal("none" in out, false);
  assert.equal(out.a, big);
  assert.equal(out.b, UNSEALED_CLAIM, "past the bound: unsealed, never absent");
  assert.equal(out.c, "small");
  const values = Object.values(out).filter((v) => v !== UNSEALED_CLAIM);
  assert.ok(JSON.stringify(values).length <= MAX_SEALED_CLAIMS_CHARS + values.length + 2);
});
