/** Config problems as lines a person reads. */
import type { ConfigProblem } from "./types.ts";

/** One line per problem: `config.yaml:12:5: buckets[2].backend_options.region: required`. */
export function formatProblems(problems: readonly ConfigProblem[], file = "config.yaml"): string {
  return problems.map((p) => {
    const where = p.line !== undefined ? `${file}:${p.line}:${p.column ?? 1}` : file;
    return `${where}: ${p.path ? p.path + ": " : ""}${p.message}`;
  }).join("\n");
}
