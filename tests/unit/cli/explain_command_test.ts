import assert from "node:assert/strict";
import { runExplain } from "../../../src/cli/explain_command.ts";

const CONFIG = `buckets:
  - { name: data, backend_type: memory, anonymous_access: false }
credentials:
  - access_key_id: AKIDAAAAAAAAAAAAAAAA
    secret_access_key: longenough
    policies: [read]
policies:
  read: { policy_file: ./policies/read.json }
`;
const READ = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    { Sid: "Read", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::data/*" },
    {
      Sid: "Office",
      Effect: "Deny",
      Action: "s3:*",
      Resource: "*",
      Condition: { NotIpAddress: { "aws:SourceIp": "10.0.0.0/8" } },
    },
  ],
});
const FILES: Record<string, string> = {
  "/etc/bg/config.yaml": CONFIG,
  "/etc/bg/policies/read.json": READ,
  "/tmp/session.json": JSON.stringify({
    Version: "2012-10-17",
    Statement: { Effect: "Allow", Action: "s3:ListBucket", Resource: "*" },
  }),
};
const io = {
  readText(path: string) {
    if (!(path in FILES)) throw new Error(`no such file: ${path}`);
    return FILES[path]!;
  },
  env: () => undefined,
  now: Date.UTC(2026, 2, 1),
};
const BASE = [
  "--config",
  "/etc/bg/config.yaml",
  "--principal",
  "AKIDAAAAAAAAAAAAAAAA",
  "--action",
  "s3:GetObject",
  "--resource",
  "data/a.txt",
];

Deno.test("runExplain() prints ALLOW and exits 0, with the policy_file read beside the config", () => {
  const r = runExplain([...BASE, "--source-ip", "10.0.0.1"], io);
  assert.deepEqual(r, {
    code: 0,
    lines: [
      "GetObject on data/a.txt",
      "ALLOW: allowed by read[0] (Read)",
      "matched: Allow read[0] (Read)",
    ],
  });
});

Deno.test("runExplain() prints DENY with the deciding statement and exits 1", () => {
  const r = runExplain([...BASE, "--context", "aws:SourceIp=192.0.2.1"], io);
  assert.equal(r.code, 1);
  assert.equal(r.lines[1], "DENY: explicit deny by read[1] (Office)");
});

Deno.test("runExplain() exits 2 on usage and config problems", () => {
  for (
    const [args, message] of [
      [["--principal", "anonymous"], /--action is required/],
      [[...BASE, "--claim", "novalue"], /--claim takes key=value/],
      [[...BASE, "--bogus"], /explain: /],
      [[...BASE, "--session-policy", "/nope.json"], /cannot read \/nope\.json/],
      [["--config", "/missing.yaml", ...BASE.slice(2)], /cannot read \/missing\.yaml/],
      [[...BASE.slice(0, 3), "AKIDNOBODY", ...BASE.slice(4)], /no credential 'AKIDNOBODY'/],
    ] as const
  ) {
    const r = runExplain(args, io);
    assert.equal(r.code, 2, JSON.stringify(args));
    assert.match(r.lines.join("\n"), message);
  }
  FILES["/etc/bg/bad.yaml"] = CONFIG.replace("policies: [read]", "policies: [raed]");
  const bad = runExplain(["--config", "/etc/bg/bad.yaml", ...BASE.slice(2)], io);
  assert.equal(bad.code, 2);
  assert.match(
    bad.lines[0]!,
    /^\/etc\/bg\/bad\.yaml:6:\d+: credentials\[0\]\.policies\[0\]: 'raed' is not a policy/,
  );
});

Deno.test("runExplain() reads a session policy, which limits sessions only, not a long-lived key", () => {
  const r = runExplain([
    ...BASE,
    "--source-ip",
    "10.0.0.1",
    "--session-policy",
    "/tmp/session.json",
  ], io);
  assert.equal(r.code, 0, "a key is no session: the session policy does not limit it");
});
