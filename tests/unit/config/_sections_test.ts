import assert from "node:assert/strict";
import { LineCounter, parseDocument } from "yaml";
import { Reader } from "../../../src/config/_reader.ts";
import { check, claimUnique, sections } from "../../../src/config/_sections.ts";
import { noEnv } from "./_helpers.ts";

function reader(yaml: string) {
  const lines = new LineCounter();
  const doc = parseDocument(yaml, { lineCounter: lines });
  const r = new Reader(doc, lines, noEnv);
  return { r, top: r.mapping(doc.contents, "", ["roles", "name"])! };
}

Deno.test("sections() gives each mapping item of a list, reporting the others and unknown keys", () => {
  const { r, top } = reader("roles:\n  - { role_id: a }\n  - 7\n  - { role_id: b, extra: 1 }\n");
  const items = sections(r, top, "roles", { keys: ["role_id"] });
  assert.deepEqual(items.map((f) => f.path), ["roles[0]", "roles[2]"]);
  assert.deepEqual(r.problems.map((p) => [p.path, p.message, p.line]), [
    ["roles[1]", "must be a mapping (role_id), not the number 7", 3],
    ["roles[2].extra", "unknown key", 4],
  ]);
});

Deno.test("sections() of an absent list is [], a problem only when required", () => {
  const { r, top } = reader("name: x\n");
  assert.deepEqual(sections(r, top, "roles", { keys: [] }), []);
  assert.equal(r.problems.length, 0);
  sections(r, top, "roles", { keys: [], required: "required: a list of roles" });
  assert.deepEqual(r.problems.map((p) => [p.path, p.message]), [[
    "roles",
    "required: a list of roles",
  ]]);
});

Deno.test("check() reports a problem at the item's path and line, and nothing without one", () => {
  const { r, top } = reader("name: x\n");
  const name = r.string(top, "name")!;
  check(r, name, undefined);
  check(r, undefined, "ignored");
  assert.equal(r.problems.length, 0);
  check(r, name, "bad name");
  assert.deepEqual(r.problems, [{ path: "name", message: "bad name", line: 1, column: 7 }]);
});

Deno.test("claimUnique() reports a later duplicate at its own path, naming the first", () => {
  const { r } = reader("name: x\n");
  const first = new Map<string, string>();
  claimUnique(r, first, { value: "a", path: "roles[0].role_id", node: undefined }, "role id");
  claimUnique(r, first, { value: "b", path: "roles[1].role_id", node: undefined }, "role id");
  claimUnique(r, first, { value: "a", path: "roles[2].role_id", node: undefined }, "role id");
  assert.deepEqual(r.problems, [
    { path: "roles[2].role_id", message: "duplicate role id 'a' (also roles[0].role_id)" },
  ]);
});
