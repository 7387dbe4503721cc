/**
 * A bucket's backend_options → its typed BackendOptions: one parser per
 * backend (fs.ts, s3.ts, az.ts; memory takes none), each returning the
 * options or every problem, with paths relative to backend_options.
 */
import { err, ok, type Result } from "../../result.ts";
import type { BackendOptions, BackendType } from "../types.ts";
import { AZ_OPTION_KEYS, parseAzOptions } from "./az.ts";
import { FS_OPTION_KEYS, parseFsOptions } from "./fs.ts";
import { type OptionProblem, unknownKeyProblems } from "./problems.ts";
import { parseS3Options, S3_OPTION_KEYS } from "./s3.ts";

export type { OptionProblem } from "./problems.ts";

/** The keys each backend's backend_options may hold (memory takes none). */
export const BACKEND_OPTION_KEYS: Readonly<Record<BackendType, readonly string[]>> = {
  memory: [],
  fs: FS_OPTION_KEYS,
  s3: S3_OPTION_KEYS,
  az: AZ_OPTION_KEYS,
};

/** The backend of a `type` with its options parsed, or every problem in them. */
export function parseBackendOptions(
  type: BackendType,
  o: Readonly<Record<string, unknown>>,
): Result<BackendOptions, OptionProblem[]> {
  switch (type) {
    case "memory": {
      const p = unknownKeyProblems(
        o,
        BACKEND_OPTION_KEYS.memory,
        "unknown option for this backend",
      );
      return p.length > 0 ? err(p) : ok({ type });
    }
    case "fs": {
      const r = parseFsOptions(o);
      return r.ok ? ok({ type, ...r.value }) : r;
    }
    case "s3": {
      const r = parseS3Options(o);
      return r.ok ? ok({ type, options: r.value }) : r;
    }
    case "az": {
      const r = parseAzOptions(o);
      return r.ok ? ok({ type, options: r.value }) : r;
    }
    default: {
      const never: never = type;
      return never;
    }
  }
}
