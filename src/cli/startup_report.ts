/**
 * What a start that stops prints: the problems that refuse it (each with the
 * one-line summary printed after them when not `--check-config`), and
 * `--check-config`'s OK line and its warnings.
 */
import { formatProblems } from "../config/format.ts";
import type { Config, ConfigProblem } from "../config/types.ts";
import { statementRef } from "../iam/explain.ts";
import { anonymousWrites } from "../iam/visibility.ts";

/** A refused start: the problems as lines for stderr, and the summary before exiting 2. */
export interface Refusal {
  readonly report: string;
  readonly summary: string;
}

/** Problems of the config file `file` (its own, or the issuer its buckets need). */
export function configRefusal(problems: readonly ConfigProblem[], file: string): Refusal {
  return {
    report: formatProblems(problems, file),
    summary: `${file}: ${problems.length} problem(s); not starting`,
  };
}

/** Problems of the environment's keys. */
export function environmentRefusal(problems: readonly ConfigProblem[]): Refusal {
  return { report: formatProblems(problems, "environment"), summary: "not starting" };
}

/** Backends of the config `file` that could not be made. */
export function backendRefusal(problems: readonly ConfigProblem[], file: string): Refusal {
  return { report: formatProblems(problems, file), summary: "not starting" };
}

/** `--check-config`'s line for a config without problems. */
export function configOkLine(file: string, config: Pick<Config, "buckets">): string {
  return `${file}: OK (${config.buckets.length} buckets)`;
}

/**
 * The warnings of a config that loads: each bucket policy statement that may
 * let anonymous callers write (allowed, as on AWS, but rarely meant).
 */
export function configWarnings(file: string, config: Pick<Config, "buckets">): string[] {
  return config.buckets.flatMap((b, i) =>
    b.bucketPolicy
      ? anonymousWrites(b.bucketPolicy).map((s) =>
        `${file}: warning: buckets[${i}].bucket_policy: ${
          statementRef(s)
        } lets anonymous callers write to bucket '${b.name}'`
      )
      : []
  );
}
