/** Resolving a Range request against an object's size. */
import { type ProxyError, proxyError } from "../errors.ts";
import { err, ok, type Result } from "../result.ts";
import type { ByteRange, RangeSpec } from "./backend.ts";

const NOT_SATISFIABLE = "The requested range is not satisfiable";

/** The bytes a range covers in an object of `size` bytes, or InvalidRange (416). */
export function resolveRange(spec: RangeSpec, size: number): Result<ByteRange, ProxyError> {
  if (spec.kind === "suffix") {
    if (spec.length === 0 || size === 0) return err(proxyError("InvalidRange", NOT_SATISFIABLE));
    return ok({ start: Math.max(0, size - spec.length), end: size - 1 });
  }
  if (spec.start >= size) return err(proxyError("InvalidRange", NOT_SATISFIABLE));
  const end = spec.end === undefined ? size - 1 : Math.min(spec.end, size - 1);
  return ok({ start: spec.start, end });
}
