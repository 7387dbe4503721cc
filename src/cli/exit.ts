// deno-lint-ignore-file no-console -- the process's refusals to start are printed here.
/**
 * Ending the process on a refusal to start: the message on stderr, then exit
 * 2 (or 1 under --check-config). Used by main.ts and the edges it starts.
 */
import type { Result } from "../result.ts";
import type { Flags } from "./flags.ts";
import type { Refusal } from "./startup_report.ts";

/** Prints `bucketgate: <message>` and exits 2. */
export function fail(message: string): never {
  console.error(`bucketgate: ${message}`);
  Deno.exit(2);
}

/** The value, or the process ends with exit 2 and the message. */
export function orFail<T>(r: Result<T, string>): T {
  if (!r.ok) fail(r.error);
  return r.value;
}

/** Prints the problems; exits 1 under --check-config, else 2 after the summary. */
export function refuse(r: Refusal, flags: Pick<Flags, "checkConfig">): never {
  console.error(r.report);
  if (flags.checkConfig) Deno.exit(1);
  fail(r.summary);
}
