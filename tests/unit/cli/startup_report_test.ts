import assert from "node:assert/strict";
import {
  backendRefusal,
  configOkLine,
  configRefusal,
  environmentRefusal,
} from "../../../src/cli/startup_report.ts";

const PROBLEMS = [
  { path: "buckets[0].name", message: "bad", line: 2, column: 11 },
  { path: "listen", message: "not HOST:PORT" },
];

Deno.test("configRefusal() reports under the file and counts the problems", () => {
  assert.deepEqual(configRefusal(PROBLEMS, "c.yaml"), {
    report: "c.yaml:2:11: buckets[0].name: bad\nc.yaml: listen: not HOST:PORT",
    summary: "c.yaml: 2 problem(s); not starting",
  });
});

Deno.test("environmentRefusal() reports under 'environment'", () => {
  assert.deepEqual(
    environmentRefusal([{ path: "SESSION_TOKEN_KEY", message: "must be base64" }]),
    { report: "environment: SESSION_TOKEN_KEY: must be base64", summary: "not starting" },
  );
});

Deno.test("backendRefusal() reports under the file without a count", () => {
  assert.deepEqual(backendRefusal([{ path: "buckets[0]", message: "no issuer" }], "c.yaml"), {
    report: "c.yaml: buckets[0]: no issuer",
    summary: "not starting",
  });
});

Deno.test("configOkLine() counts the buckets", () => {
  assert.equal(configOkLine("config.yaml", { buckets: [] }), "config.yaml: OK (0 buckets)");
});
