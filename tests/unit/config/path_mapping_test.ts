import assert from "node:assert/strict";
import { mappedNameProblem } from "../../../src/config/path_mapping.ts";
import { configOf, hasProblem, onlyProblem, problemsOf } from "./_helpers.ts";

const bucket = (name: string) =>
  `  - { name: ${name}, backend_type: memory, anonymous_access: false }\n`;

/** A config with `path_mapping:` (flow mapping `pm`) over the named buckets. */
const mapped = (pm: string, ...names: string[]) =>
  `path_mapping: ${pm}\nbuckets:\n${names.map(bucket).join("")}`;

Deno.test("parseConfig() reads path_mapping with its defaults", () => {
  const c = configOf(mapped("{}", "acme--data", "acme--logs"));
  assert.deepEqual(c.pathMapping, { bucketSegments: 2, separator: "--", displayBucketSegments: 1 });
  const three = configOf(
    mapped(
      '{ bucket_segments: 3, separator: ".", display_bucket_segments: 2 }',
      "org.team.repo",
    ),
  );
  assert.deepEqual(three.pathMapping, {
    bucketSegments: 3,
    separator: ".",
    displayBucketSegments: 2,
  });
  assert.equal(configOf(`buckets:\n${bucket("plain")}`).pathMapping, undefined);
});

Deno.test("parseConfig() refuses a config that mixes unmapped bucket names in", () => {
  const ps = problemsOf(mapped('{ bucket_segments: 2, separator: "--" }', "acme--data", "plain"));
  assert.equal(ps.length, 1);
  hasProblem(ps, {
    path: "buckets[1].name",
    message:
      /^'plain' does not fit path_mapping: a bucket name must be 2 non-empty parts joined by '--'/,
    line: 4,
  });
  onlyProblem(mapped("{}", "acme--data--x"), {
    path: "buckets[0].name",
    message: /does not fit path_mapping/,
  });
});

Deno.test("parseConfig() checks path_mapping's values with their paths and lines", () => {
  onlyProblem(mapped("{ bucket_segments: 1 }", "acme"), {
    path: "path_mapping.bucket_segments",
    message: /^must be an integer from 2 to 8, not /,
    line: 1,
  });
  onlyProblem(mapped("{ display_bucket_segments: 2 }", "acme--data"), {
    path: "path_mapping.display_bucket_segments",
    message: /^must be less than bucket_segments \(2\), not 2$/,
  });
  onlyProblem(mapped('{ separator: "/" }', "acme--data"), {
    path: "path_mapping.separator",
    message: /is not a separator/,
  });
  onlyProblem(mapped("{ segments: 2 }", "acme--data"), {
    path: "path_mapping.segments",
    message: /^unknown key/,
  });
});

Deno.test("mappedNameProblem() wants exactly N non-empty parts", () => {
  const m = { bucketSegments: 2, separator: "--", displayBucketSegments: 1 };
  assert.equal(mappedNameProblem("acme--data", m), undefined);
  assert.match(mappedNameProblem("acme", m)!, /part1--part2/);
  assert.ok(mappedNameProblem("acme----data", m));
  assert.ok(mappedNameProblem("a--b--c", m));
});
