/** Shared helpers of the config tests. */
import assert from "node:assert/strict";
import { parseConfig } from "../../../src/config/load.ts";
import type { EnvLookup } from "../../../src/config/interpolate.ts";
import type { Config, ConfigProblem } from "../../../src/config/types.ts";

/** An environment with nothing set. */
export const noEnv: EnvLookup = () => undefined;

/** An environment holding exactly `vars`. */
export function envOf(vars: Record<string, string>): EnvLookup {
  return (name) => Object.hasOwn(vars, name) ? vars[name] : undefined;
}

/** Parses a config that must be valid. */
export function configOf(yaml: string, env: EnvLookup = noEnv): Config {
  const r = parseConfig(yaml, env);
  if (!r.ok) assert.fail(`expected a valid config, got:\n${JSON.stringify(r.error, null, 2)}`);
  return r.value;
}

/** Parses a config that must be invalid and returns its problems. */
export function problemsOf(yaml: string, env: EnvLookup = noEnv): ConfigProblem[] {
  const r = parseConfig(yaml, env);
  assert.ok(!r.ok, "expected problems, but the config is valid");
  return r.error;
}

/** What a test expects of one problem. */
export interface Expected {
  readonly path: string;
  readonly message: RegExp;
  readonly line?: number;
  readonly column?: number;
}

/** Asserts that `yaml` has exactly one problem, and that it is the expected one. */
export function onlyProblem(yaml: string, expected: Expected, env: EnvLookup = noEnv): void {
  const ps = problemsOf(yaml, env);
  assert.deepEqual(
    ps.map((p) => p.path),
    [expected.path],
    `problems: ${JSON.stringify(ps, null, 2)}`,
  );
  matches(ps[0]!, expected);
}

/** Asserts that the problem at `expected.path` is among `ps` and matches. */
export function hasProblem(ps: readonly ConfigProblem[], expected: Expected): void {
  const found = ps.filter((p) => p.path === expected.path);
  assert.ok(
    found.length > 0,
    `no problem at ${expected.path}; problems: ${JSON.stringify(ps, null, 2)}`,
  );
  assert.ok(
    found.some((p) => expected.message.test(p.message)),
    `no problem at ${expected.path} matches ${expected.message}: ${JSON.stringify(found)}`,
  );
  matches(found.find((p) => expected.message.test(p.message))!, expected);
}

function matches(p: ConfigProblem, expected: Expected): void {
  assert.equal(p.path, expected.path);
  assert.match(p.message, expected.message);
  if (expected.line !== undefined) assert.equal(p.line, expected.line, "line");
  if (expected.column !== undefined) assert.equal(p.column, expected.column, "column");
}

/** A valid bucket entry (`data`, memory), for configs that test something else. */
export const DATA_BUCKET = "  - { name: data, backend_type: memory, anonymous_access: false }\n";

/** A config with only the `data` bucket plus `rest`. */
export function withData(rest: string): string {
  return `buckets:\n${DATA_BUCKET}${rest}`;
}

/** The issuer the role fixtures trust. */
export const ISSUER = "https://issuer.example.com";

/** A subject condition, for roles whose tests are about something else. */
export const SUBJECT = '    subject_conditions: ["system:serviceaccount:ci:*"]\n';

/** A role with the given extra lines (indented 4), then `trust` (a subject condition). */
export const role = (lines: string, trust = SUBJECT): string =>
  withData(`roles:\n  - role_id: r1\n    trusted_oidc_issuers: [${ISSUER}]\n${lines}${trust}`);

/** A credential with the given extra lines (indented 4). */
export const cred = (lines: string): string =>
  withData(
    `credentials:\n  - access_key_id: AKIDAAAAAAAAAAAAAAAA\n    secret_access_key: longenough\n${lines}`,
  );
