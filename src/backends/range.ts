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

/**
 * The bytes of part `n` of an object, as a range to read: S3's read by part
 * number. A multipart object's parts come from its recorded sizes; any other
 * object is one part. Beyond the last part: InvalidPartNumber (416). An empty
 * object's part 1 is all of it (undefined: no range).
 */
export function partRangeSpec(
  meta: { readonly size: number; readonly partSizes?: readonly number[] },
  n: number,
): Result<RangeSpec | undefined, ProxyError> {
  const sizes = meta.partSizes ?? [meta.size];
  if (n < 1 || n > sizes.length) {
    return err(proxyError("InvalidPartNumber", "The requested partnumber is not satisfiable"));
  }
  let start = 0;
  for (let i = 0; i < n - 1; i++) start += sizes[i]!;
  const size = sizes[n - 1]!;
  return ok(size === 0 ? undefined : { kind: "from", start, end: start + size - 1 });
}
