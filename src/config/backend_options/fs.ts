/** An fs bucket's backend_options: `root`, the directory of its objects, and `fsync`. */
import { err, ok, type Result } from "../../result.ts";
import { type OptionProblem, unknownKeyProblems } from "./problems.ts";

/** Validated options of an fs bucket. */
export interface FsOptions {
  /** The directory that holds this bucket's objects, as written (relative to the working directory). */
  readonly root: string;
  /**
   * Whether a write is flushed to disk before it is answered; present only
   * when written (the backend's default is true).
   */
  readonly fsync?: boolean;
}

/** The keys an fs bucket's backend_options may hold. */
export const FS_OPTION_KEYS = ["root", "fsync"] as const;

/** An fs bucket's backend_options as FsOptions, or every problem (paths relative to them). */
export function parseFsOptions(
  o: Readonly<Record<string, unknown>>,
): Result<FsOptions, OptionProblem[]> {
  const p = unknownKeyProblems(o, FS_OPTION_KEYS, "unknown option for this backend");
  if (typeof o.root !== "string" || o.root === "") {
    p.push({ path: "root", message: "required: the directory that holds this bucket's objects" });
    return err(p);
  }
  if (o.fsync !== undefined && typeof o.fsync !== "boolean") {
    p.push({ path: "fsync", message: "must be true or false" });
  }
  const fsync = typeof o.fsync === "boolean" ? { fsync: o.fsync } : {};
  return p.length > 0 ? err(p) : ok({ root: o.root, ...fsync });
}
