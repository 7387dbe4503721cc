/**
 * YAML text → a validated Config. Every problem is reported (not only the
 * first), each with its path (`buckets[2].backend_options.region`) and the
 * line and column of the node at fault. Field names follow multistore's
 * schema (snake_case in YAML, camelCase in the typed Config). Each section
 * has its reader: settings.ts, cors.ts, buckets.ts (with the per-backend
 * parsers of backend_options/), roles.ts, credentials.ts, scopes.ts,
 * limits.ts.
 */
import { type Document, LineCounter, parseDocument, type YAMLError } from "yaml";
import { err, ok, type Result } from "../result.ts";
import { type Fields, type Item, Reader } from "./_reader.ts";
import { didYouMean } from "./_suggest.ts";
import { readBuckets } from "./buckets.ts";
import { readCors } from "./cors.ts";
import { readCredentials } from "./credentials.ts";
import { readLimitSections } from "./limits.ts";
import { readPathMapping } from "./path_mapping.ts";
import type { EnvLookup } from "./interpolate.ts";
import { TOP_KEYS } from "./keys.ts";
import {
  type PolicyContext,
  readDocument,
  readPolicies,
  type ReadPolicyFile,
  resolvePolicyRefs,
} from "./policies.ts";
import { readRoles } from "./roles.ts";
import { readSettings } from "./settings.ts";
import type { Config, ConfigProblem } from "./types.ts";

export { CONFIG_DEFAULTS, DEFAULT_MAX_BODY_BYTES } from "./defaults.ts";
export { CONFIG_KEYS, TOP_KEYS } from "./keys.ts";
export { MAX_WORKERS, parseWorkerCount } from "./settings.ts";

/** Options of `parseConfig`. */
export interface ParseOptions {
  /** Reads a `policy_file` relative to the config file; absent: `policy_file` is a problem. */
  readonly readPolicyFile?: ReadPolicyFile;
}

/**
 * Parses and validates a config document. `env` fills `${VAR}` references in
 * string values. Returns the typed Config, or every problem found.
 *
 * @example A valid config, with every setting left out at its default
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseConfig } from "./load.ts";
 *
 * const yaml = [
 *   "buckets:",
 *   "  - name: public",
 *   "    backend_type: fs",
 *   "    anonymous_access: true",
 *   "    backend_options:",
 *   "      root: ${DATA_DIR}",
 * ].join("\n");
 * const env = (name: string) => (name === "DATA_DIR" ? "/srv/data" : undefined);
 * const parsed = parseConfig(yaml, env);
 * assert.ok(parsed.ok);
 * assert.deepEqual(parsed.value.buckets[0]!.backend, { type: "fs", root: "/srv/data" });
 * assert.equal(parsed.value.clientIdleTimeoutSecs, 60);
 * ```
 *
 * @example Every problem, with its path and line
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseConfig } from "./load.ts";
 *
 * const yaml = [
 *   "listen: nowhere",
 *   "buckets:",
 *   "  - { name: Bad_Name, backend_type: memory, anonymous_access: false }",
 * ].join("\n");
 * const parsed = parseConfig(yaml, () => undefined);
 * assert.ok(!parsed.ok);
 * assert.deepEqual(parsed.error.map((p) => `${p.line}: ${p.path}`), [
 *   "1: listen",
 *   "3: buckets[0].name",
 * ]);
 * ```
 */
export function parseConfig(
  text: string,
  env: EnvLookup,
  options: ParseOptions = {},
): Result<Config, ConfigProblem[]> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const syntax = syntaxProblems(doc, lines);
  if (syntax.length > 0) return err(syntax);
  if (doc.contents === null) {
    return err([{
      path: "",
      message: "the config is empty: it needs at least `buckets:`",
      line: 1,
      column: 1,
    }]);
  }
  const r = new Reader(doc, lines, env);
  const config = readConfig(r, doc.contents, options);
  if (r.problems.length > 0 || config === undefined) return err(byPosition(r.problems));
  return ok(config);
}

