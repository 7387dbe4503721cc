/** What every backend's options parser shares: its problem type and the unknown-key check. */

/** One problem in a bucket's backend_options; `path` is relative to them (`region`, `""`). */
export interface OptionProblem {
  readonly path: string;
  readonly message: string;
}

/** A problem for every key of `o` that `known` does not list. */
export function unknownKeyProblems(
  o: Readonly<Record<string, unknown>>,
  known: readonly string[],
  message: string,
): OptionProblem[] {
  return Object.keys(o).filter((k) => !known.includes(k)).map((path) => ({ path, message }));
}

/** `request_timeout_secs` in milliseconds (default 60 s). */
export function requestTimeoutMs(o: Readonly<Record<string, unknown>>): number {
  return (typeof o.request_timeout_secs === "number" ? o.request_timeout_secs : 60) * 1000;
}
