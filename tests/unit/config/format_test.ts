import assert from "node:assert/strict";
import { formatProblems } from "../../../src/config/format.ts";

Deno.test("formatProblems() writes one FILE:LINE:COLUMN: PATH: MESSAGE line per problem", () => {
  const text = formatProblems([
    { path: "buckets[2].backend_options.region", message: "required", line: 12, column: 5 },
    { path: "", message: "YAML syntax: Missing closing 'quote", line: 3, column: 1 },
    { path: "listen", message: "must be a string" },
    { path: "domain", message: "x", line: 4 },
  ]);
  assert.equal(
    text,
    [
      "config.yaml:12:5: buckets[2].backend_options.region: required",
      "config.yaml:3:1: YAML syntax: Missing closing 'quote",
      "config.yaml: listen: must be a string",
      "config.yaml:4:1: domain: x",
    ].join("\n"),
  );
});

Deno.test("formatProblems() names the given file and returns '' for no problems", () => {
  assert.equal(
    formatProblems([{ path: "a", message: "b", line: 1, column: 2 }], "/etc/bucketgate.yaml"),
    "/etc/bucketgate.yaml:1:2: a: b",
  );
  assert.equal(formatProblems([]), "");
});
