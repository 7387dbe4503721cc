import assert from "node:assert/strict";
import { fillTemplate, resolveScopes } from "../../../src/sts/templates.ts";

Deno.test("fillTemplate() substitutes string claims", () => {
  assert.equal(fillTemplate("{sub}", { sub: "alice" }), "alice");
  assert.equal(fillTemplate("team-{org}-data", { org: "blue" }), "team-blue-data");
  assert.equal(
    fillTemplate("home/{sub}/", { sub: "alice@example.com" }),
    "home/alice@example.com/",
  );
  assert.equal(fillTemplate("no-template", {}), "no-template");
});

Deno.test("fillTemplate() refuses claims that could widen a scope", () => {
  for (
    const sub of [
      "*",
      "a*",
      "a/b",
      "..",
      "a..b",
      ".",
      "",
      "a b",
      "a\u0000",
      "%2F",
      "?",
      "x".repeat(129),
    ]
  ) {
    assert.equal(fillTemplate("{sub}", { sub }), undefined, JSON.stringify(sub));
  }
  assert.equal(fillTemplate("{sub}", {}), undefined);
  assert.equal(fillTemplate("{sub}", { sub: 42 }), undefined);
  assert.equal(fillTemplate("{sub}", { sub: ["a"] }), undefined);
  assert.equal(fillTemplate("{toString}", {}), undefined, "no inherited properties");
});

Deno.test("resolveScopes() drops a scope whose template cannot be filled", () => {
  const scopes = resolveScopes([
    { bucket: "{sub}", prefixes: [], actions: ["get_object"] },
    { bucket: "shared", prefixes: ["{team}/"], actions: ["put_object"] },
    { bucket: "*", prefixes: ["public/"], actions: ["get_object"] },
  ], { sub: "*", team: "red" });
  assert.deepEqual(scopes, [
    { bucket: "shared", prefixes: ["red/"], actions: ["put_object"] },
    { bucket: "*", prefixes: ["public/"], actions: ["get_object"] },
  ]);
  // a prefix template that fails must not leave an empty (whole-bucket) prefix list
  assert.deepEqual(
    resolveScopes([{ bucket: "shared", prefixes: ["{team}/"], actions: ["get_object"] }], {}),
    [],
  );
});
