/** An fs bucket's backend_options: only `root`, the directory of its objects. */
import { err, ok, type Result } from "../../result.ts";
import { type OptionProblem, unknownKeyProblems } from "./problems.ts";

/** Validated options of an fs bucket. */
export interface FsOptions {
  /** The directory that holds this bucket's objects, as written (relative to the working directory). */
  readonly root: string;
}

/** The keys an fs bucket's backend_options may hold. */
export const FS_OPTION_KEYS = ["root"] as const;

/** An fs bucket's backend_options as FsOptions, or every problem (paths relative to them). */
export function parseFsOptions(
  o: Readonly<Record<string, unknown>>,
): Result<FsOptions, OptionProblem[]> {
  const p = unknownKeyProblems(o, FS_OPTION_KEYS, "unknown option for this backend");
  if (typeof o.root !== "string" || o.root === "") {
    p.push({ path: "root", message: "required: the directory that holds this bucket's objects" });
    return err(p);
  }
  return p.length > 0 ? err(p) : ok({ root: o.root });
}
