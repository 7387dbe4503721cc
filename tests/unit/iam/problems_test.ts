import assert from "node:assert/strict";
import { isObject, itemPath, joinPath, listOf, Problems } from "../../../src/iam/problems.ts";

Deno.test("joinPath() joins keys with a dot and indexes as they are", () => {
  assert.equal(joinPath("", "Statement"), "Statement");
  assert.equal(joinPath("Statement", "[2]"), "Statement[2]");
  assert.equal(joinPath("Statement[2]", "Action"), "Statement[2].Action");
  assert.equal(joinPath("x", ""), "x");
});

Deno.test("Problems collects problems with their paths", () => {
  const p = new Problems();
  assert.equal(p.check("a", undefined), false);
  assert.equal(p.check("b", "bad"), true);
  p.add("c", "worse");
  assert.deepEqual(p.list, [{ path: "b", message: "bad" }, { path: "c", message: "worse" }]);
});

Deno.test("listOf() and itemPath() read a lone value as a list of one", () => {
  assert.deepEqual(listOf(undefined), []);
  assert.deepEqual(listOf("x"), ["x"]);
  assert.deepEqual(listOf(["x", "y"]), ["x", "y"]);
  assert.equal(itemPath("Action", "x", 0), "Action");
  assert.equal(itemPath("Action", ["x"], 0), "Action[0]");
  assert.ok(isObject({}) && !isObject([]) && !isObject(null) && !isObject("x"));
});