/**
 * YAML errors and warnings (unresolved tags and the like), at most one per
 * line: the first error on a line is the one to fix, later ones mostly cascade.
 */
function syntaxProblems(doc: Document, lines: LineCounter): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const seen = new Set<number>();
  const all: YAMLError[] = [...doc.errors, ...doc.warnings];
  for (const e of all) {
    const { line, col } = lines.linePos(e.pos[0]);
    if (seen.has(line)) continue;
    seen.add(line);
    const message = e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
    out.push({ path: "", message: `YAML syntax: ${message}`, line, column: col });
  }
  return byPosition(out);
}

/** Sorts problems by line and column (stable); problems without a line go last. */
function byPosition(problems: ConfigProblem[]): ConfigProblem[] {
  const key = (p: ConfigProblem) => (p.line ?? Infinity) * 1e6 + (p.column ?? 0);
  return problems.map((p, i) => ({ p, i }))
    .sort((a, b) => key(a.p) - key(b.p) || a.i - b.i)
    .map(({ p }) => p);
}

function readConfig(r: Reader, root: unknown, options: ParseOptions): Config | undefined {
  const top = r.mapping(root, "", TOP_KEYS);
  if (!top) return undefined;
  const settings = readSettings(r, top);
  const cors = readCors(r, top);
  const access = readAccess(r, top, options);
  const limits = readLimitSections(r, top, {
    buckets: new Set(access.buckets.map((b) => b.name)),
    roles: new Set(access.roles.map((x) => x.roleId)),
    accessKeyIds: new Set(access.credentials.map((c) => c.accessKeyId)),
  });
  return { ...settings, ...(cors ? { cors } : {}), ...access, ...limits };
}

/**
 * The buckets, roles and credentials, which refer to each other. Every name
 * that was read counts as configured, even in a bucket or role with other
 * problems, so one mistake is not reported again at each reference.
 */
function readAccess(
  r: Reader,
  top: Fields,
  options: ParseOptions,
): Pick<Config, "buckets" | "roles" | "credentials" | "policies" | "pathMapping"> {
  const b = readBuckets(r, top);
  const pathMapping = readPathMapping(r, top, b.names);
  const roles = readRoles(r, top, b.bucketNames);
  checkRoleRefs(r, b.roleRefs, roles.roleIds);
  const creds = readCredentials(r, top, b.bucketNames);
  const ctx: PolicyContext = {
    bucketNames: b.bucketNames,
    roleIds: roles.roleIds,
    accessKeyIds: new Set(creds.credentials.map((c) => c.accessKeyId)),
    ...(options.readPolicyFile ? { readFile: options.readPolicyFile } : {}),
  };
  const { named, names } = readPolicies(r, top, ctx);
  const attach = <T extends object>(refs: ReadonlyMap<T, readonly Item<string>[]>, item: T): T => {
    const policies = resolvePolicyRefs(r, refs.get(item) ?? [], named, names);
    return policies.length > 0 ? { ...item, policies } : item;
  };
  const buckets = b.buckets.map((bucket) => {
    const node = b.policyNodes.get(bucket);
    const name = `bucket:${bucket.name}`;
    const policy = node && readDocument(r, node.node, node.path, { name, kind: "bucket", ctx });
    return policy ? { ...bucket, bucketPolicy: policy } : bucket;
  });
  return {
    buckets,
    roles: roles.roles.map((role) => attach(roles.policyRefs, role)),
    credentials: creds.credentials.map((c) => attach(creds.policyRefs, c)),
    ...(named.size > 0 ? { policies: named } : {}),
    ...(pathMapping ? { pathMapping } : {}),
  };
}

/** Reports each `allowed_roles` entry that names no configured role. */
function checkRoleRefs(r: Reader, refs: readonly Item<string>[], roleIds: ReadonlySet<string>) {
  for (const ref of refs) {
    if (!roleIds.has(ref.value)) {
      r.problem(
        ref.path,
        `'${ref.value}' is not a configured role${didYouMean(ref.value, [...roleIds])}`,
        ref.node,
      );
    }
  }
}
