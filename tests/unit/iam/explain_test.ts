import assert from "node:assert/strict";
import { evaluate } from "../../../src/iam/evaluate.ts";
import { decisionReason, explainLines, statementRef } from "../../../src/iam/explain.ts";
import { doc, policyOf, req } from "./_policies.ts";

const p = policyOf(
  doc(
    { Sid: "ReadAll", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::data/*" },
    { Effect: "Deny", Action: "s3:GetObject", Resource: "arn:aws:s3:::data/secret/*" },
  ),
  "identity",
  "read",
);

Deno.test("statementRef() names a statement by policy, index and Sid", () => {
  assert.equal(statementRef(p.statements[0]!), "read[0] (ReadAll)");
  assert.equal(statementRef(p.statements[1]!), "read[1]");
});

Deno.test("explainLines() says ALLOW or DENY, why, and every statement that matched", () => {
  const denied = evaluate({ identity: [p] }, req("GetObject", "data/secret/x"));
  assert.deepEqual(explainLines(denied), [
    "DENY: explicit deny by read[1]",
    "matched: Allow read[0] (ReadAll)",
    "matched: Deny read[1]",
  ]);
  const allowed = evaluate({ identity: [p] }, req("GetObject", "data/open/x"));
  assert.equal(decisionReason(allowed), "allowed by read[0] (ReadAll)");
  const none = evaluate({ identity: [p] }, req("PutObject", "data/x"));
  assert.deepEqual(explainLines(none), ["DENY: no statement allows", "matched: none"]);
});
