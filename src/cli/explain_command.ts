/**
 * `bucketgate explain`: why a request would be allowed or denied, offline.
 *
 *     bucketgate explain --config FILE --principal <access key id | role:<role_id> | anonymous>
 *       [--claim k=v]… [--session-policy FILE] --action s3:GetObject --resource bucket/key
 *       [--source-ip IP] [--context key=value]…
 *
 * Prints ALLOW or DENY, the deciding statement and every statement that
 * matched; exits 0 (allowed), 1 (denied) or 2 (a usage or config problem).
 * The files come in through `io`, so the command is tested without a disk.
 */
import { parseArgs } from "node:util";
import { explain } from "../authz/explain.ts";
import { formatProblems } from "../config/format.ts";
import type { EnvLookup } from "../config/interpolate.ts";
import { parseConfig } from "../config/load.ts";
import { policyFileReader } from "./load_config.ts";
import { err, ok, type Result } from "../result.ts";
import { parseSessionPolicy } from "../sts/session_policy.ts";

/** What the command reads through. */
export interface ExplainIo {
  /** Reads a file (the config, a policy_file relative to it, a session policy); may throw. */
  readonly readText: (path: string) => string;
  readonly env: EnvLookup;
  /** The time to decide at (ms). */
  readonly now: number;
}

/** What the command prints and its exit code. */
export interface ExplainOutcome {
  readonly code: 0 | 1 | 2;
  readonly lines: readonly string[];
}

const OPTIONS = {
  config: { type: "string" },
  principal: { type: "string" },
  claim: { type: "string", multiple: true },
  "session-policy": { type: "string" },
  action: { type: "string" },
  resource: { type: "string" },
  "source-ip": { type: "string" },
  context: { type: "string", multiple: true },
} as const;

/** `k=v` pairs as a record; the first malformed one is the error. */
function pairs(items: readonly string[], flag: string): Result<Record<string, string>, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf("=");
    if (eq <= 0) return err(`${flag} takes key=value, not '${item}'`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return ok(out);
}

const usage = (message: string): ExplainOutcome => ({ code: 2, lines: [`explain: ${message}`] });

/** Runs `bucketgate explain` with its arguments (after `explain`). */
export function runExplain(args: readonly string[], io: ExplainIo): ExplainOutcome {
  let v;
  try {
    v = parseArgs({ args: [...args], options: OPTIONS, strict: true, allowPositionals: false })
      .values;
  } catch (e) {
    return usage(e instanceof Error ? e.message : String(e));
  }
  for (const need of ["principal", "action", "resource"] as const) {
    if (v[need] === undefined) return usage(`--${need} is required`);
  }
  const claims = pairs(v.claim ?? [], "--claim");
  const context = pairs(v.context ?? [], "--context");
  const file = v.config ?? "config.yaml";
  if (!claims.ok) return usage(claims.error);
  if (!context.ok) return usage(context.error);
  let text: string;
  try {
    text = io.readText(file);
  } catch (e) {
    return usage(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const config = parseConfig(text, io.env, { readPolicyFile: policyFileReader(file, io.readText) });
  if (!config.ok) return { code: 2, lines: formatProblems(config.error, file).split("\n") };
  let sessionPolicy;
  if (v["session-policy"] !== undefined) {
    let policyText: string;
    try {
      policyText = io.readText(v["session-policy"]);
    } catch (e) {
      return usage(
        `cannot read ${v["session-policy"]}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    const parsed = parseSessionPolicy(policyText);
    if (!parsed.ok) return usage(`${v["session-policy"]}: ${parsed.error.message}`);
    sessionPolicy = parsed.value;
  }
  const r = explain(config.value, {
    principal: v.principal!,
    claims: claims.value,
    ...(sessionPolicy ? { sessionPolicy } : {}),
    action: v.action!,
    resource: v.resource!,
    ...(v["source-ip"] !== undefined ? { sourceIp: v["source-ip"] } : {}),
    context: context.value,
    now: io.now,
  });
  if (!r.ok) return usage(r.error);
  return { code: r.value.decision.allowed ? 0 : 1, lines: r.value.lines };
}
