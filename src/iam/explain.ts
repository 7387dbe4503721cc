/**
 * A decision in words, for `bucketgate explain` and the access log: which
 * statement decided (policy, Sid, index) and which statements matched. The
 * log names the deciding statement of an AccessDenied; the response never does.
 */
import type { CompiledStatement } from "./document.ts";
import type { Decision } from "./evaluate.ts";

/** A statement as `policy[index]` with its Sid: `read-public[0] (ReadPublic)`. */
export function statementRef(s: CompiledStatement): string {
  return `${s.policy}[${s.index}]${s.sid === undefined ? "" : ` (${s.sid})`}`;
}

/** The decision's one-line reason: `explicit deny by p[1] (NoSecrets)`, `allowed by …`, `no statement allows`. */
export function decisionReason(d: Decision): string {
  if (d.reason === "implicit-deny") return "no statement allows";
  const by = d.deciding ? statementRef(d.deciding) : "?";
  return d.reason === "explicit-deny" ? `explicit deny by ${by}` : `allowed by ${by}`;
}

/** `explain`'s lines: ALLOW or DENY with the reason, then every statement that matched. */
export function explainLines(d: Decision): string[] {
  const lines = [`${d.allowed ? "ALLOW" : "DENY"}: ${decisionReason(d)}`];
  if (d.matched.length === 0) lines.push("matched: none");
  for (const s of d.matched) lines.push(`matched: ${s.effect} ${statementRef(s)}`);
  return lines;
}
