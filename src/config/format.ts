/** Config problems as lines a person reads. */
import type { ConfigProblem } from "./types.ts";

/**
 * One line per problem, compiler style:
 * `config.yaml:12:5: buckets[2].backend_options.region: required`.
 * A problem without a position shows the file name alone; one without a path
 * (a YAML syntax error) shows the message alone.
 */
export function formatProblems(problems: readonly ConfigProblem[], file = "config.yaml"): string {
  return problems.map((p) => {
    const where = p.line === undefined ? file : `${file}:${p.line}:${p.column ?? 1}`;
    return `${where}: ${p.path === "" ? "" : `${p.path}: `}${p.message}`;
  }).join("\n");
}
