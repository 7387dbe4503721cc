import assert from "node:assert/strict";
import {
  ANONYMOUS_LABELS,
  principalKey,
  principalLabeller,
  UNKNOWN_PRINCIPAL,
} from "../../../src/admin/principals.ts";
import type { AccessLogEntry } from "../../../src/log/entry.ts";

const entry = (o: Partial<AccessLogEntry>): AccessLogEntry => ({
  time: "2026-12-07T00:00:00.000Z",
  requestId: "R",
  method: "GET",
  status: 200,
  totalMs: 1,
  ...o,
});

const label = principalLabeller({
  keys: ["alice", "bob"],
  roles: [{ roleId: "ci-role", name: "ci" }],
});

Deno.test("principalLabeller(): keys by principal_name, sessions and STS mints as their role's name", () => {
  assert.deepEqual(label(entry({ authMode: "access_key", principal: "alice" })), {
    kind: "access_key",
    principal: "alice",
  });
  for (const principal of ["ci-role/run-1", "ci-role/run-2"]) {
    assert.deepEqual(label(entry({ authMode: "session", principal })), {
      kind: "role",
      principal: "ci",
    });
  }
  assert.deepEqual(
    label(entry({ authMode: "web_identity", principal: "ci-role/sub", subject: "sub" })),
    { kind: "role", principal: "ci" },
  );
});

Deno.test("principalLabeller(): anonymous is one series, and what the config does not name is (unknown)", () => {
  assert.equal(label(entry({})), ANONYMOUS_LABELS);
  assert.equal(label(entry({ authMode: "anonymous" })), ANONYMOUS_LABELS);
  assert.deepEqual(label(entry({ authMode: "access_key", principal: "mallory" })), {
    kind: "access_key",
    principal: UNKNOWN_PRINCIPAL,
  });
  assert.deepEqual(label(entry({ authMode: "session", principal: "gone-role/x" })), {
    kind: "role",
    principal: UNKNOWN_PRINCIPAL,
  });
  assert.deepEqual(principalLabeller()(entry({ authMode: "access_key", principal: "alice" })), {
    kind: "access_key",
    principal: UNKNOWN_PRINCIPAL,
  }, "no config, no names");
});

Deno.test("principalKey(): kind and name, anonymous alone", () => {
  assert.equal(principalKey({ kind: "access_key", principal: "alice" }), "access_key:alice");
  assert.equal(principalKey({ kind: "role", principal: "ci" }), "role:ci");
  assert.equal(principalKey(ANONYMOUS_LABELS), "anonymous");
});
